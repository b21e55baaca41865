// The canonical bytes of a ledger row and its hash, computed independently of the SQL in
// db/functions/010_ledger_format.sql. docs/ledger-format.md is the specification both
// follow; test vectors there are checked against this code and against the database.
import { createHash } from 'node:crypto';
export const FORMAT_VERSION = 1;
export const GENESIS_HASH = Buffer.alloc(32);
// Microseconds from the Unix epoch to 2000-01-01 00:00:00 UTC, PostgreSQL's epoch.
export const PG_EPOCH_US = 946684800000000n;
// PostgreSQL's quote_nullable(): NULL, or a quoted literal with ' and \ doubled and an E in
// front when the value holds a backslash.
export function quoteNullable(v) {
    if (v === null)
        return 'NULL';
    const body = v.replace(/'/g, "''");
    return v.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}
export function canonicalBytes(r) {
    const head = Buffer.allocUnsafe(25);
    head[0] = FORMAT_VERSION;
    head.writeBigInt64BE(r.streamSeq, 1);
    head.writeBigInt64BE(r.recordedAtUs - PG_EPOCH_US, 9);
    head.writeBigInt64BE(r.occurredAtUs - PG_EPOCH_US, 17);
    const text = quoteNullable(r.stream) + ',' + quoteNullable(r.source) + ',' + quoteNullable(r.eventType) + ',' +
        quoteNullable(r.entityType) + ',' + quoteNullable(r.entityId) + ',' + quoteNullable(r.account) + ',' +
        quoteNullable(r.actor) + ',' + quoteNullable(r.sessionId) + ',' + quoteNullable(r.idempotencyKey) + ',' +
        r.payload;
    return Buffer.concat([head, Buffer.from(text, 'utf8')]);
}
export function rowHash(prevHash, r) {
    return createHash('sha256').update(prevHash).update(canonicalBytes(r)).digest();
}
