// The relay end to end: agent ↔ @stoqey/ib ↔ socket ↔ TWS simulator. Every broker fact
// lands exactly once with exact numbers, across a dropped socket, a missing
// execDetailsEnd, 1100/1102 and a malformed frame.
import t from 'tap';
import net from 'node:net';
import { IbRelay, type RelayOptions } from '../agent/ib/relay.ts';
import { TwsSimulator } from '../agent/ib/sim/server.ts';
import type { LedgerEvent } from '../agent/ledger/event.ts';
import { msg, type SimContract, type SimExecution } from '../agent/ib/sim/messages.ts';
import { frame } from '../agent/ib/sim/wire.ts';
import { parseExecTime } from '../agent/ib/time.ts';
import { inProcessAgent, until } from './helpers/agent.ts';
import { testDb } from './helpers/db.ts';

const AAPL: SimContract = { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' };
function fill(n: string, over: Partial<SimExecution> = {}): SimExecution {
  return { orderId: 3, execId: `0000e0d5.6571b0c4.01.${n}`, time: '20261126  09:30:01 US/Eastern', account: 'DU1234567', exchange: 'ISLAND', side: 'BOT', shares: '0.0001', price: '123.456789', permId: '9007199254740993', clientId: 0, cumQty: '0.0001', avgPrice: '123.456789', orderRef: 'momo:42', ...over };
}

function ibEnv(port: number, extra: Record<string, string> = {}) {
  return {
    BLOTTER_IB_ENABLED: 'true', BLOTTER_IB_PORT: String(port), BLOTTER_IB_CLIENT_ID: '0',
    BLOTTER_IB_RECONNECT_MIN_MS: '50', BLOTTER_IB_RECONNECT_MAX_MS: '200', BLOTTER_IB_BACKFILL_TIMEOUT_MS: '300',
    BLOTTER_IB_HEARTBEAT_MS: '200', BLOTTER_IB_HEARTBEAT_TIMEOUT_MS: '300', ...extra,
  };
}

t.test('execution times in every format TWS sends', async (t) => {
  t.equal(parseExecTime('20231214-20:57:37', 'America/New_York'), '2023-12-14T20:57:37.000Z', 'UTC form');
  t.equal(parseExecTime('20250820 09:30:01 US/Eastern', 'UTC'), '2025-08-20T13:30:01.000Z', 'zone named, summer');
  t.equal(parseExecTime('20200114  11:08:15', 'America/New_York'), '2020-01-14T16:08:15.000Z', 'local, two spaces, winter');
  t.equal(parseExecTime('20261101  01:30:00', 'America/New_York'), '2026-11-01T05:30:00.000Z', 'the DST fall-back hour resolves');
  t.throws(() => parseExecTime('yesterday', 'UTC'), { message: /no format TWS sends/ });
});

t.test('a trading day lands exactly once, numbers exact, through a dropped socket', async (t) => {
  const sim = new TwsSimulator({
    executions: [{ contract: AAPL, execution: fill('01'), commission: { commission: '1.0005', currency: 'USD' } }],
    positions: [{ account: 'DU1234567', contract: AAPL, pos: '0.0001', avgCost: '123.456789' }],
    summary: [{ account: 'DU1234567', tag: 'NetLiquidation', value: '100000.01', currency: 'USD' }],
  });
  const port = await sim.listen();
  t.teardown(() => sim.close());
  const { url, sql } = await testDb(t);
  await inProcessAgent(t, url, ibEnv(port));
  const count = async (type: string) => (await sql`select count(*)::int as n from ledger.events where event_type = ${type}`)[0]!.n;
  await until(async () => (await count('ib_execution')) === 1 && (await count('ib_commission')) === 1 && (await count('ib_position')) === 1);
  const [e] = await sql`select account, entity_id, occurred_at, payload from ledger.events where event_type = 'ib_execution'`;
  t.equal(e!.payload.shares, '0.0001');
  t.equal(e!.payload.price, '123.456789');
  t.equal(e!.payload.perm_id, '9007199254740993', 'permId beyond 2^53 kept exactly');
  t.equal(e!.payload.order_ref, 'momo:42');
  t.equal(new Date(e!.occurred_at).toISOString(), '2026-11-26T14:30:01.000Z', 'TWS local time with zone name, to UTC');
  t.ok(Array.isArray(e!.payload.wire), 'the wire fields are kept');
  const [c] = await sql`select payload from ledger.events where event_type = 'ib_commission'`;
  t.same([c!.payload.commission, c!.payload.realized_pnl], ['1.0005', null], 'Double.MAX_VALUE is null');
  t.equal((await sql`select count(*)::int as n from ledger.events where event_type = 'ib_account_summary' and payload->>'value' = '100000.01'`)[0]!.n, 1);

  // A live fill, a correction of it, a commission for an execution never seen.
  sim.broadcast(msg.execDetails(-1, AAPL, fill('02', { execId: '0000e0d5.6571b0c5.01.01', shares: '100', price: '187.25' })));
  sim.broadcast(msg.execDetails(-1, AAPL, fill('02', { execId: '0000e0d5.6571b0c5.01.02', shares: '100', price: '187.24' })));
  sim.broadcast(msg.commissionReport({ execId: '0000ffff.00000000.01.01', commission: '0.35', currency: 'USD' }));
  await until(async () => (await count('ib_execution')) === 3 && (await count('ib_commission')) === 2);
  const view = await sql`select exec_id, shares::text, price::text, commission::text from ledger.ib_executions order by seq`;
  t.same(view.map((v) => [v.exec_id, v.shares, v.price, v.commission]), [
    ['0000e0d5.6571b0c4.01.01', '0.0001', '123.456789', '1.0005'],
    ['0000e0d5.6571b0c5.01.01', '100', '187.25', null],
    ['0000e0d5.6571b0c5.01.02', '100', '187.24', null],
  ], 'commission joined when it arrived, NULL (not 0) when not');
  t.same((await sql`select exec_id from ledger.ib_commissions_unmatched`).map((r) => r.exec_id), ['0000ffff.00000000.01.01']);
  const [corr] = await sql`select payload from ledger.events where entity_id = '0000e0d5.6571b0c5.01.02'`;
  t.same([corr!.payload.exec_base, corr!.payload.corrects], ['0000e0d5.6571b0c5.01', '0000e0d5.6571b0c5.01.01'], 'the correction is linked');

  // The socket drops mid-day; a fill happens while it is down; the backfill brings it, once.
  sim.state.executions.push({ contract: AAPL, execution: fill('03', { execId: '0000e0d5.6571b0c6.01.01' }), commission: { commission: '1', currency: 'USD' } });
  sim.dropAll();
  await until(async () => (await count('ib_execution')) === 4, 20_000);
  await until(async () => (await sql`select count(*)::int as n from ledger.events where event_type = 'connection' and payload->>'state' = 'connected'`)[0]!.n >= 2);
  // Backfills after reconnect resend executions 01 and 03: nothing doubles.
  await new Promise((r) => setTimeout(r, 500));
  t.equal(await count('ib_execution'), 4, 'each execution exactly once');
  t.equal((await sql`select count(distinct entity_id)::int as n from ledger.events where event_type = 'ib_execution'`)[0]!.n, 4);
  const states = (await sql`select payload->>'state' as s from ledger.events where event_type = 'connection' order by seq`).map((r) => r.s);
  t.ok(states.includes('disconnected') && states.includes('reconnecting'), `transitions recorded: ${states.join(', ')}`);
  t.ok([...sim.clients].every((c) => c.clientId === 0), 'the same clientId after reconnecting');
  t.ok((await sql`select * from ledger.verify()`).every((r) => r.reason === null));
});

t.test('missing execDetailsEnd is retried; 1100/1102 are info and trigger a backfill; a malformed frame is survived', async (t) => {
  const sim = new TwsSimulator({ executions: [{ contract: AAPL, execution: fill('01') }], withholdExecDetailsEnd: true });
  const port = await sim.listen();
  t.teardown(() => sim.close());
  const { url, sql } = await testDb(t);
  await inProcessAgent(t, url, ibEnv(port));
  const reqExecutions = () => sim.requests.filter((r) => r[0] === '7').length;
  await until(async () => reqExecutions() >= 2, 10_000);
  await until(async () => (await sql`select count(*)::int as n from ledger.events where event_type = 'connection' and payload->>'state' = 'backfill_timeout'`)[0]!.n >= 1);
  t.pass('asked again after the timeout');
  sim.state.withholdExecDetailsEnd = false;

  const before = reqExecutions();
  sim.broadcast(msg.error(-1, 1100, 'Connectivity between IB and Trader Workstation has been lost.'));
  sim.broadcast(msg.error(-1, 1102, 'Connectivity between IB and Trader Workstation has been restored - data maintained.'));
  await until(async () => reqExecutions() > before);
  await until(async () => (await sql`select count(*)::int as n from ledger.events where event_type = 'ib_info'`)[0]!.n === 2);
  t.same((await sql`select entity_id from ledger.events where event_type = 'ib_info' order by seq`).map((r) => r.entity_id), ['1100', '1102']);

  // A frame the client cannot decode: logged, the relay goes on.
  sim.broadcastRaw(frame(['11', 'not-a-number', 'x']));
  sim.broadcast(msg.execDetails(-1, AAPL, fill('09', { execId: '0000e0d5.6571b0c9.01.01' })));
  await until(async () => (await sql`select count(*)::int as n from ledger.events where entity_id = '0000e0d5.6571b0c9.01.01'`)[0]!.n === 1, 10_000);
  t.pass('a later fill still lands');
  const [bad] = await sql`select payload from ledger.events where event_type = 'ib_malformed'`;
  t.same(bad!.payload.wire, ['11', 'not-a-number', 'x'], 'the malformed frame is kept, not dropped');
  t.equal((await sql`select count(*)::int as n from ledger.events where event_type = 'ib_execution' and entity_id = '0000e0d5.6571b0c4.01.01'`)[0]!.n, 1);
});

t.test('a half-open socket (no currentTime reply) is detected by the heartbeat and reconnected', async (t) => {
  const sim = new TwsSimulator();
  const port = await sim.listen();
  t.teardown(() => sim.close());
  const { url, sql } = await testDb(t);
  await inProcessAgent(t, url, ibEnv(port));
  const connects = async () => (await sql`select count(*)::int as n from ledger.events where event_type = 'connection' and payload->>'state' = 'connected'`)[0]!.n;
  await until(async () => (await connects()) === 1);
  sim.state.mute = true;
  await until(async () => (await sql`select count(*)::int as n from ledger.events where event_type = 'connection' and payload->>'reason' = 'heartbeat_timeout' and payload->>'message' like 'no currentTime reply%'`)[0]!.n >= 1, 10_000);
  sim.state.mute = false;
  await until(async () => (await connects()) >= 2, 10_000);
  t.pass('reconnected after the heartbeat timed out');
});

t.test('account updates, portfolio, P&L, order status and the end markers', async (t) => {
  const sim = new TwsSimulator({
    accountValues: [{ account: 'DU1234567', key: 'CashBalance', value: '71880.005', currency: 'USD' }],
    portfolio: [{ account: 'DU1234567', contract: AAPL, position: '150', marketPrice: '187.3', marketValue: '28095', averageCost: '187.2533', unrealizedPNL: '7.005', realizedPNL: '0', }],
    pnl: [{ account: 'DU1234567', daily: '-12.5', unrealized: '7.005', realized: '1.7976931348623157E308' }],
    openOrders: [{ contract: AAPL, order: { orderId: 101, action: 'BUY', totalQuantity: '150', orderType: 'LMT', lmtPrice: '187.30', tif: 'DAY', account: 'DU1234567', orderRef: 'momo:42', clientId: 7, permId: '1900000101', status: 'Submitted' } }],
    completedOrders: [{ contract: AAPL, order: { orderId: 0, action: 'SELL', totalQuantity: '20', orderType: 'LMT', lmtPrice: '190.5', tif: 'DAY', account: 'DU1234567', orderRef: 'momo:43', clientId: 0, permId: '1900000105', status: 'Filled', filledQuantity: '20', completedTime: '20261126 15:59:59 America/New_York', completedStatus: 'Filled Size: 20' } }],
  });
  const port = await sim.listen();
  t.teardown(() => sim.close());
  const { url, sql } = await testDb(t);
  await inProcessAgent(t, url, ibEnv(port));
  const one = async (type: string) => (await sql`select payload from ledger.events where event_type = ${type}`)[0]?.payload;
  await until(async () => Boolean((await one('ib_account_value')) && (await one('ib_portfolio')) && (await one('ib_pnl'))));
  t.same([(await one('ib_account_value')).key, (await one('ib_account_value')).value], ['CashBalance', '71880.005']);
  const p = await one('ib_portfolio');
  t.same([p.position, p.market_price, p.average_cost, p.unrealized_pnl, p.contract.con_id], ['150', '187.3', '187.2533', '7.005', '265598']);
  const pnl = await one('ib_pnl');
  t.same([pnl.daily, pnl.unrealized, pnl.realized], ['-12.5', '7.005', null]);
  await until(async () => Boolean(await one('ib_open_order')));
  const [oo] = await sql`select entity_id, account, payload from ledger.events where event_type = 'ib_open_order'`;
  t.same([oo!.entity_id, oo!.account, oo!.payload.order_ref, oo!.payload.status], ['1900000101', 'DU1234567', 'momo:42', 'Submitted']);
  t.equal(oo!.payload.wire[16], '187.30', 'the limit price exactly as sent, in the wire fields');
  t.same([oo!.payload.lmt_price, oo!.payload.total_quantity, oo!.payload.action], ['187.30', '150', 'BUY']);
  await until(async () => Boolean(await one('ib_completed_order')));
  let ends: string[] = [];
  const [co] = await sql`select entity_id, payload from ledger.events where event_type = 'ib_completed_order'`;
  t.same([co!.entity_id, co!.payload.order_ref, co!.payload.completed_status], ['1900000105', 'momo:43', 'Filled Size: 20']);
  // An end marker follows its last row, possibly in the writer's next batch: wait for it.
  const wanted = ['account_summary', 'account_updates:DU1234567', 'completed_orders', 'open_orders', 'positions'];
  const endMarkers = async () => (await sql`select entity_id from ledger.events where event_type = 'ib_snapshot_end' order by entity_id`).map((r) => r.entity_id as string);
  await until(async () => {
    ends = await endMarkers();
    return wanted.every((e) => ends.includes(e));
  }, 10_000).catch(() => {});
  for (const e of wanted) t.ok(ends.includes(e), `end marker ${e}`);
  sim.broadcast(msg.orderStatus({ orderId: 101, status: 'Filled', filled: '150', remaining: '0', avgFillPrice: '187.2533', permId: '9007199254740993', lastFillPrice: '187.26', clientId: 7 }));
  await until(async () => Boolean(await one('ib_order_status')));
  const st = await one('ib_order_status');
  t.same([st.status, st.filled, st.avg_fill_price, st.perm_id, st.client_id], ['Filled', '150', '187.2533', '9007199254740993', '7']);
  const [row] = await sql`select entity_id from ledger.events where event_type = 'ib_order_status'`;
  t.equal(row!.entity_id, '9007199254740993', 'orders are identified by permId');
});

t.test('events the spool refuses are held and offered again, not dropped', async (t) => {
  const sim = new TwsSimulator({ executions: [{ contract: AAPL, execution: fill('01') }] });
  const port = await sim.listen();
  t.teardown(() => sim.close());
  let refusals = 2;
  const delivered: string[] = [];
  const relay = new IbRelay({
    host: '127.0.0.1', port, clientId: 0, twsTimezone: 'America/New_York', heartbeatMs: 10_000, heartbeatTimeoutMs: 5000,
    backfillTimeoutMs: 5000, backfillRetries: 1, reconnectMinMs: 50, reconnectMaxMs: 100,
    sink: async (events) => {
      if (refusals > 0) {
        refusals--;
        throw new Error('spool full');
      }
      for (const e of events) delivered.push(e.eventType);
    },
  });
  relay.start();
  t.teardown(() => relay.stop());
  await until(async () => delivered.includes('ib_execution'), 10_000);
  t.equal(relay.stats.lost, 0);
  t.ok(delivered.includes('connection'), 'the events from before the refusals came through too');
});

t.test('held events are bounded in bytes: past 16 MB the oldest go, counted and logged', async (t) => {
  const lines: { level: string; msg: string }[] = [];
  let open = false;
  const delivered: string[] = [];
  const relay = new IbRelay({
    host: '127.0.0.1', port: 1, clientId: 0, twsTimezone: 'America/New_York', heartbeatMs: 10_000, heartbeatTimeoutMs: 5000,
    backfillTimeoutMs: 5000, backfillRetries: 1, reconnectMinMs: 50, reconnectMaxMs: 100,
    sink: async (events) => {
      if (!open) throw new Error('spool full');
      for (const e of events) delivered.push(e.entityId!);
    },
    log: (level, msg) => lines.push({ level, msg }),
  });
  // Not started: events are fed as the relay's own decoding would emit them.
  const emit = (relay as unknown as { emit: (e: Record<string, unknown>) => void }).emit.bind(relay);
  const big = JSON.stringify({ pad: 'x'.repeat(100_000) });
  for (let i = 0; i < 200; i++) {
    emit({ occurredAt: '2026-11-26T14:30:00Z', eventType: 'ib_note', entityType: 'note', entityId: `n${i}`, account: 'DU1', idempotencyKey: `held-${i}`, payload: big });
    await relay.flush();
  }
  const fill = relay.heldFill();
  t.ok(fill.bytes <= fill.limit_bytes, `${fill.bytes} bytes held of ${fill.limit_bytes}`);
  t.ok(relay.stats.lost > 0 && relay.stats.lost + fill.events === 200, `${relay.stats.lost} lost + ${fill.events} held = 200`);
  t.ok(lines.some((l) => l.level === 'error' && /events lost/.test(l.msg)), 'the loss is logged as an error');
  open = true;
  await relay.flush();
  t.equal(delivered.length, fill.events, 'what was held is delivered once the spool takes it');
  t.equal(delivered[delivered.length - 1], 'n199', 'the newest kept, the oldest dropped');
  t.equal(relay.heldFill().bytes, 0);
  await relay.stop();
});

// A relay with its log lines and events kept in memory, for the connection-failure tests.
function watchedRelay(t: { teardown: (fn: () => unknown) => void }, port: number, over: Partial<RelayOptions> = {}) {
  const lines: { level: string; msg: string; fields: Record<string, any> }[] = [];
  const events: LedgerEvent[] = [];
  const relay = new IbRelay({
    host: '127.0.0.1', port, clientId: 0, twsTimezone: 'America/New_York', heartbeatMs: 10_000, heartbeatTimeoutMs: 5000,
    backfillTimeoutMs: 5000, backfillRetries: 1, reconnectMinMs: 100, reconnectMaxMs: 200,
    sink: async (e) => {
      events.push(...e);
    },
    log: (level, msg, fields) => lines.push({ level, msg, fields: fields ?? {} }),
    ...over,
  });
  relay.start();
  t.teardown(() => relay.stop());
  const state = (s: string) => lines.find((l) => l.msg.startsWith(`ib relay: ${s} `));
  const payloads = (s: string) => events.filter((e) => e.eventType === 'connection').map((e) => JSON.parse(e.payload)).filter((p) => p.state === s);
  return { relay, lines, events, state, payloads };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test('a refused connection says where (host, port, clientId) and why (502 ECONNREFUSED)', async (t) => {
  const port = await closedPort();
  const w = watchedRelay(t, port);
  await until(async () => Boolean(w.state('reconnecting')) && w.payloads('connecting').length >= 2, 10_000, 10);
  const where = { host: '127.0.0.1', port, client_id: 0 };
  const cause = { reason: 'socket_error', code: 502, errno: 'ECONNREFUSED' };
  for (const s of ['connect_failed', 'reconnecting']) {
    const line = w.state(s)!;
    t.equal(line.level, 'warn');
    t.match(line.fields, { ...where, ...cause, message: /ECONNREFUSED/ }, `${s}: log fields`);
    t.match(line.msg, new RegExp(`^ib relay: ${s} (to|at) 127\\.0\\.0\\.1:${port} as clientId 0.*\\(socket_error 502 ECONNREFUSED: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)$`), `${s}: the line itself`);
    t.match(w.payloads(s)[0], { peer: 'tws', ...where, ...cause }, `${s}: the connection event`);
  }
  t.match(w.payloads('connecting')[1], { ...where, attempt: 1, after: cause }, 'the retry says what it retries after');
  t.equal(w.relay.isConnected(), false);
});

t.test('a peer that accepts but never greets times out, and says so', async (t) => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as net.AddressInfo).port;
  const w = watchedRelay(t, port, { connectTimeoutMs: 200 });
  await until(async () => Boolean(w.state('reconnecting')), 10_000, 10);
  t.match(w.state('connect_failed')!.fields, { host: '127.0.0.1', port, client_id: 0, reason: 'connect_timeout', message: /no nextValidId within 200 ms of connecting \(no server greeting\)/ });
});

t.test('TWS refusing the clientId (326, then a closed socket) is the reason given', async (t) => {
  const sim = new TwsSimulator({ clientIdsInUse: [0] });
  const port = await sim.listen();
  t.teardown(() => sim.close());
  const w = watchedRelay(t, port);
  await until(async () => Boolean(w.state('reconnecting')), 10_000, 10);
  t.match(w.state('connect_failed')!.fields, { host: '127.0.0.1', port, client_id: 0, reason: 'socket_closed', code: 326, message: /client id is already in use/, server_version: 193 });
  t.match(w.state('reconnecting')!.msg, /\(socket_closed 326: Unable to connect as the client id is already in use/);
  t.ok(w.events.some((e) => e.eventType === 'ib_info' && e.entityId === '326'), 'the notice itself is recorded');

  // Once the id is free: connected, then IB loses and restores its own connection.
  sim.state.clientIdsInUse = [];
  await until(async () => w.relay.isConnected(), 10_000, 10);
  sim.broadcast(msg.error(-1, 1100, 'Connectivity between IB and Trader Workstation has been lost.'));
  await until(async () => Boolean(w.state('broker_connection_lost')), 10_000, 10);
  t.match(w.state('broker_connection_lost')!.fields, { host: '127.0.0.1', port, client_id: 0, code: 1100, message: /has been lost/ });
  sim.dropAll();
  await until(async () => Boolean(w.state('disconnected')), 10_000, 10);
  t.match(w.state('disconnected')!.fields, { host: '127.0.0.1', port, client_id: 0, reason: 'socket_closed', code: 1100, message: /has been lost/ }, 'a close after 1100 names it, with how long ago it came');
  t.type(w.state('disconnected')!.fields.notice_ms_ago, 'number');
});
