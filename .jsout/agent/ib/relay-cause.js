// Why a connection changed state, in the words an operator searches logs with: host,
// port and clientId, IB's or the client library's code, the socket's errno, the message.
// @stoqey/ib reports socket failures as code 502 with the Node error's message only (its
// errno is lost), so the errno is taken back out of the message.
const REASONS = { 502: 'socket_error', 503: 'server_too_old', 504: 'not_connected', 506: 'unsupported_server_version' };
export function socketCause(code, message) {
    const errno = /\b(E[A-Z]{3,})\b/.exec(message)?.[1] ?? null;
    return { reason: REASONS[code] ?? 'client_error', code, errno, message };
}
// "ib relay: reconnecting to 127.0.0.1:4002 as clientId 0 in 812 ms (socket_error 502 ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:4002)"
// "ib relay: connecting to 127.0.0.1:4002 as clientId 0, attempt 3, after (socket_error 502 ECONNREFUSED: ...)"
export function describe(state, f) {
    const peer = `${String(f.host)}:${String(f.port)} as clientId ${String(f.client_id)}`;
    const why = (c) => {
        if (!c || (c.code == null && !c.errno && !c.message))
            return '';
        const head = [c.reason, c.code, c.errno].filter((x) => x !== null && x !== undefined && x !== '').join(' ');
        return `(${head}${head && c.message ? ': ' : ''}${c.message ?? ''})`;
    };
    const parts = [`ib relay: ${state} ${state === 'connecting' || state === 'reconnecting' ? 'to' : 'at'} ${peer}`];
    if (typeof f.in_ms === 'number')
        parts.push(`in ${f.in_ms} ms`);
    if (typeof f.server_version === 'number' && state === 'connected')
        parts.push(`(server version ${f.server_version})`);
    if (f.after)
        parts.push(`, attempt ${String(f.attempt)}, after ${why(f.after)}`);
    else if (why(f))
        parts.push(why(f));
    return parts.join(' ').replace(' ,', ',');
}
