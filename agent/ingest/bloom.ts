// A Bloom filter of the idempotency keys the ledger holds, so the API can tell a new key
// from a possible duplicate without a database round trip: "definitely new" skips the
// ledger lookup; "maybe seen" asks the ledger. Bounded: past its capacity it only answers
// "maybe", which costs lookups, never correctness.
//
// It grows with the ledger rather than being sized for the worst case: a chain of Bloom
// filters, each four times the one before, a new one begun when the last is full (a key
// may be in any of them). A filter sized up front for ten million keys was 12 MB of an
// idle agent's memory even when the ledger held a hundred.
export class KeyFilter {
  private readonly parts: BloomPart[] = [];
  private count = 0;
  readonly capacity: number;
  static readonly FIRST = 65_536;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.parts.push(new BloomPart(Math.min(capacity, KeyFilter.FIRST)));
  }

  add(key: string): void {
    let last = this.parts[this.parts.length - 1]!;
    if (last.size() >= last.capacity && this.count < this.capacity) {
      last = new BloomPart(Math.min(last.capacity * 4, this.capacity - this.count));
      this.parts.push(last);
    }
    last.add(key);
    this.count++;
  }

  mightContain(key: string): boolean {
    if (this.count > this.capacity) return true;
    for (const p of this.parts) if (p.mightContain(key)) return true;
    return false;
  }

  size(): number {
    return this.count;
  }

  // Bytes of bit arrays held (health reports it).
  bytes(): number {
    return this.parts.reduce((n, p) => n + p.bytes(), 0);
  }
}

class BloomPart {
  private readonly bits: Uint8Array;
  private readonly m: number;
  private readonly k = 7;
  private count = 0;
  readonly capacity: number;

  // ~10 bits a key gives about a 1% false-positive rate at capacity.
  constructor(capacity: number) {
    this.capacity = capacity;
    this.m = Math.max(1024, capacity * 10);
    this.bits = new Uint8Array(Math.ceil(this.m / 8));
  }

  private hashes(key: string): [number, number] {
    // FNV-1a and a second FNV variant over the UTF-16 code units: cheap, and double
    // hashing (h1 + i*h2) gives the k positions.
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    return [h1 >>> 0, (h2 | 1) >>> 0];
  }

  add(key: string): void {
    const [h1, h2] = this.hashes(key);
    for (let i = 0; i < this.k; i++) {
      const bit = (h1 + i * h2) % this.m;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
    this.count++;
  }

  mightContain(key: string): boolean {
    const [h1, h2] = this.hashes(key);
    for (let i = 0; i < this.k; i++) {
      const bit = (h1 + i * h2) % this.m;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  size(): number {
    return this.count;
  }

  bytes(): number {
    return this.bits.byteLength;
  }
}
