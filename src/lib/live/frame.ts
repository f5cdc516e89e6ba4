/**
 * Runs another origin's page in a hidden frame and waits for the one message it posts back: how the
 * security lesson's live run loads the demo server's attacker page (a second port of this machine) and
 * learns what its script could read. Only a message from that frame and that origin is taken.
 */

export interface FramedResult {
  type: string;
}

export function runInFrame<T extends FramedResult>(
  url: string,
  origin: string,
  type: T['type'],
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = origin;
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      removeEventListener('message', onMessage);
      frame.remove();
      settle();
    };
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      const data = event.data as T | null;
      if (data?.type !== type) return;
      finish(() => resolve(data));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`no answer from ${origin}`))), timeoutMs);
    addEventListener('message', onMessage);
    frame.src = url;
    document.body.append(frame);
  });
}
