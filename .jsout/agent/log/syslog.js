// Optional syslog sink: RFC 5424 over UDP, one datagram per line, fire and forget.
import dgram from 'node:dgram';
import os from 'node:os';
import { Writable } from 'node:stream';
const SEVERITY = { trace: 7, debug: 7, info: 6, warn: 4, error: 3, fatal: 2 };
export class SyslogStream extends Writable {
    socket = dgram.createSocket('udp4');
    host;
    port;
    constructor(host, port) {
        super();
        this.host = host;
        this.port = port;
        this.socket.unref();
        this.socket.on('error', () => { });
    }
    _write(chunk, _enc, cb) {
        let sev = 6;
        try {
            sev = SEVERITY[JSON.parse(chunk.toString()).level] ?? 6;
        }
        catch {
            // Not JSON: send it as it is, at info.
        }
        const msg = `<${16 * 8 + sev}>1 ${new Date().toISOString()} ${os.hostname()} blotter ${process.pid} - - ${chunk.toString().trimEnd()}`;
        this.socket.send(msg, this.port, this.host, () => cb());
    }
    close() {
        return new Promise((resolve) => this.socket.close(() => resolve()));
    }
}
