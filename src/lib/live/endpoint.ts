/**
 * Where the demo server's endpoints are, on its own so that pages which only ask whether the server is
 * there (the home page's health check) do not load the tap and the trace reader with it.
 */

/**
 * The demo server's endpoints sit beside the page: at / normally, under /__wirescope/ when wirescope
 * stands in front of an app (`--target`). Paths are written from the server's root ('/api/time') and
 * resolved against the page's own folder, so the same build works in both places. An absolute URL is
 * returned as it is.
 */
export function endpoint(path: string): string {
  return new URL(path.replace(/^\//, ''), new URL('.', location.href)).href;
}

export function wsUrl(path: string): string {
  return endpoint(path).replace(/^http/, 'ws');
}
