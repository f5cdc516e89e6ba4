import { endpoint } from './tap';

/** Is the demo server there? A static build has no /healthz: live runs then say they need `npm start`. */
export async function liveAvailable(timeoutMs = 1500): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(endpoint('/healthz'), { signal: controller.signal, cache: 'no-store' });
    return response.ok && (await response.text()).trim() === 'ok';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
