// `blotter append`: NDJSON through COPY. Counts appended and duplicates; a bad line is
// reported with its line number and field and nothing from the file lands, unless
// --skip-invalid; numbers and text arrive exactly as written. The bot's events follow the
// same vocabulary as the API (a quantity of "lots" is refused), `source` defaults to bot,
// and the relay's own types (source ib) follow the envelope rules.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { BIN, eventLine, runCli, testDb } from "./helpers/db.js";
const { url, sql } = await testDb(t);
const env = { DATABASE_URL: url };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-append-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
function file(name, lines) {
    const p = path.join(dir, name);
    fs.writeFileSync(p, lines.join('\n') + '\n');
    return p;
}
const count = async () => (await sql `select count(*)::int as n from ledger.events`)[0].n;
t.test('a good file lands; a replay lands nothing and says so', async (t) => {
    const f = file('good.ndjson', [
        // Written by hand: JSON.stringify would already have rounded these numbers.
        // No `source`: bot, as the API assumes.
        '{"occurred_at":"2026-11-26T14:30:00.123456+01:00","event_type":"signal","idempotency_key":"g1","stream":"cli",' +
            '"payload":{"signal_id":"s1","strategy":"x","features":{"px":123.456789012345678901,"qty":0.0001,"big":12345678901234567890}}}',
        eventLine({ idempotency_key: 'g2', stream: 'cli', payload: { signal_id: 's2', strategy: 'tab\there, "quoted", back\\slash, newline\nend' } }),
        '',
        eventLine({ idempotency_key: 'g1', stream: 'cli' }),
        eventLine({ source: 'ib', event_type: 'ib_execution', account: 'DU1', entity_type: 'order', entity_id: '42', actor: 'bot', session_id: 's1', payload: {} }),
    ]);
    const r = await runCli(['append', f], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /appended 3, duplicates 1/);
    const again = await runCli(['append', f, '--json'], { env });
    t.same(JSON.parse(again.stdout), { lines: 5, appended: 1, duplicates: 3, invalid: [], invalidCount: 0, written: true }, 'only the keyless line lands again');
    const [row] = await sql `select (payload->'features')::text as p, source from ledger.events where idempotency_key = 'g1'`;
    t.equal(row.p, '{"px": 123.456789012345678901, "big": 12345678901234567890, "qty": 0.0001}', 'numbers exact');
    t.equal(row.source, 'bot', 'source defaults to bot');
    const [ts] = await sql `select (extract(epoch from occurred_at) * 1000000)::bigint::text as us from ledger.events where idempotency_key = 'g1'`;
    t.equal(ts.us, String(Date.UTC(2026, 10, 26, 13, 30) / 1000 * 1000000 + 123456), 'occurred_at exact to the microsecond, offset applied');
    const [row2] = await sql `select payload->>'strategy' as x from ledger.events where idempotency_key = 'g2'`;
    t.equal(row2.x, 'tab\there, "quoted", back\\slash, newline\nend', 'text exact through COPY escaping');
    const [ib] = await sql `select stream, account, entity_type, entity_id, actor, session_id from ledger.events where source = 'ib' limit 1`;
    t.same(ib, { stream: 'ib', account: 'DU1', entity_type: 'order', entity_id: '42', actor: 'bot', session_id: 's1' }, 'stream defaults to the source');
});
t.test('a bad line refuses the whole file, naming line and field', async (t) => {
    const before = await count();
    const f = file('bad.ndjson', [
        eventLine({ idempotency_key: 'b1' }),
        eventLine({ occurred_at: '2026-11-26T14:30:00' }),
        '{"not json',
        eventLine({ colour: 'red' }),
        eventLine({ source: 'broker' }),
        eventLine({ event_type: 'Bad-Type' }),
        eventLine({ payload: [1, 2] }),
        eventLine({ occurred_at: '2026-02-30T10:00:00Z' }),
        eventLine({ account: '' }),
        eventLine({ payload: { signal_id: 'x', strategy: 'y', features: { x: 'nul\u0000' } } }),
        '[1]',
        eventLine({ event_type: 'order_submitted', account: 'DU1', payload: {
                client_order_id: 'c1', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD' }, side: 'BUY', quantity: 'lots', order_type: 'MKT', tif: 'DAY',
            } }),
        eventLine({ payload: { signal_id: 'x', strategy: 'lone \ud800 surrogate' } }),
        eventLine({ source: 'ib', event_type: 'ib_execution', payload: { note: 'lone \udc00' } }),
        eventLine({ event_type: 'signal_fired' }),
    ]);
    const r = await runCli(['append', f], { env });
    t.equal(r.code, 1);
    t.match(r.stdout, /refused: 14 invalid lines, nothing appended/);
    t.match(r.stderr, /line 2: occurred_at: "2026-11-26T14:30:00" is not an RFC 3339 timestamp with an offset/);
    t.match(r.stderr, /line 3: \(json\): /);
    t.match(r.stderr, /line 4: colour: is not a known field/);
    t.match(r.stderr, /line 5: source: must be bot, user or system/);
    t.match(r.stderr, /line 6: event_type: must be one of order_submitted/);
    t.match(r.stderr, /line 7: payload: must be an object/);
    t.match(r.stderr, /line 8: occurred_at: "2026-02-30T10:00:00Z" is not a valid date and time/);
    t.match(r.stderr, /line 9: account: must be a non-empty string/);
    t.match(r.stderr, /line 10: payload.features.x: must not contain NUL/);
    t.match(r.stderr, /line 11: \(event\): must be a JSON object/);
    t.match(r.stderr, /line 12: payload.quantity: "lots" is not a plain decimal/, 'the bot\'s vocabulary, as in the API');
    t.match(r.stderr, /line 13: payload.strategy: must not contain unpaired UTF-16 surrogates/);
    t.match(r.stderr, /line 14: payload.note: must not contain unpaired UTF-16 surrogates/, 'relay types too');
    t.match(r.stderr, /line 15: event_type: must be one of/, 'a bot event of a type outside the vocabulary');
    t.equal(await count(), before, 'nothing written');
    t.equal((await sql `select count(*)::int as n from ledger.idempotency_keys where idempotency_key = 'b1'`)[0].n, 0, 'no key taken either');
    const skip = await runCli(['append', f, '--skip-invalid', '--json'], { env });
    t.equal(skip.code, 0);
    const out = JSON.parse(skip.stdout);
    const reason = '"2026-11-26T14:30:00" is not an RFC 3339 timestamp with an offset (e.g. 2026-11-26T14:30:00.123456Z)';
    t.same([out.appended, out.invalidCount, out.invalid[0]], [1, 14, { line: 2, field: 'occurred_at', reason, problems: [{ field: 'occurred_at', reason }] }]);
    t.equal(await count(), before + 1, 'with --skip-invalid the good line lands');
});
t.test('standard input, usage errors, missing file, no database', async (t) => {
    const r = await runCli(['append', '-'], { env, input: eventLine({ idempotency_key: 'stdin-1' }) + '\n', entry: BIN });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /appended 1, duplicates 0/);
    t.match((await runCli(['--help'], { entry: BIN })).stdout, /usage: blotter <command>/);
    const usage = await runCli(['append'], { env });
    t.equal(usage.code, 2);
    t.match(usage.stderr, /append needs exactly one FILE/);
    const missing = await runCli(['append', path.join(dir, 'nope.ndjson')], { env });
    t.equal(missing.code, 2);
    t.match(missing.stderr, /nope\.ndjson: no such file \[INPUT_MISSING\]/);
    const down = await runCli(['append', '-'], { env: { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none' }, input: eventLine({}) });
    t.equal(down.code, 2, 'connection refused is exit 2');
    t.match(down.stderr, /blotter append: .*ECONNREFUSED/);
    t.notMatch(down.stderr, /:y@/, 'the password is not echoed');
});
t.test('a large file streams through in one transaction', async (t) => {
    const n = 20000;
    const lines = Array.from({ length: n }, (_, i) => eventLine({ stream: `bulk-${i % 3}`, idempotency_key: `bulk-${i}`, payload: { signal_id: `b${i}`, strategy: 'bulk' } }));
    const f = file('bulk.ndjson', lines);
    const r = await runCli(['append', f, '--json'], { env });
    t.equal(r.code, 0, r.stderr);
    t.equal(JSON.parse(r.stdout).appended, n);
    const rows = await sql `select stream, max(stream_seq)::int as m from ledger.events where stream like 'bulk-%' group by stream order by 1`;
    t.same(rows.map((x) => x.m), [6667, 6667, 6666]);
    const v = await runCli(['verify', '--json'], { env });
    t.equal(JSON.parse(v.stdout).ok, true);
});
t.test('every problem of a line is listed, each with its field', async (t) => {
    const f = file('many.ndjson', [eventLine({ event_type: 'order_submitted', account: 'DU1', payload: {
                client_order_id: 'c1', contract: { symbol: 'AAPL', sec_type: 'BOND?', currency: 'usd' }, side: 'HOLD', quantity: '-5', order_type: 'LMT', tif: 'DAY', colour: 1,
            } })]);
    const r = await runCli(['append', f, '--json'], { env });
    t.equal(r.code, 1);
    const fields = JSON.parse(r.stdout).invalid[0].problems.map((p) => p.field);
    t.same(fields.sort(), ['payload.colour', 'payload.contract.currency', 'payload.contract.sec_type', 'payload.quantity', 'payload.side'].sort());
});
