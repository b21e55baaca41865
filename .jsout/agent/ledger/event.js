// An event as a writer hands it to the ledger, and its validation. One rule set for every
// way in (NDJSON files, and later the HTTP API), so a refusal reads the same everywhere.
import { parseExact, stringifyExact } from "./json.js";
import { checkStorable, maybeUnstorable, Problems, unstorable } from "./storable.js";
export const SOURCES = ['ib', 'bot', 'flex', 'system', 'user'];
const OPTIONAL_TEXT = {
    entity_type: 'entityType',
    entity_id: 'entityId',
    account: 'account',
    actor: 'actor',
    session_id: 'sessionId',
    idempotency_key: 'idempotencyKey',
};
const KNOWN = new Set(['stream', 'occurred_at', 'source', 'event_type', 'payload', ...Object.keys(OPTIONAL_TEXT)]);
const MAX_TEXT_BYTES = 1000;
const MAX_STREAM_BYTES = 200;
const EVENT_TYPE = /^[a-z][a-z0-9_]{0,62}$/;
// RFC 3339 with a mandatory offset; fractions up to microseconds (what timestamptz keeps).
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})$/i;
// The first problem is `field` and `reason`; `problems` lists every one found (bounded).
export class EventValidationError extends Error {
    field;
    reason;
    problems;
    constructor(field, reason, problems) {
        super(`${field}: ${reason}`);
        this.field = field;
        this.reason = reason;
        this.problems = problems && problems.length ? problems : [{ field, reason }];
    }
    static of(problems) {
        return new EventValidationError(problems[0].field, problems[0].reason, problems);
    }
}
function text(obj, field, opts) {
    const v = obj[field];
    if (v === undefined || v === null) {
        if (opts.required)
            throw new EventValidationError(field, 'is required');
        return null;
    }
    if (typeof v !== 'string')
        throw new EventValidationError(field, `must be a string, got ${v === null ? 'null' : typeof v}`);
    if (v === '')
        throw new EventValidationError(field, 'must not be empty (omit it or use null)');
    const why = unstorable(v);
    if (why)
        throw new EventValidationError(field, why);
    if (Buffer.byteLength(v) > opts.maxBytes)
        throw new EventValidationError(field, `is longer than ${opts.maxBytes} bytes`);
    return v;
}
export function checkTimestamp(field, v) {
    if (typeof v !== 'string')
        throw new EventValidationError(field, 'must be an RFC 3339 timestamp string with an offset');
    const m = TIMESTAMP.exec(v);
    if (!m)
        throw new EventValidationError(field, `"${v}" is not an RFC 3339 timestamp with an offset (e.g. 2026-11-26T14:30:00.123456Z)`);
    const y = +m[1], mo = +m[2], d = +m[3], h = +m[4], mi = +m[5], s = +m[6];
    // PostgreSQL refuses an offset of 16 hours or more, or with 60 minutes or more.
    const off = /^[+-](\d{2}):?(\d{2})$/.exec(m[8]);
    if (off && (+off[1] > 15 || +off[2] > 59))
        throw new EventValidationError(field, `"${v}" has an offset outside ±15:59`);
    const days = mo === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
    if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59 || y < 1970 || y > 9999) {
        throw new EventValidationError(field, `"${v}" is not a valid date and time`);
    }
    return v;
}
// Validate one decoded JSON value; throws EventValidationError naming the field.
export function toLedgerEvent(value) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new EventValidationError('(event)', 'must be a JSON object');
    }
    const obj = value;
    for (const key of Object.keys(obj)) {
        if (!KNOWN.has(key))
            throw new EventValidationError(key, 'is not a known field');
    }
    const source = obj.source;
    if (typeof source !== 'string' || !SOURCES.includes(source)) {
        throw new EventValidationError('source', `must be one of ${SOURCES.join(', ')}`);
    }
    const eventType = obj.event_type;
    if (typeof eventType !== 'string' || !EVENT_TYPE.test(eventType)) {
        throw new EventValidationError('event_type', 'must be snake_case: a lower-case letter, then letters, digits or _ (at most 63)');
    }
    const occurredAt = checkTimestamp('occurred_at', obj.occurred_at);
    const payload = obj.payload;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
        throw new EventValidationError('payload', 'must be a JSON object');
    }
    const payloadText = stringifyExact(payload);
    if (maybeUnstorable(payloadText)) {
        const p = new Problems();
        checkStorable('payload', payload, p);
        if (p.list.length)
            throw EventValidationError.of(p.list);
    }
    const stream = text(obj, 'stream', { required: false, maxBytes: MAX_STREAM_BYTES }) ?? source;
    const ev = {
        stream,
        occurredAt,
        source: source,
        eventType,
        entityType: null,
        entityId: null,
        account: null,
        actor: null,
        sessionId: null,
        idempotencyKey: null,
        payload: payloadText,
    };
    for (const [field, prop] of Object.entries(OPTIONAL_TEXT)) {
        ev[prop] = text(obj, field, { required: false, maxBytes: MAX_TEXT_BYTES });
    }
    return ev;
}
// One NDJSON line to an event; errors carry the field, the caller adds the line number.
export function parseEventLine(line) {
    let value;
    try {
        value = parseExact(line);
    }
    catch (err) {
        throw new EventValidationError('(json)', err.message);
    }
    return toLedgerEvent(value);
}
