// The TWS socket protocol on the server side: the "API\0" handshake with version
// negotiation, then frames of a 4-byte big-endian length and NUL-terminated UTF-8 fields.
// Field order for each message follows what @stoqey/ib's decoder reads at the
// negotiated server version (agent/ib/layouts.ts; round-trip tests against the real
// client at every version where a layout changes prove it).
export const MIN_CLIENT_VERSION = 100;
// The lowest version the simulator speaks: the lowest @stoqey/ib offers (v100..193).
export const MIN_SERVER_VERSION = 100;
// The highest version @stoqey/ib 1.6 accepts (CME_TAGGING_FIELDS_IN_OPEN_ORDER).
export const MAX_SERVER_VERSION = 193;
export const MAX_FRAME = 0xffffff;
// One frame: every field as text followed by NUL; unset (null/undefined) is empty.
export function frame(fields) {
    const body = Buffer.from(fields.map((f) => (f === null || f === undefined ? '' : typeof f === 'boolean' ? (f ? '1' : '0') : String(f)) + '\0').join(''), 'utf8');
    if (body.length > MAX_FRAME)
        throw new Error(`frame of ${body.length} bytes exceeds ${MAX_FRAME}`);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(body.length);
    return Buffer.concat([head, body]);
}
// Splits a byte stream into frames' fields; keeps a partial frame for the next chunk.
export class FrameReader {
    buf = Buffer.alloc(0);
    push(chunk) {
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        const out = [];
        while (this.buf.length >= 4) {
            const len = this.buf.readUInt32BE(0);
            if (len > MAX_FRAME)
                throw new Error(`frame length ${len} exceeds ${MAX_FRAME}`);
            if (this.buf.length < 4 + len)
                break;
            const body = this.buf.subarray(4, 4 + len).toString('utf8');
            this.buf = this.buf.subarray(4 + len);
            const fields = body.split('\0');
            if (fields[fields.length - 1] === '')
                fields.pop();
            out.push(fields);
        }
        return out;
    }
    // The handshake: "API\0" then one frame holding "v<min>..<max>" (no trailing NUL).
    takeHandshake(chunk) {
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        if (this.buf.length < 8)
            return null;
        if (this.buf.subarray(0, 4).toString('latin1') !== 'API\0')
            throw new Error('client did not open with API\\0');
        const len = this.buf.readUInt32BE(4);
        if (this.buf.length < 8 + len)
            return null;
        const text = this.buf.subarray(8, 8 + len).toString('utf8');
        this.buf = this.buf.subarray(8 + len);
        const m = /^v(\d+)(?:\.\.(\d+))?/.exec(text);
        if (!m)
            throw new Error(`bad version string "${text}"`);
        return { min: Number(m[1]), max: Number(m[2] ?? m[1]) };
    }
}
// TWS's connection time: "yyyymmdd hh:mm:ss <zone>".
export function connectionTime(d = new Date()) {
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}
