// A Bloom filter of the idempotency keys the ledger holds, so the API can tell a new key
// from a possible duplicate without a database round trip: "definitely new" skips the
// ledger lookup; "maybe seen" asks the ledger. Bounded: past its capacity it only answers
// "maybe", which costs lookups, never correctness.
export class KeyFilter {
    bits;
    m;
    k = 7;
    count = 0;
    capacity;
    // ~10 bits a key gives about a 1% false-positive rate at capacity.
    constructor(capacity) {
        this.capacity = capacity;
        this.m = Math.max(1024, capacity * 10);
        this.bits = new Uint8Array(Math.ceil(this.m / 8));
    }
    hashes(key) {
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
    add(key) {
        const [h1, h2] = this.hashes(key);
        for (let i = 0; i < this.k; i++) {
            const bit = (h1 + i * h2) % this.m;
            this.bits[bit >>> 3] |= 1 << (bit & 7);
        }
        this.count++;
    }
    mightContain(key) {
        if (this.count > this.capacity)
            return true;
        const [h1, h2] = this.hashes(key);
        for (let i = 0; i < this.k; i++) {
            const bit = (h1 + i * h2) % this.m;
            if ((this.bits[bit >>> 3] & (1 << (bit & 7))) === 0)
                return false;
        }
        return true;
    }
    size() {
        return this.count;
    }
}
