/**
 * Reconnecting without a stampede: exponential backoff with full jitter. Attempt n waits a random time
 * between 0 and min(cap, base * 2^n), so the ceiling doubles with each failure, and clients that lost
 * their connections at the same moment (a server restart) spread their retries over the whole window
 * instead of arriving together. Pure functions: the randomness is a parameter, seeded in the lesson.
 */

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** The lesson's policy: the first retry within a second, never more than 30 s apart. */
export const BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000 };

/** The longest wait before attempt `attempt` (0-based): base * 2^attempt, capped. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = BACKOFF): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
}

/** Full jitter: a uniformly random wait in [0, ceiling), from `random()` in [0, 1). */
export function jitteredDelay(
  attempt: number,
  random: () => number,
  policy: BackoffPolicy = BACKOFF,
): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}

/** A small seeded generator (mulberry32): the same sequence for the same seed, every time. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Herd {
  clients: number;
  /** Width of the buckets counted (ms). */
  bucketMs: number;
  /** Without jitter: every client retries after exactly the ceiling, so all land in one bucket. */
  withoutJitter: number;
  /** With full jitter: the busiest bucket's count. */
  withJitter: number;
}

/**
 * The herd after a restart: `clients` connections all dropped at t = 0 and retry once. Without jitter
 * they all come back at the same instant; with full jitter, how many land in the busiest `bucketMs`.
 */
export function herd(
  clients: number,
  bucketMs: number,
  random: () => number,
  policy: BackoffPolicy = BACKOFF,
): Herd {
  const buckets = new Map<number, number>();
  for (let i = 0; i < clients; i++) {
    const at = Math.floor(jitteredDelay(0, random, policy) / bucketMs);
    buckets.set(at, (buckets.get(at) ?? 0) + 1);
  }
  return { clients, bucketMs, withoutJitter: clients, withJitter: Math.max(0, ...buckets.values()) };
}
