// `blotter demo`: the whole thing with no IB account. An embedded database, the TWS
// simulator playing a scripted trading day, the agent relaying it and the bot's own
// records; then a count of what landed, a verification of the chain, and a
// reconciliation of the bot's view against IB's, explained in plain words.
import fs from 'node:fs';
import { startAgent } from '../agent.ts';
import { loadConfig } from '../config.ts';
import { connect } from '../db/connect.ts';
import { makeTempHome, startServer, stopServer } from '../db/server.ts';
import { verifyLedger } from '../ledger/verify.ts';
import type postgres from 'postgres';
import { msg, type SimContract, type SimExecution } from './sim/messages.ts';
import { TwsSimulator } from './sim/server.ts';

const AAPL: SimContract = { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' };
const MSFT: SimContract = { conId: 272093, symbol: 'MSFT', secType: 'STK', exchange: 'SMART', currency: 'USD' };
const ACCOUNT = 'DU1234567';

function exec(execId: string, orderId: number, side: 'BOT' | 'SLD', shares: string, price: string, time: string): SimExecution {
  return { orderId, execId, time, account: ACCOUNT, exchange: 'ISLAND', side, shares, price, permId: String(1_900_000_000 + orderId), clientId: 0, cumQty: shares, avgPrice: price, orderRef: `demo:${orderId}` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDemo(opts: { keep: boolean; out: (line: string) => void }): Promise<boolean> {
  const home = makeTempHome('blotter-demo-');
  const out = opts.out;
  out(`demo home: ${home}${opts.keep ? ' (kept)' : ' (removed at the end; --keep to keep it)'}`);
  const server = await startServer({ home });
  out(`embedded PostgreSQL ${server.state.version} on 127.0.0.1:${server.state.port}`);
  const sim = new TwsSimulator({
    accounts: [ACCOUNT],
    nextOrderId: 100,
    // Fills from before the agent connected: the backfill brings them.
    executions: [
      { contract: AAPL, execution: exec('0000e0d5.6571b0c4.01.01', 101, 'BOT', '100', '187.25', '20261126  09:30:01 US/Eastern'), commission: { commission: '1.00', currency: 'USD' } },
      { contract: AAPL, execution: exec('0000e0d5.6571b0c4.02.01', 101, 'BOT', '50', '187.26', '20261126  09:30:02 US/Eastern') },
    ],
    positions: [{ account: ACCOUNT, contract: AAPL, pos: '150', avgCost: '187.2533' }],
    openOrders: [{ contract: MSFT, order: { orderId: 104, action: 'SELL', totalQuantity: '20', orderType: 'LMT', lmtPrice: '420.00', tif: 'GTC', account: ACCOUNT, orderRef: 'demo:104', clientId: 0, permId: '1900000104', status: 'Submitted' } }],
    pnl: [{ account: ACCOUNT, daily: '12.50', unrealized: '7.00', realized: '5.50' }],
    summary: [
      { account: ACCOUNT, tag: 'NetLiquidation', value: '100000.01', currency: 'USD' },
      { account: ACCOUNT, tag: 'TotalCashValue', value: '71880.00', currency: 'USD' },
    ],
  });
  const simPort = await sim.listen();
  out(`TWS simulator on 127.0.0.1:${simPort}`);
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: server.url, BLOTTER_HOME: home, BLOTTER_INGEST_PORT: '0', BLOTTER_INGEST_TOKEN: 'demo-token',
    BLOTTER_LOGGING_HANDLERS_CONSOLE_ENABLED: 'false', BLOTTER_JOBS_ENABLED: 'false',
    BLOTTER_IB_ENABLED: 'true', BLOTTER_IB_PORT: String(simPort), BLOTTER_IB_RECONNECT_MIN_MS: '200', BLOTTER_IB_RECONNECT_MAX_MS: '1000',
  };
  const agent = await startAgent(loadConfig({ env }), { home, env });
  const sql = connect(server.url, { max: 2 });
  let ok = false;
  const bot = (events: Record<string, unknown>[]) => fetch(`${agent.url}/v1/events`, {
    method: 'POST', headers: { authorization: 'Bearer demo-token', 'content-type': 'application/json' },
    body: JSON.stringify(events.map((e) => ({ account: ACCOUNT, ...e }))),
  });
  const aapl = { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 };
  try {
    // The bot's side: the order it placed, the fills it saw (not the MSFT ones: it missed
    // those), what it believes it holds (it lost count: 140 AAPL), its cash and P&L.
    await bot([
      { event_type: 'order_submitted', occurred_at: '2026-11-26T14:30:00.000Z', idempotency_key: 'demo:order:101',
        payload: { client_order_id: '101', order_ref: 'demo:101', contract: aapl, side: 'BUY', quantity: '150', order_type: 'LMT', limit_price: '187.30', tif: 'DAY', decision_price: '187.20' } },
      { event_type: 'execution', occurred_at: '2026-11-26T14:30:01.000Z', idempotency_key: 'demo:fill:1',
        payload: { exec_id: '0000e0d5.6571b0c4.01.01', client_order_id: '101', order_ref: 'demo:101', contract: aapl, side: 'BUY', quantity: '100', price: '187.25', commission: '1.00', commission_currency: 'USD' } },
      { event_type: 'execution', occurred_at: '2026-11-26T14:30:02.000Z', idempotency_key: 'demo:fill:2',
        payload: { exec_id: '0000e0d5.6571b0c4.02.01', client_order_id: '101', order_ref: 'demo:101', contract: aapl, side: 'BUY', quantity: '50', price: '187.26' } },
      { event_type: 'order_status', occurred_at: '2026-11-26T14:30:02.000Z', idempotency_key: 'demo:status:101',
        payload: { client_order_id: '101', status: 'Filled', filled: '150', remaining: '0', avg_fill_price: '187.2533' } },
    ]);
    await sleep(1000);
    out('trading day: live fills, a correction, a late commission, a commission for an unknown execution');
    sim.broadcast(msg.execDetails(-1, MSFT, exec('0000e0d5.6571b0c5.01.01', 102, 'SLD', '10', '415.10', '20261126-15:01:00')));
    sim.broadcast(msg.execDetails(-1, MSFT, exec('0000e0d5.6571b0c5.01.02', 102, 'SLD', '10', '415.09', '20261126-15:01:00')));
    sim.broadcast(msg.commissionReport({ execId: '0000e0d5.6571b0c4.02.01', commission: '0.50', currency: 'USD' }));
    sim.broadcast(msg.commissionReport({ execId: 'ffff0000.00000000.01.01', commission: '0.35', currency: 'USD' }));
    sim.broadcast(msg.orderStatus({ orderId: 102, status: 'Filled', filled: '10', remaining: '0', avgFillPrice: '415.09', permId: '1900000102', lastFillPrice: '415.09', clientId: 0 }));
    out('IB loses and restores its connection (1100, 1102): a backfill follows');
    sim.broadcast(msg.error(-1, 1100, 'Connectivity between IB and Trader Workstation has been lost.'));
    sim.broadcast(msg.error(-1, 1102, 'Connectivity between IB and Trader Workstation has been restored - data maintained.'));
    await sleep(500);
    out('the socket drops; a fill happens while it is down; the agent reconnects and backfills it');
    sim.state.executions.push({ contract: MSFT, execution: exec('0000e0d5.6571b0c6.01.01', 103, 'BOT', '5', '415.00', '20261126-15:30:00'), commission: { commission: '1.00', currency: 'USD' } });
    sim.dropAll();
    for (let i = 0; i < 100; i++) {
      const [r] = await sql`select count(*)::int as n from ledger.events where entity_id = '0000e0d5.6571b0c6.01.01'`;
      if (r!.n > 0) break;
      await sleep(100);
    }
    await bot([
      { event_type: 'position_snapshot', occurred_at: new Date().toISOString(), idempotency_key: 'demo:positions:1',
        payload: { positions: [{ contract: aapl, quantity: '140', avg_cost: '187.2533' }] } },
      { event_type: 'account_snapshot', occurred_at: new Date().toISOString(), idempotency_key: 'demo:account:1',
        payload: { base_currency: 'USD', net_liquidation: '100000.01', cash: [{ currency: 'USD', amount: '71880.00' }] } },
      { event_type: 'pnl', occurred_at: new Date().toISOString(), idempotency_key: 'demo:pnl:1', payload: { currency: 'USD', daily: '12.50', realized: '5.50', unrealized: '7.00' } },
    ]);
    await sleep(1000);
  } finally {
    await agent.stop();
    await sim.close();
  }
  try {
    const rows = await sql`select source, event_type, count(*)::int as n from ledger.events group by 1, 2 order by 1, 2`;
    out('');
    out('landed in ledger.events:');
    for (const r of rows) out(`  ${String(r.source).padEnd(4)} ${String(r.event_type).padEnd(20)} ${r.n}`);
    const execs = await sql`select entity_id, payload->>'shares' as shares, payload->>'price' as price, payload->>'corrects' as corrects from ledger.events where event_type = 'ib_execution' order by occurred_at`;
    out('');
    out('executions (each exactly once, numbers as IB sent them):');
    for (const e of execs) out(`  ${e.entity_id}  ${e.shares} @ ${e.price}${e.corrects ? `  corrects ${e.corrects}` : ''}`);
    const report = await verifyLedger(sql);
    ok = report.every((r) => r.ok);
    out('');
    out(`chain: ${ok ? 'intact' : 'TAMPERED'} (${report.map((r) => `${r.stream} ${r.rowsChecked}`).join(', ')})`);
    out('');
    await reconcile(sql, out);
  } finally {
    await sql.end({ timeout: 2 });
    await stopServer(home);
    if (!opts.keep) fs.rmSync(home, { recursive: true, force: true });
  }
  return ok;
}

// The reconciliation at the end of the day: what it compared, what it fixed by itself
// (appending events, never editing), and what a person must look at.
async function reconcile(sql: postgres.Sql, out: (line: string) => void): Promise<void> {
  const summary = await sql`select entity, total, matched, within_tolerance, corrected, pending, discrepancies, skipped from recon.reconcile(${ACCOUNT}, null, 'close')`;
  out(`reconciliation of ${ACCOUNT}, the bot's records against IB's (recon.reconcile):`);
  for (const r of summary) {
    if (r.total === 0) continue;
    out(`  ${String(r.entity).padEnd(10)} ${r.total} compared: ${r.matched} matched, ${r.within_tolerance} within tolerance, ${r.corrected} corrected, ${r.pending} pending, ${r.discrepancies} breaks${r.skipped ? `, ${r.skipped} not compared` : ''}`);
  }
  const fixes = await sql`select event_type, payload from ledger.events where stream = 'recon' and event_type in ('execution', 'commission') order by seq`;
  out('');
  out('corrected automatically (appended as events, flagged inferred, naming the run):');
  for (const f of fixes) {
    const p = f.payload as Record<string, string>;
    out(f.event_type === 'execution'
      ? `  the bot never recorded fill ${p.exec_id} (${p.side} ${p.quantity} ${(p.contract as unknown as Record<string, string>).symbol} @ ${p.price}): added from IB's report`
      : `  the bot had no commission for fill ${p.exec_id}: added IB's ${p.commission} ${p.currency}`);
  }
  const open = await sql`select category, key, severity, detail from recon.breaks where status = 'open' order by recon.severity_rank(severity_now) desc, break_id`;
  out('');
  out('open breaks (a person reviews them: blotter breaks list, then ack / resolve / escalate):');
  for (const b of open) out(`  [${b.severity}] ${explain(b.category as string, b.key as string, b.detail as Record<string, unknown>)}`);
  const [status] = await sql`select status, reasons from recon.trading_status where account = ${ACCOUNT}`;
  out('');
  out(`trading status: ${status?.status ?? 'halt'}${status?.reasons?.length ? ` (${(status.reasons as string[]).join('; ')})` : ''}`);
}

function explain(category: string, key: string, detail: Record<string, unknown>): string {
  const f = ((detail.fields as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
  switch (category) {
    case 'position.bot_differs':
      return `position ${detail.symbol ?? key}: the bot believes it holds ${f.bot}, IB's snapshot says ${f.broker} and IB's own fills add up to ${f.fills ?? 'n/a'}: the bot's count is wrong`;
    case 'order.unknown_to_bot':
      return `IB has an order the bot never sent (perm id ${detail.perm_id}, ${detail.order_ref ?? 'no orderRef'}): placed by hand in TWS?`;
    default:
      return `${category} ${key}: ${JSON.stringify(detail.fields ?? [])}`;
  }
}
