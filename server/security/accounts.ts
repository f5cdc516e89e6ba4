/**
 * The security lesson's pretend accounts: signing in sets a session cookie (HttpOnly, SameSite=Lax)
 * and gives the account a secret, a one-time code that only its owner should ever read. Bounded and
 * short-lived: at most `max` sign-ins at once, each forgotten after `ttlMs`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { cookieValue, formatSetCookie } from '../../src/lib/protocol/index.ts';
import { headerFields } from '../http-util.ts';

/** The lesson's session cookie. */
export const SESSION_COOKIE = 'wirescope_lesson';

export interface Account {
  token: string;
  /** The secret the lesson's WebSocket endpoints send to whoever presents the cookie. */
  code: string;
  expires: number;
}

export class LessonAccounts {
  private readonly accounts = new Map<string, Account>();

  constructor(
    private readonly max = 256,
    readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.accounts.size;
  }

  signIn(): Account {
    this.forgetExpired();
    // Past the bound, the oldest sign-in goes (a Map iterates in insertion order).
    while (this.accounts.size >= this.max) this.accounts.delete(this.accounts.keys().next().value!);
    const account: Account = {
      token: randomBytes(16).toString('hex'),
      code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
      expires: this.now() + this.ttlMs,
    };
    this.accounts.set(account.token, account);
    return account;
  }

  find(token: string | undefined): Account | undefined {
    if (token === undefined) return undefined;
    const account = this.accounts.get(token);
    if (account && account.expires <= this.now()) {
      this.accounts.delete(token);
      return undefined;
    }
    return account;
  }

  signOut(token: string | undefined): void {
    if (token !== undefined) this.accounts.delete(token);
  }

  /** The account whose session cookie a request carries, if any. */
  fromRequest(req: IncomingMessage): Account | undefined {
    return this.find(sessionToken(req));
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [token, account] of this.accounts) if (account.expires <= now) this.accounts.delete(token);
  }
}

/** The session token in a request's Cookie field (read by the protocol's cookie parser). */
export function sessionToken(req: IncomingMessage): string | undefined {
  return cookieValue(headerFields(req), SESSION_COOKIE);
}

/**
 * The `Set-Cookie` value that signs in (or, with no account, signs out). HttpOnly keeps it from scripts,
 * SameSite=Lax from cross-site subrequests such as another site's WebSocket handshake; neither stops a
 * page of the same site on another port, which is what the lesson shows.
 */
export function sessionCookie(account: Account | undefined, ttlMs: number): string {
  return formatSetCookie({
    name: SESSION_COOKIE,
    value: account?.token ?? '',
    path: '/',
    maxAge: account ? Math.floor(ttlMs / 1000) : 0,
    httpOnly: true,
    sameSite: 'Lax',
  });
}
