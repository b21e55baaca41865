// Validation of one event as a writer hands it over: every refusal names its field, and
// numbers survive from text to the payload without float rounding. No database needed.
import t from 'tap';
import { EventValidationError, parseEventLine, toLedgerEvent } from "../agent/ledger/event.js";
import { isRaw, parseExact, raw, stringifyExact } from "../agent/ledger/json.js";
const base = { occurred_at: '2026-11-26T14:30:00Z', source: 'bot', event_type: 'order_submitted', payload: {} };
function refusal(v) {
    try {
        toLedgerEvent(v);
    }
    catch (err) {
        if (err instanceof EventValidationError)
            return { field: err.field, message: err.message };
        throw err;
    }
    throw new Error('accepted');
}
t.test('defaults and normalisation', async (t) => {
    const e = toLedgerEvent(base);
    t.same(e, {
        stream: 'bot', occurredAt: '2026-11-26T14:30:00Z', source: 'bot', eventType: 'order_submitted', entityType: null,
        entityId: null, account: null, actor: null, sessionId: null, idempotencyKey: null, payload: '{}',
    });
    t.equal(toLedgerEvent({ ...base, stream: null }).stream, 'bot', 'null stream means the default');
    t.equal(toLedgerEvent({ ...base, occurred_at: '2026-11-26 14:30:00.123456+05:30' }).occurredAt, '2026-11-26 14:30:00.123456+05:30');
});
t.test('every refusal names its field', async (t) => {
    const cases = [
        [{ ...base, source: 'tws' }, 'source', /must be one of/],
        [{ ...base, source: undefined }, 'source', /must be one of/],
        [{ ...base, event_type: '9lives' }, 'event_type', /snake_case/],
        [{ ...base, event_type: 'a'.repeat(64) }, 'event_type', /at most 63/],
        [{ ...base, occurred_at: 1764167400 }, 'occurred_at', /RFC 3339/],
        [{ ...base, occurred_at: '2026-11-26T24:00:00Z' }, 'occurred_at', /not a valid date/],
        [{ ...base, occurred_at: '2026-11-26T14:30:00.1234567Z' }, 'occurred_at', /RFC 3339/],
        [{ ...base, payload: null }, 'payload', /JSON object/],
        [{ ...base, payload: 'text' }, 'payload', /JSON object/],
        [{ ...base, account: 42 }, 'account', /must be a string, got number/],
        [{ ...base, entity_id: 'x'.repeat(1001) }, 'entity_id', /longer than 1000 bytes/],
        [{ ...base, stream: 's'.repeat(201) }, 'stream', /longer than 200 bytes/],
        [{ ...base, idempotency_key: 'a\u0000b' }, 'idempotency_key', /NUL/],
        [{ ...base, extra: 1 }, 'extra', /not a known field/],
    ];
    for (const [input, field, message] of cases) {
        const r = refusal(input);
        t.equal(r.field, field, `${field} named`);
        t.match(r.message, message);
    }
    t.equal(refusal([base]).field, '(event)');
    t.throws(() => parseEventLine('{"a":'), { name: 'Error', message: /^\(json\): / });
});
t.test('numbers keep their text', async (t) => {
    const v = parseExact('{"a": 0.1, "b": [1e400, -0.0000000001, 12345678901234567890123], "c": {"d": 2.50}}');
    t.equal(stringifyExact(v), '{"a":0.1,"b":[1e400,-0.0000000001,12345678901234567890123],"c":{"d":2.50}}');
    t.ok(isRaw(v.a));
    t.equal(stringifyExact({ u: undefined, n: null, s: 'x"y', arr: [undefined] }), '{"n":null,"s":"x\\"y","arr":[null]}');
    t.equal(stringifyExact(undefined), 'null');
    t.equal(JSON.stringify({ n: raw('1.10') }), '{"n":1.10}', 'plain JSON.stringify keeps the text too');
});
t.test('the fast path: plain JSON.parse only when no number could change', async (t) => {
    const plain = parseExact('{"t":"2026-11-26T14:30:00.000001Z","n":265598,"s":"187.25","a":[1,2]}');
    t.equal(plain.n, 265598, 'safe integers as numbers');
    t.notOk(isRaw(plain.n));
    for (const text of ['{"p":1.50}', '{"p": 2e3}', '[1, 0.1]', '{"n":12345678901234567}', '{"x":"quote\\":1.5"}']) {
        const v = parseExact(text);
        t.equal(stringifyExact(v).replace(/\s/g, ''), text.replace(/\s/g, ''), `${text} kept exactly`);
    }
});
t.test('the known-key filter has no false negatives and few false positives', async (t) => {
    const { KeyFilter } = await import("../agent/ingest/bloom.js");
    const f = new KeyFilter(10_000);
    for (let i = 0; i < 10_000; i++)
        f.add(`key:${i}`);
    let missing = 0;
    for (let i = 0; i < 10_000; i++)
        if (!f.mightContain(`key:${i}`))
            missing++;
    t.equal(missing, 0, 'every added key is "maybe"');
    let fp = 0;
    for (let i = 0; i < 10_000; i++)
        if (f.mightContain(`other:${i}`))
            fp++;
    t.ok(fp < 300, `false positives ${fp} of 10000`);
    for (let i = 0; i < 10; i++)
        f.add(`more:${i}`);
    t.ok(f.mightContain('never-added'), 'over capacity it always says maybe');
    t.equal(f.size(), 10_010);
});
