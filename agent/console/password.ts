// Passwords of the console's people: scrypt from node:crypto (memory-hard, no dependency),
// stored as scrypt$N$r$p$salt$hash so the cost can rise later without breaking old hashes.
// Only `blotter users` makes one-time passwords; only the console checks them.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// 2^15 × 8 × 128 bytes = 32 MiB and ~50-100 ms per check: slow for a guesser, fine for a sign-in.
const N = 1 << 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const opts: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

// A hash of a password nobody has, checked when the name is unknown, so an answer takes
// as long for a name that does not exist as for a wrong password.
let decoy: Promise<string> | null = null;

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const h = stored ?? (await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(h);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // A hash from the database is trusted for its format only: its cost is bounded here.
  if (n > 1 << 20 || r > 32 || p > 16) return false;
  const want = Buffer.from(m[5]!, 'base64');
  const got = await derive(password, Buffer.from(m[4]!, 'base64'), { N: n, r, p });
  return want.length === got.length && timingSafeEqual(want, got) && stored !== null;
}

// 20 characters of base64url: 120 bits, typed once, then replaced at the first sign-in.
export function newPassword(): string {
  return randomBytes(15).toString('base64url');
}

// What a person may choose: long enough to matter, short enough to hash (scrypt takes any
// length, but a megabyte password is a denial of service, not a password).
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'must be at least 12 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  return null;
}
