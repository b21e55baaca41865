// Keys accepted recently, with the fingerprint of their event, so a retry is answered
// `duplicate` (or a reused key `conflict`) without a database round trip. Bounded by two
// generations: when the young one is full it becomes the old one and the old one is
// cleared, so between max/2 and max keys are remembered. Forgotten keys are asked of the
// ledger, which still drops them.
//
// Held in typed arrays, not a Map of strings: 200,000 remembered keys were 400,000 live
// strings the garbage collector traced on every major collection (pauses of 30 ms under
// load, in the acknowledgement's path), and a Map's rehash on growth held the event loop
// for 13 ms. Here a key is the first 128 bits of its SHA-1 (a false match needs 2^64
// work even on purpose, and the token holder is the only one who sends keys) and a
// fingerprint its first 64 bits; the memory is fixed and outside the JavaScript heap.
import { hash } from 'node:crypto';

export type Seen = 'new' | 'same' | 'different';

const WORDS = 6; // key hash (4 x 32 bits), fingerprint (2 x 32 bits)
const EMPTY = 0;
const FULL = 1;
const GONE = 2;

class Table {
  readonly words: Uint32Array;
  readonly state: Uint8Array;
  readonly mask: number;
  count = 0;
  constructor(slots: number) {
    this.words = new Uint32Array(slots * WORDS);
    this.state = new Uint8Array(slots);
    this.mask = slots - 1;
  }
  // The slot holding key k, or -1 (and where it could go, for an insert).
  find(k: Uint32Array): { at: number; free: number } {
    let i = k[0]! & this.mask;
    let free = -1;
    for (let probes = 0; probes <= this.mask; probes++, i = (i + 1) & this.mask) {
      const s = this.state[i]!;
      if (s === EMPTY) return { at: -1, free: free < 0 ? i : free };
      if (s === GONE) {
        if (free < 0) free = i;
        continue;
      }
      const w = i * WORDS;
      if (this.words[w] === k[0] && this.words[w + 1] === k[1] && this.words[w + 2] === k[2] && this.words[w + 3] === k[3]) return { at: i, free };
    }
    return { at: -1, free };
  }
  clear(): void {
    this.words.fill(0);
    this.state.fill(EMPTY);
    this.count = 0;
  }
}

function words(b: Buffer, n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let j = 0; j < n; j++) out[j] = b.readUInt32LE(j * 4);
  return out;
}

export class RecentKeys {
  private young: Table;
  private old: Table;
  private readonly half: number;
  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
    // At most half full, so probes stay short.
    let slots = 16;
    while (slots < this.half * 2) slots *= 2;
    this.young = new Table(slots);
    this.old = new Table(slots);
  }

  private static key(k: string): Uint32Array {
    return words(hash('sha1', k, 'buffer'), 4);
  }

  // fp: the event's fingerprint, base64 of a digest of at least 8 bytes.
  check(k: string, fp: string): Seen {
    const key = RecentKeys.key(k);
    for (const t of [this.young, this.old]) {
      const { at } = t.find(key);
      if (at < 0) continue;
      const f = words(Buffer.from(fp, 'base64'), 2);
      const w = at * WORDS;
      return t.words[w + 4] === f[0] && t.words[w + 5] === f[1] ? 'same' : 'different';
    }
    return 'new';
  }

  add(k: string, fp: string): void {
    if (this.young.count >= this.half) {
      const cleared = this.old;
      cleared.clear();
      this.old = this.young;
      this.young = cleared;
    }
    const key = RecentKeys.key(k);
    const { at, free } = this.young.find(key);
    const i = at >= 0 ? at : free;
    const f = words(Buffer.from(fp, 'base64'), 2);
    const w = i * WORDS;
    this.young.words.set(key, w);
    this.young.words[w + 4] = f[0]!;
    this.young.words[w + 5] = f[1]!;
    if (at < 0) {
      this.young.state[i] = FULL;
      this.young.count++;
    }
  }

  delete(k: string): void {
    const key = RecentKeys.key(k);
    for (const t of [this.young, this.old]) {
      const { at } = t.find(key);
      if (at >= 0) t.state[at] = GONE;
    }
  }
}
