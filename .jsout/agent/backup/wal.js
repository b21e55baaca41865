// WAL segment names: TTTTTTTTXXXXXXXXYYYYYYYY, the timeline then the segment number split
// in two (XLogFileName in xlog_internal.h), all hex.
import { BlotterError } from "../errors.js";
const NAME = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;
function parse(name, segmentBytes) {
    const m = NAME.exec(name);
    if (!m)
        throw new BlotterError('BACKUP_WAL_NAME', `"${name}" is not a WAL segment name`);
    const perId = 0x100000000n / BigInt(segmentBytes);
    return { tli: parseInt(m[1], 16), segno: BigInt(`0x${m[2]}`) * perId + BigInt(`0x${m[3]}`) };
}
function format(tli, segno, segmentBytes) {
    const perId = 0x100000000n / BigInt(segmentBytes);
    const hex = (n) => n.toString(16).toUpperCase().padStart(8, '0');
    return hex(tli) + hex(segno / perId) + hex(segno % perId);
}
// Every segment from first to last, both included, on one timeline. The limit catches a
// nonsense range (a wrong segment size) before it lists a billion names.
export function segmentRange(first, last, segmentBytes, limit = 1_000_000) {
    const a = parse(first, segmentBytes);
    const b = parse(last, segmentBytes);
    if (a.tli !== b.tli)
        throw new BlotterError('BACKUP_TIMELINE', `the timeline changed during the backup (${first} to ${last}); take it again`);
    if (b.segno < a.segno || b.segno - a.segno >= BigInt(limit)) {
        throw new BlotterError('BACKUP_WAL_RANGE', `WAL from ${first} to ${last} is not a range of at most ${limit} segments`);
    }
    const out = [];
    for (let s = a.segno; s <= b.segno; s++)
        out.push(format(a.tli, s, segmentBytes));
    return out;
}
