// `blotter demo`: the whole thing with no IB account. An embedded database, the TWS
// simulator playing a scripted trading day, and the agent relaying it; then a count of
// what landed and a verification of the chain.
import fs from 'node:fs';
import { startAgent } from '../agent.ts';
import { loadConfig } from '../config.ts';
import { connect } from '../db/connect.ts';
import { makeTempHome, startServer, stopServer } from '../db/server.ts';
import { verifyLedger } from '../ledger/verify.ts';
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
  try {
    // The bot's side: the order it placed.
    await fetch(`${agent.url}/v1/events`, {
      method: 'POST', headers: { authorization: 'Bearer demo-token', 'content-type': 'application/json' },
      body: JSON.stringify([{ event_type: 'order_submitted', occurred_at: '2026-11-26T14:30:00.000Z', account: ACCOUNT, idempotency_key: 'demo:order:101',
        payload: { client_order_id: '101', order_ref: 'demo:101', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 }, side: 'BUY', quantity: '150', order_type: 'LMT', limit_price: '187.30', tif: 'DAY', decision_price: '187.20' } }]),
    });
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
  } finally {
    await sql.end({ timeout: 2 });
    await stopServer(home);
    if (!opts.keep) fs.rmSync(home, { recursive: true, force: true });
  }
  return ok;
}
