// Sessions, CSRF tokens and the sign-in rate limit of the review console, all in memory:
// the agent is one process, a restart signs everyone out (safe), and every map here has
// a fixed upper bound from config (console.max_sessions; the rate limiter's table).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type Session = {
  user: string;
  role: 'viewer' | 'reviewer' | 'admin';
  csrf: string;
  mustChangePassword: boolean;
  // Which password the session was opened with (a digest of its hash): when the stored hash
  // changes (`blotter users reset`, a password chosen elsewhere), the session ends.
  stamp: string;
  createdAt: number;
  lastSeenAt: number;
};

// The cookie holds a random token; the map is keyed by its sha256, so a heap dump or a log
// line with a key in it does not hand out a session.
const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly o: { idleMs: number; maxMs: number; max: number; now?: () => number };
  constructor(o: { idleMs: number; maxMs: number; max: number; now?: () => number }) {
    this.o = o;
  }
  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  create(user: string, role: Session['role'], mustChangePassword: boolean, stamp = ''): { token: string; session: Session } {
    this.sweep();
    // At the bound the oldest session ends (a Map iterates in insertion order).
    while (this.sessions.size >= this.o.max) this.sessions.delete(this.sessions.keys().next().value!);
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = { user, role, csrf: randomBytes(32).toString('base64url'), mustChangePassword, stamp, createdAt: now, lastSeenAt: now };
    this.sessions.set(keyOf(token), session);
    return { token, session };
  }

  // The live session of this token, its idle clock restarted; expired ones are dropped.
  get(token: string | undefined): Session | null {
    if (!token) return null;
    const key = keyOf(token);
    const s = this.sessions.get(key);
    if (!s) return null;
    const now = this.now();
    if (now - s.lastSeenAt > this.o.idleMs || now - s.createdAt > this.o.maxMs) {
      this.sessions.delete(key);
      return null;
    }
    s.lastSeenAt = now;
    return s;
  }

  end(token: string | undefined): void {
    if (token) this.sessions.delete(keyOf(token));
  }

  // Every session of a person (their password changed, or they were found disabled).
  endAllOf(user: string): void {
    for (const [k, s] of this.sessions) if (s.user === user) this.sessions.delete(k);
  }

  size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, s] of this.sessions) if (now - s.lastSeenAt > this.o.idleMs || now - s.createdAt > this.o.maxMs) this.sessions.delete(k);
  }
}

// The stamp of a stored password hash.
export function stampOf(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url');
}

export function sameToken(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

// Failed sign-ins counted per key (a person's name, a client address) in a fixed window.
// Bounded: at the bound, windows that have passed are dropped, and if none has, the
// oldest entry goes (a flood of made-up names cannot grow the table).
export class RateLimiter {
  private readonly fails = new Map<string, { count: number; since: number }>();
  private readonly o: { attempts: number; windowMs: number; maxKeys?: number; now?: () => number };
  constructor(o: { attempts: number; windowMs: number; maxKeys?: number; now?: () => number }) {
    this.o = o;
  }
  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  // Seconds until the key may try again, or 0 if it may now.
  blockedFor(key: string): number {
    const f = this.fails.get(key);
    if (!f) return 0;
    const left = f.since + this.o.windowMs - this.now();
    if (left <= 0) {
      this.fails.delete(key);
      return 0;
    }
    return f.count >= this.o.attempts ? Math.ceil(left / 1000) : 0;
  }

  fail(key: string): void {
    const now = this.now();
    const f = this.fails.get(key);
    if (f && now - f.since < this.o.windowMs) {
      f.count++;
      return;
    }
    const max = this.o.maxKeys ?? 100_000;
    if (this.fails.size >= max) {
      for (const [k, v] of this.fails) if (now - v.since >= this.o.windowMs) this.fails.delete(k);
      while (this.fails.size >= max) this.fails.delete(this.fails.keys().next().value!);
    }
    this.fails.set(key, { count: 1, since: now });
  }

  succeed(key: string): void {
    this.fails.delete(key);
  }

  // An attempt counted in advance (see the sign-in) that turned out right: taken back.
  forgive(key: string): void {
    const f = this.fails.get(key);
    if (f && --f.count <= 0) this.fails.delete(key);
  }
}
