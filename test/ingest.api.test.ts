// The HTTP API: bearer token on every route, per-item answers, 400/413/415 that say what
// is wrong and write nothing, an idempotent retry that is a `duplicate` and writes nothing,
// typed views over what landed, health and Prometheus metrics, bot logs and metrics.
import t from 'tap';
import { testDb } from './helpers/db.ts';
import { get, inProcessAgent, order, post, until } from './helpers/agent.ts';

const { url, sql } = await testDb(t);
const agent = await inProcessAgent(t, url, { BLOTTER_INGEST_MAX_BODY: '64KB', BLOTTER_INGEST_MAX_ITEMS_PER_REQUEST: '50' });
const port = agent.port;
const count = async () => (await sql`select count(*)::int as n from ledger.events`)[0]!.n;

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
  t.same(r.body.items[3], { index: 3, status: 'rejected', field: 'payload.side', reason: 'must be one of BUY, SELL' });
  await until(async () => (await count()) === 2);
  const rows = await sql`select client_order_id, quantity::text, limit_price::text, symbol, con_id from ledger.orders order by client_order_id`;
  t.same(rows.map((x) => [x.client_order_id, x.quantity, x.limit_price, x.symbol, x.con_id]), [['1', '100', '187.25', 'AAPL', '265598'], ['2', '100', '187.25', 'AAPL', '265598']]);
});

t.test('an idempotent retry is a duplicate and writes nothing', async (t) => {
  const before = await count();
  const r = await post(port, '/v1/events', [order(1), order(2)]);
  t.equal(r.status, 200, 'nothing new: 200, not 202');
  t.same(r.body.items.map((i: { status: string }) => i.status), ['duplicate', 'duplicate']);
  // A key the agent never saw in memory is found in the ledger itself.
  const restarted = await inProcessAgent(t, url);
  const r2 = await post(restarted.port, '/v1/events', [order(1)]);
  t.same(r2.body.items[0].status, 'duplicate', 'known to the ledger (looked up while the key filter loads)');
  // Once the filter of known keys is loaded, it sends the key to the ledger lookup too.
  await new Promise((res) => setTimeout(res, 500));
  const r3 = await post(restarted.port, '/v1/events', [order(2), order(999)]);
  t.same(r3.body.items.map((i: { status: string }) => i.status), ['duplicate', 'accepted'], 'known to the filter, and a new key');
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
  const notArray = await post(port, '/v1/events', order(13));
  t.equal(notArray.status, 400);
  t.match(notArray.body.error, /must be a JSON array/);
  const wrongType = await post(port, '/v1/events', [order(14)], { type: 'text/plain' });
  t.equal(wrongType.status, 415);
  await new Promise((res) => setTimeout(res, 200));
  t.equal((await sql`select count(*)::int as n from ledger.orders where client_order_id in ('12', '13', '14')`)[0]!.n, 0, 'nothing from refused bodies');
});

t.test('413 for an oversized body or too many items', async (t) => {
  const big = await post(port, '/v1/events', [{ ...order(20), payload: { ...order(20).payload, notes: 'x'.repeat(70_000) } }]);
  t.equal(big.status, 413);
  t.match(big.body.error, /exceeds the limit of 65536/);
  const many = await post(port, '/v1/events', Array.from({ length: 51 }, (_, i) => order(100 + i)));
  t.equal(many.status, 413);
  t.match(many.body.error, /51 items exceed the limit of 50/);
  await new Promise((res) => setTimeout(res, 100));
  t.equal((await sql`select count(*)::int as n from ledger.orders where client_order_id::int between 20 and 150`)[0]!.n, 0);
});

t.test('events without a key get one from the agent; views type the payload', async (t) => {
  const r = await post(port, '/v1/events', [
    { event_type: 'execution', occurred_at: '2026-11-26T14:31:00Z', account: 'DU1234567', payload: { exec_id: 'e1.01', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD' }, side: 'BUY', quantity: '0.0001', price: 123.456789 } },
    { event_type: 'account_snapshot', occurred_at: '2026-11-26T14:32:00Z', account: 'DU1234567', payload: { base_currency: 'USD', net_liquidation: '100000.01', cash: [{ currency: 'USD', amount: '5000.25' }, { currency: 'EUR', amount: '-10.5' }] } },
  ]);
  t.equal(r.status, 202);
  t.match(r.body.items[0].idempotency_key, /^spool:[0-9a-f-]{36}:\d+$/);
  await until(async () => (await sql`select count(*)::int as n from ledger.cash_balances`)[0]!.n === 2);
  const [e] = await sql`select quantity::text, price::text, pg_typeof(price)::text as t from ledger.executions`;
  t.same(e, { quantity: '0.0001', price: '123.456789', t: 'numeric' });
  const cash = await sql`select currency, amount::text from ledger.cash_balances order by item_no`;
  t.same(cash.map((c) => [c.currency, c.amount]), [['USD', '5000.25'], ['EUR', '-10.5']]);
  const [doc] = await sql`select obj_description('ledger.executions'::regclass) as d, col_description('ledger.executions'::regclass, 16) as c`;
  t.match(doc!.d, /Fills/);
  t.ok(doc!.c, 'columns are commented');
});

t.test('health and metrics', async (t) => {
  const h = await get(port, '/v1/health');
  t.equal(h.status, 200);
  const body = JSON.parse(h.text);
  t.equal(body.status, 'ok');
  t.equal(body.database.reachable, true);
  t.type(body.spool.bytes, 'number');
  t.type(body.writer.lag_ms, 'number');
  const m = await get(port, '/metrics');
  t.match(m.text, /# TYPE blotter_ingest_events_total counter/);
  t.match(m.text, /blotter_ingest_events_total\{result="accepted"\} \d+/);
  t.match(m.text, /blotter_writer_events_total \d+/);
  t.match(m.text, /blotter_spool_bytes \d+/);
  t.match(m.text, /blotter_log_db_spilled_total \d+/);
});

t.test('bot logs land in ops.logs; bot metrics in ops.metrics and on /metrics', async (t) => {
  const logs = await post(port, '/v1/logs', [
    { level: 'info', category: 'order', msg: 'placed order 1', fields: { client_order_id: '1', px: 187.25 }, time: '2026-11-26T14:30:00.5Z' },
    { level: 'loud', msg: 'x' },
  ]);
  t.equal(logs.status, 202);
  t.same(logs.body.items[1], { index: 1, status: 'rejected', field: 'level', reason: 'must be one of trace, debug, info, warn, error, fatal' });
  await until(async () => (await sql`select count(*)::int as n from ops.logs where source = 'bot'`)[0]!.n === 1, 10_000);
  const [row] = await sql`select category, msg, fields from ops.logs where source = 'bot'`;
  t.same(row, { category: 'order', msg: 'placed order 1', fields: { client_order_id: '1', px: 187.25 } });
  const metrics = await post(port, '/v1/metrics', [{ name: 'open_orders', value: 3, labels: { strategy: 'a' } }, { name: 'bad name', value: 1 }]);
  t.equal(metrics.status, 202);
  t.equal(metrics.body.items[1].field, 'name');
  t.equal((await sql`select value::text from ops.metrics where name = 'open_orders'`)[0]!.value, '3');
  t.match((await get(port, '/metrics')).text, /blotter_bot_metric\{name="open_orders",strategy="a"\} 3/);
});

t.test('unknown routes are 404', async (t) => {
  t.equal((await get(port, '/v2/nothing')).status, 404);
});
