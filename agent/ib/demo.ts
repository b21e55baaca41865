// `blotter demo`: the whole thing with no IB account. An embedded database, the TWS
// simulator playing a scripted trading day, the agent relaying it and the bot's own
// records; then a count of what landed, a verification of the chain, and a
// reconciliation of the bot's view against IB's, explained in plain words.
import fs from 'node:fs';
import { startAgent } from '../agent.ts';
import { loadConfig } from '../config.ts';
import { connect } from '../db/connect.ts';
import { makeTempHome, startServer, stopServer } from '../db/server.ts';
import { generateDigestKeys, readDigests, signDigest, takeDigest, writeDigestFile } from '../ledger/digest.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { importFlexFile } from '../flex/import.ts';
import { importText } from '../flex/format.ts';
import { FlexWriter, tradeRow, type FlexFill } from '../flex/write.ts';
import path from 'node:path';
import type postgres from 'postgres';
import pino from 'pino';
import { writeFiles } from '../jobs/report_files.ts';
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
    out('');
    await statement(sql, server.url, home, opts.keep, out);
    out('');
    ok = (await keeping(sql, home, out)) && ok;
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
  out('open breaks (a person reviews them: blotter breaks list, then ack / resolve / escalate; or in the review console:');
  out('  with --keep, blotter users add NAME --role reviewer, then blotter start with BLOTTER_CONSOLE_ENABLED=true and open /console):');
  for (const b of open) out(`  [${b.severity}] ${explain(b.category as string, b.key as string, b.detail as Record<string, unknown>)}`);
  const [status] = await sql`select status, reasons from recon.trading_status where account = ${ACCOUNT}`;
  out('');
  out(`trading status: ${status?.status ?? 'halt'}${status?.reasons?.length ? ` (${(status.reasons as string[]).join('; ')})` : ''}`);
}

// The next morning: IB's Activity statement for the day (the broker's book of record, as
// `blotter flex fetch` would bring it), imported and reconciled three ways. It holds one fill
// nobody saw live (an after-hours fill while the agent was down), a deposit, the cash
// report and the day's NAV.
const DAY = '2026-11-26';
async function statement(sql: postgres.Sql, url: string, home: string, keep: boolean, out: (line: string) => void): Promise<void> {
  const file = path.join(home, 'flex-demo-20261126.xml');
  const w = new FlexWriter(file, { type: 'AF', queryName: 'blotter daily', statements: 1 });
  w.startStatement({ account: ACCOUNT, fromDate: DAY, toDate: DAY, period: 'LastBusinessDay', whenGenerated: '2026-11-27T10:12:31Z' });
  const fill = (f: Omit<FlexFill, 'account'>): FlexFill => ({ account: ACCOUNT, ...f });
  const fills: FlexFill[] = [
    fill({ execId: '0000e0d5.6571b0c4.01.01', transactionId: '30401', tradeId: '7001', orderId: '5101', orderRef: 'demo:101', conId: '265598', symbol: 'AAPL', side: 'BUY', quantity: '100', price: '187.25', commission: '1.00', time: '2026-11-26T14:30:01Z' }),
    fill({ execId: '0000e0d5.6571b0c4.02.01', transactionId: '30402', tradeId: '7002', orderId: '5101', orderRef: 'demo:101', conId: '265598', symbol: 'AAPL', side: 'BUY', quantity: '50', price: '187.26', commission: '0.50', time: '2026-11-26T14:30:02Z', notes: 'P' }),
    fill({ execId: '0000e0d5.6571b0c5.01.02', transactionId: '30403', tradeId: '7003', orderId: '5102', orderRef: 'demo:102', conId: '272093', symbol: 'MSFT', side: 'SELL', quantity: '10', price: '415.09', commission: '1.00', time: '2026-11-26T15:01:00Z', openClose: 'O' }),
    fill({ execId: '0000e0d5.6571b0c6.01.01', transactionId: '30404', tradeId: '7004', orderId: '5103', conId: '272093', symbol: 'MSFT', side: 'BUY', quantity: '5', price: '415.00', commission: '1.00', time: '2026-11-26T15:30:00Z', openClose: 'C' }),
    // after hours, while the agent was stopped: only the statement has it
    fill({ execId: '0000e0d5.6571b0c7.01.01', transactionId: '30405', tradeId: '7005', orderId: '5104', orderRef: 'demo:105', conId: '272093', symbol: 'MSFT', side: 'BUY', quantity: '5', price: '414.80', commission: '1.00', time: '2026-11-27T00:45:00Z', openClose: 'C' }),
  ];
  w.open('Trades');
  for (const f of fills) await w.row('Trade', tradeRow(w, f, { tradeDate: w.d(DAY), reportDate: w.d(DAY), settleDateTarget: w.d('2026-11-27') }));
  // what IB's query also writes when "Orders" is ticked: roll-ups, not facts
  await w.row('Order', { accountId: ACCOUNT, currency: 'USD', assetCategory: 'STK', symbol: 'AAPL', conid: '265598', quantity: '150', tradePrice: '187.2533', ibOrderID: '5101', levelOfDetail: 'ORDER' });
  w.close('Trades');
  w.open('OpenPositions');
  await w.row('OpenPosition', { accountId: ACCOUNT, currency: 'USD', fxRateToBase: '1', assetCategory: 'STK', symbol: 'AAPL', conid: '265598', reportDate: w.d(DAY), multiplier: '1', position: '150', markPrice: '188.10', positionValue: '28215', openPrice: '187.2533', costBasisPrice: '187.2533', costBasisMoney: '28088', fifoPnlUnrealized: '127', side: 'Long', levelOfDetail: 'SUMMARY' });
  w.close('OpenPositions');
  w.open('CashTransactions');
  await w.row('CashTransaction', { accountId: ACCOUNT, currency: 'USD', fxRateToBase: '1', dateTime: w.d(DAY) + ';202000', reportDate: w.d(DAY), amount: '5000', type: 'Deposits/Withdrawals', description: 'CASH RECEIPTS / ELECTRONIC FUND TRANSFERS', transactionID: '30410', levelOfDetail: 'DETAIL' });
  await w.row('CashTransaction', { accountId: '-', currency: 'USD', dateTime: w.d(DAY), amount: '5000', type: 'Deposits/Withdrawals', transactionID: '', levelOfDetail: 'SUMMARY' });
  w.close('CashTransactions');
  w.open('CashReport');
  await w.row('CashReportCurrency', { accountId: ACCOUNT, currency: 'USD', levelOfDetail: 'Currency', fromDate: w.d(DAY), toDate: w.d(DAY), startingCash: '95063.50', commissions: '-4.50', deposits: '5000', withdrawals: '0', netTradesSales: '4150.90', netTradesPurchases: '-32235.90', endingCash: '71880.00', endingSettledCash: '71880.00' });
  w.close('CashReport');
  w.open('EquitySummaryInBase');
  await w.row('EquitySummaryByReportDateInBase', { accountId: ACCOUNT, currency: 'USD', reportDate: w.d('2026-11-25'), cash: '95063.50', stock: '0', total: '95063.50' });
  await w.row('EquitySummaryByReportDateInBase', { accountId: ACCOUNT, currency: 'USD', reportDate: w.d(DAY), cash: '71880.00', stock: '28215', total: '100095.00' });
  w.close('EquitySummaryInBase');
  w.endStatement();
  await w.end();

  out('the next morning: IB\'s Activity statement for 2026-11-26 (blotter flex import; the agent fetches it itself with flex.token):');
  const r = await importFlexFile(sql, file);
  for (const l of importText({ ...r, file: path.basename(file) }).slice(1)) out(l);
  out('');
  const three = await sql`select category, outcome, key, detail from recon.check_statement(${ACCOUNT}, now()) order by category, key`;
  const [sum] = await sql`select total, matched, corrected, discrepancies from recon.reconcile(${ACCOUNT}, null, 'statement')`;
  out(`three-way reconciliation, bot · IB live · IB statement (recon.reconcile scope statement): ${sum!.total} compared, ${sum!.matched} matched, ${sum!.corrected} corrected, ${sum!.discrepancies} breaks`);
  for (const f of three) {
    const d = f.detail as Record<string, unknown>;
    const first = ((d.fields as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
    if (f.category === 'statement.execution_matched') out(`  fill ${f.key}: the statement and IB's live feed agree`);
    else if (f.category === 'statement.execution_missing_live') out(`  fill ${f.key}: only the statement has it (${first.statement} shares): appended as a backfilled IB execution`);
    else if (f.category === 'statement.commission_missing_live') out(`  fill ${f.key}: IB's live feed never sent its commission: the statement's final ${Number(first.statement).toFixed(2)} USD appended`);
    else if (f.category === 'statement.position_matched') out(`  position ${d.symbol ?? d.con_id} at the ${d.report_date} close: statement ${first.statement}, live ${first.live ?? 'n/a'}`);
    else if (f.category === 'statement.cash_matched') out(`  cash ${d.currency} at the ${d.report_date} close: statement ${first.statement}, live ${first.live}`);
    else out(`  ${f.category} ${f.key}: ${JSON.stringify(d.fields ?? d)}`);
  }
  const after = await sql`select entity, corrected from recon.reconcile(${ACCOUNT}, null, 'executions')`;
  out(`then the executions check holds the bot to the statement: ${after[0]!.corrected} correction(s) appended to the bot's record`);
  const flows = await sql`select to_char(date, 'YYYY-MM-DD') as date, kind, amount, currency, source from ledger.account_cash_flows where account = ${ACCOUNT} order by date`;
  for (const c of flows) out(`cash flow for performance reporting: ${c.date} ${c.kind} ${c.amount} ${c.currency} (from the ${c.source})`);
  // The agent's reports_refresh task does this after fills and statements; the demo cannot wait for it.
  const refreshed = await sql`select name, duration_ms::float8 as ms from reports.refresh('demo')`;
  out('');
  out(`reports refreshed (reports.refresh, as the agent does after fills, statements and the close): ${refreshed.length} materialized reports in ` +
      `${Math.round(refreshed.reduce((a, r) => a + (r.ms as number), 0))} ms; reports.refreshes says when`);
  const [d] = await sql`select total_trades, fills, total_volume::text, gross_pnl::text, net_pnl::text, commission::text, win_rate::text
                          from reports.daily_summary where account = ${ACCOUNT} and trade_date = ${DAY}::date`;
  if (d) {
    out(`reports.daily_summary for ${DAY}: ${d.fills} fills, volume ${d.total_volume}, ${d.total_trades} round trips closed (FIFO, reports.trades), ` +
        `gross ${d.gross_pnl}, net ${d.net_pnl} ${'USD'}, commissions ${d.commission}, win rate ${d.win_rate === null ? 'n/a' : Number(d.win_rate)}`);
    out(`(with --keep: BLOTTER_HOME=${keep ? home : '<the demo home>'} blotter db start, then psql "$(blotter db url)" on reports.*, ledger.flex_* and recon.*; docs/reports.md defines them)`);
  }
  // The daily task that verifies every chain (verify_chain), so the report can say so.
  await sql`select * from reports.record_chain_verification()`;
  // The files the agent writes 45 minutes after each close (report_daily), recorded with their sha256.
  const files = await writeFiles('daily', { from: DAY, to: DAY, label: DAY }, {
    log: pino({ level: 'silent' }), sql, url, home, sessions: async () => [],
    settings: { dir: '', formats: ['html', 'csv'], daily_enabled: true, monthly_enabled: false, accounts: [ACCOUNT], chromium: '' },
  });
  const recorded = await sql`select file, sha256 from reports.generated_files order by seq`;
  out('');
  out(`daily report files, as the agent writes them after each close (reports.generated_files keeps each one's sha256):`);
  for (const r of recorded) out(`  ${r.file}  sha256 ${String(r.sha256).slice(0, 16)}…`);
  if (files.length && !keep) out(`  (removed with the demo home: blotter demo --keep keeps them; or, on a kept home, blotter report daily --account ${ACCOUNT} --format html --out daily.html)`);
}

// How the record is kept: the retention lock, a signed digest checked against the chain
// (what the digest_export task writes every 15 minutes), and what archive would do.
async function keeping(sql: postgres.Sql, home: string, out: (line: string) => void): Promise<boolean> {
  const policies = await sql`select family, keep::text as keep, locked from retention.policies order by family`;
  out(`kept (retention.policies; blotter retention status): ${policies.map((p) => `${p.family} ${p.keep}${p.locked ? ' locked' : ''}`).join(', ')}`);
  const key = path.join(home, 'demo-signing.key');
  generateDigestKeys(key);
  const digest = signDigest(await takeDigest(sql), key);
  const file = path.join(home, 'demo-digest.json');
  writeDigestFile(file, digest);
  const report = await verifyLedger(sql, { digests: readDigests(file, { publicKeyFile: `${key}.pub` }) });
  const ok = report.every((r) => r.ok);
  out(`signed digest of ${digest.streams.length} stream heads (Ed25519, key ${digest.signature!.keyId.slice(0, 12)}…): signature valid, heads ${ok ? 'in the chain' : 'NOT in the chain'}`);
  const months = await sql`select family, to_char(month, 'YYYY-MM') as month, state from reports.archive_months where state <> 'open' order by family, month`;
  out(months.length ? `archive: ${months.map((m) => `${m.family} ${m.month} ${m.state}`).join(', ')}`
    : 'archive: this month is still open; once it is over, blotter archive writes it to Parquet (a directory or S3), blotter verify-archive checks it from the files alone, and blotter purge drops it only past retention');
  return ok;
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
