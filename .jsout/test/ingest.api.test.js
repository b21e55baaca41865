// The HTTP API: bearer token on every route, per-item answers, 400/413/415 that say what
// is wrong and write nothing, an idempotent retry that is a `duplicate` and writes nothing,
// typed views over what landed, health and Prometheus metrics, bot logs and metrics. A key
// reused for a different event is a `conflict`; every problem of an item is listed; text
// PostgreSQL cannot store is refused at the door; secrets in the bot's log lines are redacted.
import t from 'tap';
import { testDb } from "./helpers/db.js";
import { get, inProcessAgent, order, post, until } from "./helpers/agent.js";
const { url, sql } = await testDb(t);
const agent = await inProcessAgent(t, url, { BLOTTER_INGEST_MAX_BODY: '64KB', BLOTTER_INGEST_MAX_ITEMS_PER_REQUEST: '50' });
const port = agent.port;
const count = async () => (await sql `select count(*)::int as n from ledger.events`)[0].n;
t.test('401 without the token, or with a wrong one, on every route', async (t) => {
    for (const route of ['/v1/health', '/metrics']) {
        t.equal((await get(port, route, null)).status, 401, route);
        t.equal((await get(port, route, 'nope')).status, 401, `${route} wrong token`);
    }
    const r = await post(port, '/v1/events', [order(1)], { token: null });
    t.equal(r.status, 401);
    t.match(r.body.error, /bearer token/);
    t.equal(r.headers.get('www-authenticate'), 'Bearer');
    t.equal(await count(), 0, 'nothing written');
});
t.test('per-item answers: accepted, duplicate, rejected with field and reason', async (t) => {
    const r = await post(port, '/v1/events', [order(1), order(2), order(1), { ...order(3), payload: { ...order(3).payload, side: 'HOLD' } }]);
    t.equal(r.status, 202);
    t.same([r.body.accepted, r.body.duplicate, r.body.rejected], [2, 1, 1]);
    t.same(r.body.items[2], { index: 2, status: 'duplicate', idempotency_key: 'order-1' });
    t.same(r.body.items[3], { index: 3, status: 'rejected', field: 'payload.side', reason: 'must be one of BUY, SELL', problems: [{ field: 'payload.side', reason: 'must be one of BUY, SELL' }] });
    await until(async () => (await count()) === 2);
    const rows = await sql `select client_order_id, quantity::text, limit_price::text, symbol, con_id from ledger.orders order by client_order_id`;
    t.same(rows.map((x) => [x.client_order_id, x.quantity, x.limit_price, x.symbol, x.con_id]), [['1', '100', '187.25', 'AAPL', '265598'], ['2', '100', '187.25', 'AAPL', '265598']]);
});
t.test('an idempotent retry is a duplicate and writes nothing', async (t) => {
    const before = await count();
    const r = await post(port, '/v1/events', [order(1), order(2)]);
    t.equal(r.status, 200, 'nothing new: 200, not 202');
    t.same(r.body.items.map((i) => i.status), ['duplicate', 'duplicate']);
    // A key the agent never saw in memory is found in the ledger itself.
    const restarted = await inProcessAgent(t, url);
    const r2 = await post(restarted.port, '/v1/events', [order(1)]);
    t.same(r2.body.items[0].status, 'duplicate', 'known to the ledger (looked up while the key filter loads)');
    // Once the filter of known keys is loaded, it sends the key to the ledger lookup too.
    await new Promise((res) => setTimeout(res, 500));
    const r3 = await post(restarted.port, '/v1/events', [order(2), order(999)]);
    t.same(r3.body.items.map((i) => i.status), ['duplicate', 'accepted'], 'known to the filter, and a new key');
    await until(async () => (await count()) === before + 1);
    await new Promise((res) => setTimeout(res, 200));
    t.equal(await count(), before + 1, 'only the new key was written');
});
t.test('NDJSON, and malformed bodies are a 400 that says where', async (t) => {
    const nd = [JSON.stringify(order(10)), JSON.stringify(order(11))].join('\n') + '\n';
    const ok = await post(port, '/v1/events', null, { type: 'application/x-ndjson', raw: nd });
    t.equal(ok.status, 202);
    t.equal(ok.body.accepted, 2);
    const bad = await post(port, '/v1/events', null, { type: 'application/x-ndjson', raw: `${JSON.stringify(order(12))}\n{"event_type": oops}\n` });
    t.equal(bad.status, 400);
    t.match(bad.body.error, /^line 2: /);
    const badJson = await post(port, '/v1/events', null, { raw: '[{"a": 1},' });
    t.equal(badJson.status, 400);
    t.match(badJson.body.error, /body is not valid JSON/);
    const scalar = await post(port, '/v1/events', 13);
    t.equal(scalar.status, 400);
    t.match(scalar.body.error, /must be a JSON object \(one item\), an array of items/);
    const one = await post(port, '/v1/events', order(1300));
    t.equal(one.status, 202, 'a single object is one item');
    t.equal(one.body.accepted, 1);
    const wrongType = await post(port, '/v1/events', [order(14)], { type: 'text/plain' });
    t.equal(wrongType.status, 415);
    await new Promise((res) => setTimeout(res, 200));
    t.equal((await sql `select count(*)::int as n from ledger.orders where client_order_id in ('12', '13', '14')`)[0].n, 0, 'nothing from refused bodies');
    await until(async () => (await sql `select count(*)::int as n from ledger.orders where client_order_id = '1300'`)[0].n === 1);
});
t.test('413 for an oversized body or too many items', async (t) => {
    const big = await post(port, '/v1/events', [{ ...order(20), payload: { ...order(20).payload, notes: 'x'.repeat(70_000) } }]);
    t.equal(big.status, 413);
    t.match(big.body.error, /exceeds the limit of 65536/);
    const many = await post(port, '/v1/events', Array.from({ length: 51 }, (_, i) => order(100 + i)));
    t.equal(many.status, 413);
    t.match(many.body.error, /51 items exceed the limit of 50/);
    await new Promise((res) => setTimeout(res, 100));
    t.equal((await sql `select count(*)::int as n from ledger.orders where client_order_id::int between 20 and 150`)[0].n, 0);
});
t.test('events without a key get one from the agent; views type the payload', async (t) => {
    const r = await post(port, '/v1/events', [
        { event_type: 'execution', occurred_at: '2026-11-26T14:31:00Z', account: 'DU1234567', payload: { exec_id: 'e1.01', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD' }, side: 'BUY', quantity: '0.0001', price: 123.456789 } },
        { event_type: 'account_snapshot', occurred_at: '2026-11-26T14:32:00Z', account: 'DU1234567', payload: { base_currency: 'USD', net_liquidation: '100000.01', cash: [{ currency: 'USD', amount: '5000.25' }, { currency: 'EUR', amount: '-10.5' }] } },
    ]);
    t.equal(r.status, 202);
    t.match(r.body.items[0].idempotency_key, /^spool:[0-9a-f-]{36}:\d+$/);
    await until(async () => (await sql `select count(*)::int as n from ledger.cash_balances`)[0].n === 2);
    const [e] = await sql `select quantity::text, price::text, pg_typeof(price)::text as t from ledger.executions`;
    t.same(e, { quantity: '0.0001', price: '123.456789', t: 'numeric' });
    const cash = await sql `select currency, amount::text from ledger.cash_balances order by item_no`;
    t.same(cash.map((c) => [c.currency, c.amount]), [['USD', '5000.25'], ['EUR', '-10.5']]);
    const [doc] = await sql `select obj_description('ledger.executions'::regclass) as d, col_description('ledger.executions'::regclass, 16) as c`;
    t.match(doc.d, /Fills/);
    t.ok(doc.c, 'columns are commented');
});
t.test('health and metrics', async (t) => {
    const h = await get(port, '/v1/health');
    t.equal(h.status, 200);
    const body = JSON.parse(h.text);
    t.equal(body.status, 'ok');
    t.equal(body.database.reachable, true);
    t.type(body.spool.bytes, 'number');
    t.type(body.writer.lag_ms, 'number');
    t.equal(body.ready, true, 'ready to take events');
    t.equal((await get(port, '/v1/health?ready')).status, 200, '?ready answers 200 when ready');
    const m = await get(port, '/metrics');
    t.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    t.match(m.text, /# TYPE blotter_ingest_events_total counter/);
    t.match(m.text, /blotter_ingest_events_total\{result="accepted"\} \d+/);
    t.match(m.text, /blotter_writer_events_total \d+/);
    t.match(m.text, /blotter_spool_bytes \d+/);
    t.match(m.text, /blotter_log_db_spilled_total \d+/);
});
// Every line of the text format (0.0.4): HELP, TYPE, or a sample of a declared family.
function parseExposition(text) {
    const types = new Map();
    const samples = [];
    const family = (name) => types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    for (const line of text.split('\n')) {
        if (line === '' || line.startsWith('# HELP '))
            continue;
        const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
        if (type) {
            if (types.has(type[1]))
                throw new Error(`TYPE twice for ${type[1]}`);
            types.set(type[1], type[2]);
            continue;
        }
        const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf|Nan)$/.exec(line);
        if (!s)
            throw new Error(`not Prometheus text format: ${line}`);
        if (!types.has(family(s[1])))
            throw new Error(`sample before its TYPE: ${line}`);
        samples.push({ name: s[1], labels: s[2] ?? '', value: Number(s[3]) });
    }
    return { types, samples };
}
t.test('/metrics: counters, histograms after traffic, process metrics, valid text format', async (t) => {
    const r = await post(port, '/v1/events', [order(5000), order(5001)]);
    t.equal(r.status, 202);
    await until(async () => /^blotter_writer_batch_events_count [1-9]/m.test((await get(port, '/metrics')).text));
    const text = (await get(port, '/metrics')).text;
    const { types, samples } = parseExposition(text);
    // What only grows is a counter; levels are gauges (names unchanged from before prom-client).
    for (const name of ['blotter_ingest_requests_total', 'blotter_ingest_events_total', 'blotter_writer_batches_total', 'blotter_writer_events_total',
        'blotter_writer_duplicates_total', 'blotter_writer_errors_total', 'blotter_writer_timeouts_total', 'blotter_writer_rejected_total',
        'blotter_writer_stalls_total', 'blotter_log_db_written_total', 'blotter_log_db_spilled_total']) {
        t.equal(types.get(name), 'counter', `${name} is a counter`);
        t.match(text, new RegExp(`^# TYPE ${name} counter$`, 'm'));
    }
    for (const name of ['blotter_spool_bytes', 'blotter_spool_quota_bytes', 'blotter_writer_lag_seconds', 'blotter_writer_stalled', 'blotter_database_up', 'blotter_log_db_queued']) {
        t.equal(types.get(name), 'gauge', `${name} is a gauge`);
    }
    t.equal(samples.find((s) => s.name === 'blotter_database_up')?.value, 1);
    t.ok(samples.find((s) => s.name === 'blotter_writer_events_total').value >= 2, 'events counted');
    // Histograms: ack latency per status, COPY batch duration and size.
    for (const name of ['blotter_ingest_ack_seconds', 'blotter_writer_batch_seconds', 'blotter_writer_batch_events']) {
        t.equal(types.get(name), 'histogram', `${name} is a histogram`);
        t.ok(samples.some((s) => s.name === `${name}_bucket` && /le="\+Inf"/.test(s.labels) && s.value > 0), `${name}_bucket`);
        t.ok(samples.some((s) => s.name === `${name}_sum`), `${name}_sum`);
        t.ok(samples.some((s) => s.name === `${name}_count` && s.value > 0), `${name}_count`);
    }
    t.match(text, /^blotter_ingest_ack_seconds_bucket\{le="0\.005",status="202"\} \d+$/m, 'ack latency by status');
    // Node's default process metrics.
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
        t.ok(types.has(name), `${name} present`);
    }
    // A made-up path is counted as `other`, never as a label of its own.
    await get(port, '/no/such/route/x1');
    const after = (await get(port, '/metrics')).text;
    t.notMatch(after, /x1/);
    t.match(after, /^blotter_ingest_requests_total\{route="other",status="404"\} \d+$/m);
});
t.test('bot logs land in ops.logs; bot metrics in ops.metrics and on /metrics', async (t) => {
    const logs = await post(port, '/v1/logs', [
        { level: 'info', category: 'order', msg: 'placed order 1', fields: { client_order_id: '1', px: 187.25 }, time: '2026-11-26T14:30:00.5Z' },
        { level: 'loud', msg: 'x' },
    ]);
    t.equal(logs.status, 202);
    t.same(logs.body.items[1], { index: 1, status: 'rejected', field: 'level', reason: 'must be one of trace, debug, info, warn, error, fatal', problems: [{ field: 'level', reason: 'must be one of trace, debug, info, warn, error, fatal' }] });
    await until(async () => (await sql `select count(*)::int as n from ops.logs where source = 'bot'`)[0].n === 1, 10_000);
    const [row] = await sql `select category, msg, fields from ops.logs where source = 'bot'`;
    t.same(row, { category: 'order', msg: 'placed order 1', fields: { client_order_id: '1', px: 187.25 } });
    const metrics = await post(port, '/v1/metrics', [{ name: 'open_orders', value: 3, labels: { strategy: 'a' } }, { name: 'bad name', value: 1 }]);
    t.equal(metrics.status, 202);
    t.equal(metrics.body.items[1].field, 'name');
    t.equal((await sql `select value::text from ops.metrics where name = 'open_orders'`)[0].value, '3');
    t.match((await get(port, '/metrics')).text, /blotter_bot_metric\{name="open_orders",strategy="a"\} 3/);
});
t.test('unknown routes are 404', async (t) => {
    t.equal((await get(port, '/v2/nothing')).status, 404);
});
t.test('a key reused for a different event is a conflict, in one batch, across batches and restarts', async (t) => {
    const before = await count();
    const changed = (n) => ({ ...order(n), payload: { ...order(n).payload, quantity: '999' } });
    const same = await post(port, '/v1/events', [order(300), changed(300)]);
    t.same(same.body.items.map((i) => i.status), ['accepted', 'conflict'], 'in one request');
    t.same([same.body.items[1].field, same.body.conflict], ['idempotency_key', 1]);
    t.match(same.body.items[1].reason, /already used for a different event/);
    const later = await post(port, '/v1/events', [changed(300), order(300)]);
    t.same(later.body.items.map((i) => i.status), ['conflict', 'duplicate'], 'across requests');
    await until(async () => (await count()) === before + 1);
    // After a restart only the ledger knows the key: it compares the stored event.
    const restarted = await inProcessAgent(t, url);
    const r = await post(restarted.port, '/v1/events', [changed(300), order(300), { ...order(300), session_id: 'another-run' }]);
    t.same(r.body.items.map((i) => i.status), ['conflict', 'duplicate', 'duplicate'], 'across restarts; a new session_id is still the same event');
    t.match(r.body.items[0].reason, /ledger seq \d+/);
    await new Promise((res) => setTimeout(res, 300));
    t.equal(await count(), before + 1, 'nothing written for a conflict');
    const [q] = await sql `select quantity::text as q from ledger.orders where client_order_id = '300'`;
    t.equal(q.q, '100', 'the first event stands');
});
t.test('every problem of an item is reported, each with its field (bounded)', async (t) => {
    const bad = { ...order(400), colour: 'red', account: '', payload: { ...order(400).payload, side: 'HOLD', quantity: 'lots', contract: { symbol: 'AAPL', sec_type: 'XX', currency: 'usd' } } };
    const r = await post(port, '/v1/events', [bad]);
    t.equal(r.status, 200);
    const item = r.body.items[0];
    t.equal(item.status, 'rejected');
    t.same(item.problems.map((p) => p.field).sort(), ['account', 'colour', 'payload.contract.currency', 'payload.contract.sec_type', 'payload.quantity', 'payload.side'].sort());
    t.same([item.field, item.reason], [item.problems[0].field, item.problems[0].reason], 'field and reason are the first problem');
    const noisy = { ...order(401), payload: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`x${i}`, 1])) };
    const n = await post(port, '/v1/events', [noisy]);
    t.equal(n.body.items[0].problems.length, 20, 'at most 20 problems per item');
});
t.test('text PostgreSQL cannot store is refused at the door, naming the field', async (t) => {
    const before = await count();
    const lone = '{"event_type":"signal","occurred_at":"2026-11-26T14:30:00Z","idempotency_key":"lone-1",' +
        '"payload":{"signal_id":"s","strategy":"a\\ud800b","features":{"k\\udc00":1,"n":"x\\u0000y","big":1e999999,"ok":"\\ud83d\\ude00"}}}';
    const r = await post(port, '/v1/events', null, { raw: `[${lone}]` });
    t.equal(r.status, 200);
    const fields = r.body.items[0].problems.map((p) => p.field);
    t.same(fields, ['payload.strategy', 'payload.features key "k?"', 'payload.features.n', 'payload.features.big']);
    const env = await post(port, '/v1/events', [{ ...order(500), actor: 'a\u0000', session_id: 'x\ud800' }]);
    t.same(env.body.items[0].problems.map((p) => p.field), ['actor', 'session_id']);
    const pair = await post(port, '/v1/events', null, { raw: '[{"event_type":"signal","occurred_at":"2026-11-26T14:30:00Z","payload":{"signal_id":"s","strategy":"\\ud83d\\ude00"}}]' });
    t.equal(pair.body.accepted, 1, 'a surrogate pair is an ordinary character');
    const logs = await post(port, '/v1/logs', [{ level: 'info', msg: 'x\u0000' }, { level: 'info', msg: 'ok', fields: { a: '\udfff' } }]);
    t.same(logs.body.items.map((i) => i.field), ['msg', 'fields.a']);
    await until(async () => (await count()) === before + 1);
});
t.test('logs and metrics take a single object; secrets in bot log lines are redacted', async (t) => {
    const one = await post(port, '/v1/logs', { level: 'warn', category: 'order', msg: 'login password=hunter2 token: abc123 ok', fields: { user: 'u', password: 'hunter2', nested: { api_key: 'k', list: [{ secret: 's' }] } } });
    t.equal(one.status, 202);
    t.equal(one.body.accepted, 1);
    await until(async () => (await sql `select count(*)::int as n from ops.logs where source = 'bot' and msg like 'login%'`)[0].n === 1, 10_000);
    // fields.user is personal data (privacy.fields log:user): stored as a token, read through privacy.reveal_json
    const [row] = await sql `select msg, privacy.reveal_json(fields) as fields, fields ->> 'user' as stored_user from ops.logs where source = 'bot' and msg like 'login%'`;
    t.match(row.stored_user, /^pii:v1:/);
    t.equal(row.msg, 'login password=[redacted] token: [redacted] ok');
    t.same(row.fields, { user: 'u', password: '[redacted]', nested: { api_key: '[redacted]', list: [{ secret: '[redacted]' }] } });
    t.notMatch(JSON.stringify(await sql `select msg, fields from ops.logs`), /hunter2/, 'the secret is nowhere in ops.logs');
    const m = await post(port, '/v1/metrics', { name: 'single_metric', value: '1.5' });
    t.equal(m.status, 202);
    t.equal((await sql `select value::text from ops.metrics where name = 'single_metric'`)[0].value, '1.5');
});
