// global/pg_control read from a running server. The server rewrites it in place (one
// write() of 8 kB at every checkpoint), so a copy may catch half an old and half a new
// version: a torn pg_control, which the restored server refuses ("incorrect checksum in
// control file"). pg_basebackup avoids it by sending the server's in-memory copy;
// pgBackRest re-reads until the checksum holds. We do the latter, a bounded number of
// times.
import fs from 'node:fs';
import { BlotterError } from "../errors.js";
// CRC-32C (Castagnoli), reflected, as PostgreSQL computes it (pg_crc32c.h).
const TABLE = (() => {
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
        let c = i;
        for (let k = 0; k < 8; k++)
            c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
        t[i] = c >>> 0;
    }
    return t;
})();
export function crc32c(buf) {
    let c = 0xffffffff;
    for (const b of buf)
        c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}
// The CRC is stored right after the fields it covers, and where that is differs between
// PostgreSQL versions (fields were added in 17 and 18): a valid file has, at some 4-byte
// boundary within the first 512 bytes (PG_CONTROL_MAX_SAFE_SIZE), the CRC of everything
// before it. A torn file has none, but for a chance of 2^-32 per position.
export function controlFileIntact(buf) {
    for (let off = 16; off + 4 <= Math.min(buf.length, 512); off += 4) {
        if (crc32c(buf.subarray(0, off)) === buf.readUInt32LE(off))
            return true;
    }
    return false;
}
// The bytes of pg_control, read until they hold together, at most `attempts` times.
export async function readControlFile(file, opts) {
    for (let i = 1;; i++) {
        const buf = fs.readFileSync(file);
        if (controlFileIntact(buf))
            return buf;
        if (i >= opts.attempts) {
            throw new BlotterError('BACKUP_CONTROL_TORN', `${file}: no intact copy in ${opts.attempts} reads (its checksum never matched); the server may be checkpointing without pause, try again`);
        }
        await new Promise((r) => setTimeout(r, opts.waitMs));
    }
}
