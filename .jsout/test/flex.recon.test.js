// Three-way reconciliation (bot · IB live feed · IB Flex statement): each rule of
// recon.check_statement, proved end to end. Method: statements are written with FlexWriter
// and imported with importFlexFile (the real path), the live feed and the bot are put into
// the journal as the relay and the bot write them (test/helpers/recon.ts), and
// recon.reconcile runs; the test reads its summary, recon.breaks and the events it appended.
// The statement is of yesterday (New York), imported today, as IB delivers it; what the live
// feed said on the report date is put in with that day's recorded_at (as superuser). The
// check reads the live positions and cash nearest the report date's close (the next New
// York midnight): IB's latest complete snapshot moved there by the live fills between, and
// the cash balance on either side of the close with no fill between it and the close.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { importFlexFile } from "../agent/flex/import.js";
import { addDays, FlexWriter, mulDec, negDec, newYorkInstant, newYorkWallClock, tradeRow } from "../agent/flex/write.js";
import { runCli, testDb } from "./helpers/db.js";
import { ACCOUNT, botFill, botPositions, ibCommission, ibFill, ibPositions, put } from "./helpers/recon.js";
// The days, in New York: T today, Y the statement's day, Y2 the day before.
const T = newYorkWallClock(new Date().toISOString()).date;
const Y = addDays(T, -1);
const Y2 = addDays(T, -2);
const ny = newYorkInstant;
const EVENING_Y = ny(Y, '20:30:00'); // the relay's last words of day Y (before its New York midnight)
const CLOSE_Y = ny(T, '00:00:00'); // the report date's end: the positions and cash compared are as of then
// Times after CLOSE_Y and before `nowMs`: fraction k of the way (so in the past however early today the test runs).
const sinceClose = (nowMs, k) => new Date(Date.parse(CLOSE_Y) + Math.floor((nowMs - Date.parse(CLOSE_Y)) * k)).toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-flex-recon-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
let txnNo = 3_100_000_000;
const txnOf = new Map();
const txn = (f) => {
    if (f.txn)
        return f.txn;
    if (!txnOf.has(f.execId))
        txnOf.set(f.execId, String(txnNo += 2));
    return txnOf.get(f.execId);
};
function flexFill(f) {
    return {
        account: ACCOUNT, execId: f.execId, transactionId: txn(f), tradeId: String(Number(txn(f)) + 1), orderId: '4815162342',
        conId: f.conId ?? '265598', symbol: f.symbol ?? 'AAPL', side: f.side ?? 'BUY', quantity: f.qty ?? '100', price: f.price ?? '187.25',
        commission: f.commission ?? '1.00', time: f.at,
    };
}
// A Trade Confirmation row: the same facts under the TradeConfirm attribute names.
function confirmRow(w, f) {
    const { ibExecID, ibOrderID, tradePrice, ibCommission: c, ibCommissionCurrency, settleDateTarget, ...rest } = tradeRow(w, f);
    return { ...rest, execID: ibExecID, orderID: ibOrderID, price: tradePrice, commission: c, commissionCurrency: ibCommissionCurrency, settleDate: settleDateTarget };
}
// Write the statement as IB would and import it; returns when it is in the ledger.
async function importStatement(sql, s) {
    const type = s.type ?? 'AF';
    const file = path.join(tmp, `stmt-${++fileNo}.xml`);
    const w = new FlexWriter(file, { type, queryName: type === 'AF' ? 'blotter-daily' : 'blotter-confirms', statements: 1 });
    w.startStatement({ account: ACCOUNT, fromDate: s.from, toDate: s.to, period: '', whenGenerated: s.generated ?? new Date(Date.now() - 60_000).toISOString() });
    if (type === 'TCF') {
        w.open('TradeConfirms');
        for (const f of s.fills ?? [])
            await w.row('TradeConfirm', confirmRow(w, flexFill(f)));
        w.close('TradeConfirms');
    }
    else if (!s.noTrades) {
        w.open('Trades');
        for (const f of s.fills ?? [])
            await w.row('Trade', tradeRow(w, flexFill(f)));
        // A cancellation as IB books it later: its own transaction, pointing at the original.
        for (const c of s.cancels ?? []) {
            const orig = flexFill(c.of);
            await w.row('Trade', tradeRow(w, orig, {
                transactionID: c.txn, tradeID: String(Number(c.txn) + 1), ibExecID: '', transactionType: 'TradeCancel', buySell: `${orig.side} (Ca.)`,
                quantity: negDec(orig.side === 'BUY' ? orig.quantity : '-' + orig.quantity), origTransactionID: txn(c.of), notes: 'Ca', reportDate: w.d(s.to),
            }));
        }
        w.close('Trades');
    }
    if (type === 'AF') {
        if (s.positions) {
            w.open('OpenPositions');
            for (const p of s.positions) {
                await w.row('OpenPosition', {
                    accountId: ACCOUNT, currency: 'USD', fxRateToBase: '1', assetCategory: 'STK', symbol: p.symbol, description: p.symbol, conid: p.conId,
                    multiplier: '1', reportDate: w.d(s.to), position: p.qty, markPrice: '190', positionValue: mulDec(p.qty, '190'), openPrice: '187.25',
                    costBasisPrice: '187.25', costBasisMoney: mulDec(p.qty, '187.25'), fifoPnlUnrealized: '0', side: p.qty.startsWith('-') ? 'Short' : 'Long',
                    levelOfDetail: 'SUMMARY',
                });
            }
            w.close('OpenPositions');
        }
        if (s.cash) {
            w.open('CashReport');
            for (const c of [...s.cash, { currency: 'BASE_SUMMARY', ending: '999999.99' }]) {
                await w.row('CashReportCurrency', {
                    accountId: ACCOUNT, currency: c.currency, levelOfDetail: c.currency === 'BASE_SUMMARY' ? 'BaseCurrency' : 'Currency',
                    fromDate: w.d(s.from), toDate: w.d(s.to), startingCash: '0', endingCash: c.ending, endingSettledCash: c.ending,
                });
            }
            w.close('CashReport');
        }
    }
    w.endStatement();
    await w.end();
    const r = await importFlexFile(sql, file);
    if (r.statements.length !== 1 || !r.statements[0].new)
        throw new Error(`${file}: not imported as a new statement`);
}
// ---- the journal -----------------------------------------------------------------------
// Events as the relay wrote them at a past time (recorded_at is the ledger's, given here as
// superuser may): what the live feed said before or after the report date's close.
async function putRecordedAt(sql, recordedAt, evs) {
    for (const e of evs) {
        await sql `insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, entity_id, account, idempotency_key, payload)
              values (${e.stream ?? (e.source === 'ib' ? `ib:${ACCOUNT}` : 'bot')}, ${recordedAt}::text::timestamptz,
                      ${e.at ?? recordedAt}::text::timestamptz, ${e.source ?? 'bot'}, ${e.type}, ${e.entity ?? null},
                      ${e.account === undefined ? ACCOUNT : e.account}, ${e.key ?? null}, ${JSON.stringify(e.payload)}::text::jsonb)`;
    }
}
const cashBalance = (currency, value) => ({ type: 'ib_account_value', source: 'ib', entity: `CashBalance:${currency}`, payload: { key: 'CashBalance', value, currency, account: ACCOUNT } });
const totalCash = (currency, value) => ({ type: 'ib_account_summary', source: 'ib', entity: ACCOUNT, payload: { tag: 'TotalCashValue', value, currency } });
async function run(sql, scope = 'statement', asOf = null) {
    const rows = await sql `select * from recon.reconcile(${ACCOUNT}, ${asOf}::text::timestamptz, ${scope})`;
    return Object.fromEntries(rows.map((r) => [r.entity, r]));
}
const counts = (e) => ({ total: e.total, matched: e.matched, within_tolerance: e.within_tolerance, corrected: e.corrected,
    pending: e.pending, discrepancies: e.discrepancies, skipped: e.skipped });
const findings = async (sql, asOf = null) => Object.fromEntries((await sql `select key, category, outcome, detail from recon.check_statement(${ACCOUNT}, coalesce(${asOf}::text::timestamptz, clock_timestamp()))`)
    .map((f) => [f.key, f]));
const breaks = async (sql) => Object.fromEntries((await sql `select break_id, status, amount::text, detail from recon.breaks where account = ${ACCOUNT} order by 1`).map((r) => [r.break_id, r]));
const nEvents = async (sql) => (await sql `select count(*)::int as n from ledger.events`)[0].n;
const now = async (sql) => (await sql `select clock_timestamp()::text as t`)[0].t;
const recon = async (sql, type) => await sql `select entity_id, occurred_at, account, source, payload from ledger.events where stream = 'recon' and event_type = ${type} order by seq`;
async function fresh(t) {
    return (await testDb(t)).sql;
}
// Two fills of day Y, their positions and cash, as every source should have them.
const F1 = { execId: '0000e0d5.65710a01.01.01', side: 'BUY', qty: '100', price: '187.25', commission: '1.00', at: ny(Y, '10:00:05') };
const F2 = { execId: '0000e0d5.65710a02.01.01', side: 'SELL', qty: '40', price: '415.72', commission: '1.20', at: ny(Y, '14:30:17'), conId: '272093', symbol: 'MSFT' };
const live = (f, o = {}) => ibFill(f.execId, { at: f.at, side: f.side === 'SELL' ? 'SLD' : 'BOT', qty: o.qty ?? f.qty, price: o.price ?? f.price, conId: f.conId });
const bot = (f, o = {}) => botFill(f.execId, { at: f.at, side: f.side, qty: f.qty, price: f.price, ...(o.commission === null ? {} : { commission: o.commission ?? f.commission }) });
// ---- 1 ---------------------------------------------------------------------------------
t.test('all three agree: every statement finding matches and no break opens', async (t) => {
    const sql = await fresh(t);
    await put(sql, [live(F1), ibCommission(F1.execId, '1.00'), live(F2), ibCommission(F2.execId, '1.20'), bot(F1), bot(F2)]);
    await putRecordedAt(sql, EVENING_Y, [
        ...ibPositions('close-y', [{ conId: '265598', qty: '100' }, { conId: '272093', qty: '60', symbol: 'MSFT' }]),
        botPositions([{ conId: 265598, qty: '100' }, { conId: 272093, qty: '60', symbol: 'MSFT' }]),
        cashBalance('USD', '81234.56'),
    ]);
    await importStatement(sql, {
        from: Y, to: Y, fills: [F1, F2],
        positions: [{ conId: '265598', symbol: 'AAPL', qty: '100' }, { conId: '272093', symbol: 'MSFT', qty: '60' }],
        cash: [{ currency: 'USD', ending: '81234.56' }],
    });
    const r = await run(sql);
    t.same(Object.keys(r), ['statement'], 'scope statement runs the statement check alone');
    t.same(counts(r.statement), { total: 5, matched: 5, within_tolerance: 0, corrected: 0, pending: 0, discrepancies: 0, skipped: 0 }, 'two fills, two positions, one currency');
    t.equal(r.statement.status, 'ok');
    const f = await findings(sql);
    t.same(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.category])), {
        [F1.execId]: 'statement.execution_matched', [F2.execId]: 'statement.execution_matched',
        [`position:${Y}:265598`]: 'statement.position_matched', [`position:${Y}:272093`]: 'statement.position_matched',
        [`cash:${Y}:USD`]: 'statement.cash_matched',
    }, 'BASE_SUMMARY is not a currency');
    t.same(f[`position:${Y}:272093`].detail.fields, [{ field: 'quantity', statement: 60, live: 60, bot: 60 }], 'all three quantities named');
    // A full run agrees as well: the executions check matches the bot to the live feed.
    const m = await run(sql, 'manual');
    t.same([m.execution.total, m.execution.matched], [2, 2], 'bot and live fills match by execId');
    t.equal(m.statement.matched, 5);
    t.same(await breaks(sql), {}, 'no break anywhere');
    t.equal((await recon(sql, 'ib_execution')).length + (await recon(sql, 'ib_commission')).length, 0, 'nothing to correct');
});
// ---- 2 ---------------------------------------------------------------------------------
t.test('a statement fill the live feed never sent is backfilled; the full run then holds the bot to it', async (t) => {
    const sql = await fresh(t);
    // The relay was down from Y 19:00 until after midnight: these evening fills never came.
    const lost = { execId: '0000e0d5.65710b01.01.01', side: 'BUY', qty: '25', price: '188.10', commission: '0.35', at: ny(Y, '19:31:07') };
    const botHas = { execId: '0000e0d5.65710b02.01.01', side: 'SELL', qty: '10', price: '188.40', commission: '0.40', at: ny(Y, '23:48:12') };
    const botNoComm = { execId: '0000e0d5.65710b03.01.01', side: 'BUY', qty: '5', price: '188.00', commission: '0.36', at: ny(Y, '23:59:59') };
    await put(sql, [live(F1), ibCommission(F1.execId, '1.00'), bot(F1), bot(botHas), bot(botNoComm, { commission: null })]);
    await importStatement(sql, { from: Y, to: Y, fills: [F1, lost, botHas, botNoComm] });
    const asOf = await now(sql);
    const before = await nEvents(sql);
    const r = await run(sql, 'statement', asOf);
    t.same(counts(r.statement), { total: 4, matched: 1, within_tolerance: 0, corrected: 3, pending: 0, discrepancies: 0, skipped: 0 });
    const f = await findings(sql, asOf);
    t.equal(f[lost.execId].category, 'statement.execution_missing_live');
    t.same(f[lost.execId].detail.fields, [{ field: 'quantity', statement: 25, live: null }]);
    const added = await recon(sql, 'ib_execution');
    t.same(added.map((e) => e.entity_id), [lost.execId, botHas.execId, botNoComm.execId].sort(), 'one ib_execution per missing fill, in stream recon');
    const e = added.find((x) => x.entity_id === lost.execId);
    t.same([e.account, e.source, e.occurred_at.toISOString()], [ACCOUNT, 'system', new Date(lost.at).toISOString()], 'at the statement\'s execution time');
    t.match(e.payload, {
        exec_id: lost.execId, exec_base: '0000e0d5.65710b01.01', side: 'BOT', shares: '25', price: '188.10', commission: '0.35', commission_currency: 'USD',
        contract: { con_id: 265598, symbol: 'AAPL', sec_type: 'STK', currency: 'USD' }, statement_order_id: '4815162342', from_statement: true,
    }, 'in the live feed\'s vocabulary, flagged from_statement, with the statement\'s commission');
    t.ok(e.payload.recon_run, 'naming the run');
    t.same(await breaks(sql), {}, 'a backfill is a correction, not a break');
    // The same run again: the same summary, nothing appended.
    const count = await nEvents(sql);
    t.ok(count > before);
    t.same(await run(sql, 'statement', asOf), r, 'a repeated run says the same');
    t.equal(await nEvents(sql), count, 'and appends nothing');
    // The full run: the executions check compares the bot against the backfilled fills.
    const m = await run(sql, 'manual');
    t.same(counts(m.execution), { total: 4, matched: 2, within_tolerance: 0, corrected: 2, pending: 0, discrepancies: 0, skipped: 0 });
    // What that run saw (its own corrections are recorded after its as_of).
    const seen = m.execution.as_of.toISOString();
    const ex = Object.fromEntries((await sql `select key, category from recon.check_executions(${ACCOUNT}, ${seen}::text::timestamptz)`).map((x) => [x.key, x.category]));
    t.same(ex, {
        [F1.execId]: 'execution.matched', [lost.execId]: 'execution.missing_in_bot', [botHas.execId]: 'execution.matched',
        [botNoComm.execId]: 'execution.commission_missing_in_bot',
    }, 'the bot lacks one backfilled fill, has one by execId, and one without its commission');
    const inferred = await recon(sql, 'execution');
    t.same(inferred.map((x) => [x.entity_id, x.payload.quantity, x.payload.price, x.payload.commission, x.payload.inferred]), [[lost.execId, '25', '188.10', '0.35', true]], 'the bot\'s missing fill is inferred, commission and all');
    const comm = await recon(sql, 'commission');
    t.same(comm.map((x) => [x.entity_id, x.payload.commission]), [[botNoComm.execId, '0.36']], 'a backfilled fill carries its own commission');
    t.same([m.statement.matched, m.statement.corrected], [4, 0], 'the statement now matches the live side');
    t.equal((await recon(sql, 'ib_commission')).length, 0, 'a backfilled fill carries its commission: none is appended for it');
    t.same(await breaks(sql), {});
    t.equal((await recon(sql, 'ib_execution')).length, 3, 'no fill backfilled twice');
    t.ok((await sql `select * from ledger.verify()`).every((x) => x.reason === null), 'the chain verifies');
    t.equal((await sql `select count(*)::int as n from ledger.invalid_events`)[0].n, 0, 'corrections follow the vocabulary');
    // The relay, back, replays the fill (TWS keeps a few days of executions): the statement
    // check reads the relay's copy, and the fill must still count once.
    await put(sql, [live(lost), ibCommission(lost.execId, '0.35')]);
    t.equal((await findings(sql))[lost.execId].category, 'statement.execution_matched');
    // (the backfill and the relay's row share the execId: the relay's stands, alone)
    const ex2 = (await sql `select key, category from recon.check_executions(${ACCOUNT}, clock_timestamp())`).filter((x) => x.key === lost.execId);
    t.same(ex2.map((x) => x.category), ['execution.matched'], 'one finding for the fill');
});
t.test('inside the fill window a statement fill the live feed lacks is pending, and nothing is appended', async (t) => {
    const sql = await fresh(t);
    await put(sql, [botFill('other.01', { at: new Date(Date.now() - 3600_000).toISOString() })]);
    const at = new Date(Math.floor((Date.now() - 30_000) / 1000) * 1000).toISOString();
    const recent = { execId: '0000e0d5.65710c01.01.01', at };
    await importStatement(sql, { type: 'TCF', from: newYorkWallClock(at).date, to: T, fills: [recent] });
    const r = await run(sql);
    t.same([r.statement.pending, r.statement.corrected, r.statement.discrepancies], [1, 0, 0]);
    t.equal((await findings(sql))[recent.execId].category, 'statement.execution_pending_live');
    t.equal((await recon(sql, 'ib_execution')).length, 0, 'nothing appended while the live feed may still send it');
    // The window is the setting: shorter than the fill's age, the same fill is backfilled.
    await sql `select recon.set_setting('fill_window_s', 10, 'test: a fill 30 s old is past the window')`;
    const r2 = await run(sql);
    t.same([r2.statement.pending, r2.statement.corrected], [0, 1]);
    t.same((await recon(sql, 'ib_execution')).map((e) => e.entity_id), [recent.execId]);
});
// ---- 3 ---------------------------------------------------------------------------------
t.test('a live fill whose price or quantity differs from the statement is a break naming both', async (t) => {
    const sql = await fresh(t);
    const P = { ...F1, execId: '0000e0d5.65710d01.01.01' };
    const Q = { ...F1, execId: '0000e0d5.65710d02.01.01' };
    const W = { ...F1, execId: '0000e0d5.65710d03.01.01' };
    // (with their commission reports: a fill of an earlier day without one is a commission correction, test 5)
    await put(sql, [live(P, { price: '187.30' }), live(Q, { qty: '90' }), live(W, { price: '187.2501' }),
        ...[P, Q, W].map((f) => ibCommission(f.execId, '1.00'))]);
    await importStatement(sql, { from: Y, to: Y, fills: [P, Q, W] });
    const r = await run(sql);
    t.same(counts(r.statement), { total: 3, matched: 0, within_tolerance: 1, corrected: 0, pending: 0, discrepancies: 2, skipped: 0 });
    t.equal(r.statement.status, 'breaks');
    const b = await breaks(sql);
    t.same(Object.keys(b), [`statement.execution_live_differs:${P.execId}`, `statement.execution_live_differs:${Q.execId}`]);
    t.same(b[`statement.execution_live_differs:${P.execId}`].detail, {
        source: 'statement', transaction_id: txn(P), live_exec_id: P.execId, fields: [{ field: 'price', statement: 187.25, live: 187.3, difference: 0.05 }],
    });
    t.same(b[`statement.execution_live_differs:${Q.execId}`].detail.fields, [{ field: 'quantity', statement: 100, live: 90, difference: -10 }]);
    t.equal(b[`statement.execution_live_differs:${Q.execId}`].amount, '1872.50', 'the money at stake');
    t.equal((await recon(sql, 'ib_execution')).length, 0, 'a difference is not corrected: a person looks');
    // IB corrects the fill on the live feed (execId .02): the break clears.
    await put(sql, [ibFill('0000e0d5.65710d02.01.02', { at: Q.at, qty: '100' }), ibCommission('0000e0d5.65710d02.01.02', '1.00')]);
    await run(sql);
    const b2 = await breaks(sql);
    t.equal(b2[`statement.execution_live_differs:${Q.execId}`].status, 'cleared', 'the live correction matches the statement');
    t.equal(b2[`statement.execution_live_differs:${P.execId}`].status, 'open');
});
// ---- 4 ---------------------------------------------------------------------------------
t.test('a live fill the statement lacks on a day it covers, or cancelled, is a break; days it does not cover are not judged', async (t) => {
    const sql = await fresh(t);
    const C = { ...F1, execId: '0000e0d5.65710e01.01.01', at: ny(Y2, '11:00:00') };
    const missing = { ...F1, execId: '0000e0d5.65710e02.01.01', at: ny(Y, '15:59:58') };
    const uncovered = { ...F1, execId: '0000e0d5.65710e03.01.01', at: ny(addDays(T, -5), '10:00:00') };
    const today = { ...F1, execId: '0000e0d5.65710e04.01.01', at: ny(T, '00:00:01') };
    await put(sql, [live(C), ibCommission(C.execId, '1.00'), live(missing), live(uncovered), live(today)]);
    await importStatement(sql, { from: Y2, to: Y2, fills: [C] });
    const beforeCancel = await now(sql);
    await importStatement(sql, { from: Y, to: Y, cancels: [{ of: C, txn: '3199999990' }] });
    const f = await findings(sql);
    t.same(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [v.category, v.outcome]])), {
        [C.execId]: ['statement.execution_cancelled', 'discrepancy'],
        [missing.execId]: ['statement.execution_missing_in_statement', 'discrepancy'],
    }, 'the fill 5 days back and today\'s are on days no statement covers');
    t.same(f[C.execId].detail, { source: 'live', cancelled_by_transaction_id: '3199999990', fields: [{ field: 'quantity', statement: 0, live: 100 }] });
    t.same(f[missing.execId].detail, { source: 'live', cancelled_by_transaction_id: null, fields: [{ field: 'quantity', statement: null, live: 100 }] });
    t.same((await findings(sql, beforeCancel))[C.execId].category, 'statement.execution_matched', 'before the cancellation was imported, the fill stood');
    const r = await run(sql);
    t.same([r.statement.total, r.statement.discrepancies, r.statement.corrected], [2, 2, 0]);
    t.same(Object.keys(await breaks(sql)), [`statement.execution_cancelled:${C.execId}`, `statement.execution_missing_in_statement:${missing.execId}`]);
    t.equal((await recon(sql, 'ib_execution')).length, 0);
});
t.test('a statement generated during its day does not judge the live fills after it', async (t) => {
    const sql = await fresh(t);
    const sec = (msAgo) => new Date(Math.floor((Date.now() - msAgo) / 1000) * 1000).toISOString();
    const generated = sec(20 * 60_000);
    const held = { ...F1, execId: '0000e0d5.65710e11.01.01', at: sec(30 * 60_000) };
    const lacked = { ...F1, execId: '0000e0d5.65710e12.01.01', at: sec(25 * 60_000) };
    const justBefore = { ...F1, execId: '0000e0d5.65710e13.01.01', at: sec(20 * 60_000 + 30_000) };
    const after = { ...F1, execId: '0000e0d5.65710e14.01.01', at: sec(10 * 60_000) };
    await put(sql, [live(held), live(lacked), live(justBefore), live(after)]);
    // A Trade Confirmation pulled at `generated` (same day, as IB offers it).
    await importStatement(sql, { type: 'TCF', from: newYorkWallClock(held.at).date, to: T, generated, fills: [held] });
    t.same(Object.fromEntries(Object.entries(await findings(sql)).map(([k, v]) => [k, v.category])), {
        [held.execId]: 'statement.execution_matched', [lacked.execId]: 'statement.execution_missing_in_statement',
    }, 'a fill after the statement was generated, or within the fill window before, is not missing from it');
});
// ---- 5 ---------------------------------------------------------------------------------
t.test('commission: the statement\'s is final for a fill before today, and corrects the live one', async (t) => {
    const sql = await fresh(t);
    const old = { ...F1, execId: '0000e0d5.65710f01.01.01', commission: '1.005' };
    const within = { ...F1, execId: '0000e0d5.65710f02.01.01', commission: '1.005' };
    const todayAt = new Date(Math.max(Date.parse(ny(T, '00:00:01')), Date.now() - 3600_000)).toISOString();
    const fresh_ = { ...F1, execId: '0000e0d5.65710f03.01.01', commission: '1.005', at: todayAt };
    // Live fills whose commission report never came: of day Y (the statement's is final), and of today (not yet).
    const noReport = { ...F1, execId: '0000e0d5.65710f04.01.01', commission: '0.85' };
    const noReportToday = { ...fresh_, execId: '0000e0d5.65710f05.01.01' };
    await put(sql, [
        live(old), ibCommission(old.execId, '1.50'), live(within), ibCommission(within.execId, '1.00'), live(fresh_), ibCommission(fresh_.execId, '1.50'),
        live(noReport), live(noReportToday),
        bot(old, { commission: '1.50' }), bot(within, { commission: '1.00' }), bot(fresh_, { commission: '1.50' }), bot(noReport), bot(noReportToday),
    ]);
    await importStatement(sql, { from: Y, to: Y, fills: [old, within, noReport] });
    await importStatement(sql, { type: 'TCF', from: T, to: T, fills: [fresh_, noReportToday] });
    const asOf = await now(sql);
    const r = await run(sql, 'statement', asOf);
    t.same(counts(r.statement), { total: 5, matched: 3, within_tolerance: 0, corrected: 2, pending: 0, discrepancies: 0, skipped: 0 });
    const before = await findings(sql, asOf);
    t.same(Object.fromEntries(Object.entries(before).map(([k, v]) => [k, [v.category, v.outcome]])), {
        [old.execId]: ['statement.commission_live_differs', 'corrected'], [within.execId]: ['statement.execution_matched', 'matched'],
        [fresh_.execId]: ['statement.execution_matched', 'matched'], [noReport.execId]: ['statement.commission_missing_live', 'corrected'],
        [noReportToday.execId]: ['statement.execution_matched', 'matched'],
    }, 'what the run saw: a final commission that differs, or that the live feed never reported, is corrected');
    t.same(before[noReport.execId].detail.fields, [{ field: 'commission', statement: 0.85, live: null, difference: null }]);
    t.same(before[old.execId].detail.fields, [{ field: 'commission', statement: 1.005, live: 1.5, difference: 0.495 }]);
    const f = await findings(sql);
    t.same([old, within, fresh_, noReport, noReportToday].map((x) => f[x.execId].category), Array(5).fill('statement.execution_matched'), 'once corrected, the final commission matches');
    const added = await recon(sql, 'ib_commission');
    t.same(added.map((e) => [e.entity_id, e.account, e.payload.exec_id, e.payload.commission, e.payload.currency, e.payload.from_statement]).sort(), [[old.execId, ACCOUNT, old.execId, '1.005', 'USD', true], [noReport.execId, ACCOUNT, noReport.execId, '0.85', 'USD', true]], 'only the T-1 fills, beyond tolerance or without a report: today\'s commission is not final yet');
    t.same(await breaks(sql), {}, 'a commission correction is not a break');
    // The executions check now holds the bot to the final commission.
    const m = await run(sql, 'executions');
    t.equal(m.execution.discrepancies, 1);
    const b = await breaks(sql);
    t.same(Object.keys(b), [`execution.commission_mismatch:${old.execId}`]);
    t.same(b[`execution.commission_mismatch:${old.execId}`].detail.fields, [{ field: 'commission', broker: 1.005, bot: 1.5, difference: 0.495 }]);
    await run(sql);
    t.equal((await recon(sql, 'ib_commission')).length, 2, 'a later run corrects nothing twice');
});
// ---- 6 ---------------------------------------------------------------------------------
t.test('positions at the report date: against the live snapshot moved to its close, else the bot, else not compared', async (t) => {
    const stmt = { from: Y, to: Y, positions: [{ conId: '265598', symbol: 'AAPL', qty: '100' }, { conId: '272093', symbol: 'MSFT', qty: '40' }] };
    const categories = async (sql, asOf = null) => Object.fromEntries(Object.entries(await findings(sql, asOf)).filter(([k]) => k.startsWith('position:')).map(([k, v]) => [k.slice(`position:${Y}:`.length), v.category]));
    const liveQty = async (sql, asOf = null) => Object.fromEntries(Object.entries(await findings(sql, asOf)).filter(([k]) => k.startsWith('position:')).map(([k, v]) => [k.slice(`position:${Y}:`.length), v.detail.fields[0].live]));
    t.test('live snapshot differs', async (t) => {
        const sql = await fresh(t);
        await putRecordedAt(sql, EVENING_Y, [
            ...ibPositions('close-y', [{ conId: '265598', qty: '100' }, { conId: '272093', qty: '50', symbol: 'MSFT' }, { conId: '8314', qty: '7', symbol: 'IBM' }]),
            botPositions([{ conId: 265598, qty: '100' }, { conId: 272093, qty: '40', symbol: 'MSFT' }]),
        ]);
        // The bot's side is its snapshot at the close: what it says today is not read.
        await put(sql, [botPositions([{ conId: 265598, qty: '100' }, { conId: 272093, qty: '50', symbol: 'MSFT' }, { conId: 8314, qty: '7', symbol: 'IBM' }])]);
        await importStatement(sql, stmt);
        t.same(await categories(sql), { 265598: 'statement.position_matched', 272093: 'statement.position_live_differs', 8314: 'statement.position_live_differs' }, 'the live side disagrees, even where the bot agrees; a live position the statement lacks is flat there');
        const f = await findings(sql);
        t.same(f[`position:${Y}:272093`].detail, { report_date: Y, con_id: 272093, symbol: 'MSFT', fields: [{ field: 'quantity', statement: 40, live: 50, bot: 40 }] });
        t.same(f[`position:${Y}:8314`].detail.fields, [{ field: 'quantity', statement: 0, live: 7, bot: 0 }]);
        await run(sql);
        t.same(Object.keys(await breaks(sql)), [`statement.position_live_differs:position:${Y}:272093`, `statement.position_live_differs:position:${Y}:8314`]);
    });
    t.test('a snapshot taken after the report date is rolled back to its close by the live fills between', async (t) => {
        const sql = await fresh(t);
        const nowMs = Date.now();
        // An older snapshot (the evening of Y), superseded by today's.
        await putRecordedAt(sql, EVENING_Y, ibPositions('close-y', [{ conId: '265598', qty: '999' }]));
        // Fills after the close, before today's snapshot: +20 AAPL corrected to +30 (counted once, as corrected), −10 MSFT.
        await put(sql, [
            ibFill('0000e0d5.65711201.01.01', { at: sinceClose(nowMs, 0.2), qty: '20' }), ibFill('0000e0d5.65711201.01.02', { at: sinceClose(nowMs, 0.2), qty: '30' }),
            ibFill('0000e0d5.65711202.01.01', { at: sinceClose(nowMs, 0.4), side: 'SLD', qty: '10', conId: '272093' }),
        ]);
        await importStatement(sql, stmt);
        const beforeSnapshot = await now(sql);
        await put(sql, ibPositions('today', [{ conId: '265598', qty: '130' }, { conId: '272093', qty: '30', symbol: 'MSFT' }]));
        await sleep(20);
        // A fill after today's snapshot (not in it, so not taken back), and a snapshot never completed.
        await put(sql, [ibFill('0000e0d5.65711203.01.01', { at: new Date().toISOString(), qty: '5' })]);
        await put(sql, ibPositions('incomplete', [{ conId: '265598', qty: '1' }], false));
        t.same(await liveQty(sql), { 265598: 100, 272093: 40 }, 'today\'s 130 AAPL less the 30 bought since the close; 30 MSFT plus the 10 sold');
        t.same(await categories(sql), { 265598: 'statement.position_matched', 272093: 'statement.position_matched' });
        // As of before today's snapshot, the evening's is the latest: fills after the close are not added to it.
        t.same(await liveQty(sql, beforeSnapshot), { 265598: 999, 272093: 0 }, 'the evening snapshot as it was');
        t.same(await categories(sql, beforeSnapshot), { 265598: 'statement.position_live_differs', 272093: 'statement.position_live_differs' });
        const r = await run(sql);
        t.same([r.statement.matched, r.statement.discrepancies], [2, 0]);
    });
    t.test('a snapshot taken before the close is moved to it by the live fills after it', async (t) => {
        const sql = await fresh(t);
        const nowMs = Date.now();
        // The agent has run since the morning of Y: its snapshot then, and the day's fills.
        await putRecordedAt(sql, ny(Y, '09:00:00'), ibPositions('morning-y', [
            { conId: '265598', qty: '50' }, { conId: '272093', qty: '60', symbol: 'MSFT' }, { conId: '8314', qty: '7', symbol: 'IBM' },
        ]));
        await put(sql, [
            ibFill('0000e0d5.65711301.01.01', { at: ny(Y, '08:00:00'), qty: '50' }), // before the snapshot: in it already
            ibFill('0000e0d5.65711302.01.01', { at: ny(Y, '10:00:05'), qty: '50' }),
            ibFill('0000e0d5.65711303.01.01', { at: ny(Y, '14:30:17'), side: 'SLD', qty: '40', conId: '272093' }),
            ibFill('0000e0d5.65711304.01.01', { at: sinceClose(nowMs, 0.5), qty: '5' }), // after the close: not the report date's
        ]);
        await importStatement(sql, { ...stmt, positions: [...stmt.positions.slice(0, 1), { conId: '272093', symbol: 'MSFT', qty: '20' }, { conId: '8314', symbol: 'IBM', qty: '7' }] });
        t.same(await liveQty(sql), { 265598: 100, 272093: 20, 8314: 7 }, 'the snapshot plus the fills between it and the close');
        t.same(await categories(sql), { 265598: 'statement.position_matched', 272093: 'statement.position_matched', 8314: 'statement.position_matched' });
    });
    t.test('no complete live snapshot, the bot differs', async (t) => {
        const sql = await fresh(t);
        await putRecordedAt(sql, EVENING_Y, [botPositions([{ conId: 265598, qty: '90' }, { conId: 272093, qty: '40', symbol: 'MSFT' }])]);
        await put(sql, ibPositions('today', [{ conId: '265598', qty: '100' }, { conId: '272093', qty: '40', symbol: 'MSFT' }], false)); // never completed
        await importStatement(sql, stmt);
        t.same(await categories(sql), { 265598: 'statement.position_bot_differs', 272093: 'statement.position_matched' });
        t.same((await findings(sql))[`position:${Y}:265598`].detail.fields, [{ field: 'quantity', statement: 100, live: null, bot: 90 }]);
        const r = await run(sql);
        t.same([r.statement.discrepancies, r.statement.matched], [1, 1]);
    });
    t.test('neither: skipped', async (t) => {
        const sql = await fresh(t);
        await put(sql, [botPositions([{ conId: 265598, qty: '1' }])]); // today's, after the report date
        await importStatement(sql, stmt);
        t.same(await categories(sql), { 265598: 'statement.position_not_compared', 272093: 'statement.position_not_compared' });
        const r = await run(sql);
        t.same([r.statement.skipped, r.statement.discrepancies, r.statement.status], [2, 0, 'not_compared']);
    });
});
// ---- 7 ---------------------------------------------------------------------------------
t.test('cash: the statement\'s ending cash per currency against IB\'s balance nearest the report date\'s close', async (t) => {
    const cash = async (sql) => Object.fromEntries(Object.entries(await findings(sql)).filter(([k]) => k.startsWith('cash:')));
    t.test('the balance before the close, no fill between', async (t) => {
        const sql = await fresh(t);
        await putRecordedAt(sql, EVENING_Y, [cashBalance('USD', '81234.565'), cashBalance('EUR', '500.00'), cashBalance('BASE', '81800.00')]);
        await put(sql, [cashBalance('USD', '1.00')]); // today's balance: the evening's, nearer the close and with no fill between, stands
        await importStatement(sql, { from: Y, to: Y, cash: [{ currency: 'USD', ending: '81234.56' }, { currency: 'EUR', ending: '512.25' }, { currency: 'GBP', ending: '10' }] });
        const f = await cash(sql);
        t.same(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [v.category, v.outcome]])), {
            [`cash:${Y}:USD`]: ['statement.cash_matched', 'matched'],
            [`cash:${Y}:EUR`]: ['statement.cash_live_differs', 'discrepancy'],
            [`cash:${Y}:GBP`]: ['statement.cash_not_compared', 'skipped'],
        }, 'within a cent; off by 12.25; no live balance');
        t.same(f[`cash:${Y}:EUR`].detail, { report_date: Y, currency: 'EUR', reason: null, fields: [{ field: 'cash.EUR', statement: 512.25, live: 500, difference: -12.25 }] });
        t.same(f[`cash:${Y}:GBP`].detail, { report_date: Y, currency: 'GBP', reason: 'no cash balance from IB', fields: [{ field: 'cash.GBP', statement: 10, live: null, difference: null }] });
        await run(sql);
        const b = await breaks(sql);
        t.same(Object.keys(b), [`statement.cash_live_differs:cash:${Y}:EUR`]);
        t.equal(b[`statement.cash_live_differs:cash:${Y}:EUR`].amount, '12.25');
    });
    t.test('the first balance after the close when a fill came between the last before and the close; neither when fills came on both sides', async (t) => {
        const sql = await fresh(t);
        const nowMs = Date.now();
        await putRecordedAt(sql, ny(Y, '12:00:00'), [cashBalance('USD', '70000.00'), cashBalance('EUR', '100.00')]);
        await put(sql, [live(F2)]); // Y 14:30: the noon balances are not the close's
        // After the close: USD's first CashBalance (its TotalCashValue, earlier, gives way to it), CHF's TotalCashValue alone.
        await putRecordedAt(sql, sinceClose(nowMs, 0.1), [totalCash('USD', '5.00'), totalCash('CHF', '250.00')]);
        await putRecordedAt(sql, sinceClose(nowMs, 0.2), [cashBalance('USD', '81234.56')]);
        await put(sql, [ibFill('0000e0d5.65711401.01.01', { at: sinceClose(nowMs, 0.4) })]);
        // After that fill: not the close's, though EUR's is right.
        await putRecordedAt(sql, sinceClose(nowMs, 0.6), [cashBalance('USD', '1.00'), cashBalance('EUR', '512.25')]);
        await importStatement(sql, { from: Y, to: Y, cash: [{ currency: 'USD', ending: '81234.56' }, { currency: 'EUR', ending: '512.25' }, { currency: 'CHF', ending: '250' }] });
        const f = await cash(sql);
        t.same(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [v.category, v.outcome, v.detail.fields[0].live]])), {
            [`cash:${Y}:USD`]: ['statement.cash_matched', 'matched', 81234.56],
            [`cash:${Y}:EUR`]: ['statement.cash_not_compared', 'skipped', null],
            [`cash:${Y}:CHF`]: ['statement.cash_matched', 'matched', 250],
        });
        t.equal(f[`cash:${Y}:EUR`].detail.reason, 'fills happened between IB\'s cash balances and the close of the report date');
    });
});
// ---- 8 ---------------------------------------------------------------------------------
t.test('a run as of a time before any statement was imported has no statement finding; a repeated run appends nothing', async (t) => {
    const sql = await fresh(t);
    await put(sql, [live(F1), ibCommission(F1.execId, '1.00')]);
    const before = await now(sql);
    await importStatement(sql, { from: Y, to: Y, fills: [F1, { ...F1, execId: '0000e0d5.65711001.01.01' }], cash: [{ currency: 'USD', ending: '5' }] });
    const early = await run(sql, 'statement', before);
    t.same(counts(early.statement), { total: 0, matched: 0, within_tolerance: 0, corrected: 0, pending: 0, discrepancies: 0, skipped: 0 }, 'an account without statements (yet) is not "not compared" on every run');
    t.equal(early.statement.status, 'ok');
    t.same(await findings(sql, before), {}, 'no finding at all');
    t.equal((await recon(sql, 'ib_execution')).length, 0, 'the fill the live feed lacks is not backfilled by a run before the import');
    const asOf = await now(sql);
    const first = await run(sql, 'statement', asOf);
    const n = await nEvents(sql);
    t.same(await run(sql, 'statement', asOf), first, 'the same summary, the same run id');
    t.equal(await nEvents(sql), n, 'nothing appended: no correction, break or run twice');
    t.same(await run(sql, 'statement', before), early, 'the past run repeats exactly, whatever came since');
});
// ---- 9 ---------------------------------------------------------------------------------
t.test('a statement judges only what its query holds: no trades section, no fill judged; no positions section, no position; one cash row per currency and day', async (t) => {
    const sql = await fresh(t);
    await put(sql, [live(F1), ibCommission(F1.execId, '1.00')]);
    await putRecordedAt(sql, EVENING_Y, [...ibPositions('close-y', [{ conId: '265598', qty: '100' }]), cashBalance('USD', '500.25')]);
    await importStatement(sql, { from: Y, to: Y, noTrades: true, cash: [{ currency: 'USD', ending: '500.25' }] });
    // a month-to-date statement of the same query ends the same day
    await importStatement(sql, { from: addDays(Y, -6), to: Y, noTrades: true, cash: [{ currency: 'USD', ending: '500.25' }] });
    const f = await sql `select key, category from recon.check_statement(${ACCOUNT}, clock_timestamp()) order by key`;
    t.same(f.map((r) => [r.key, r.category]), [[`cash:${Y}:USD`, 'statement.cash_matched']], 'the live fill is not missing from a statement without trades, no position is compared without positions, the cash once');
    const [st] = await sql `select sections from ledger.flex_statements order by seq limit 1`;
    t.same(st.sections, ['CashReport'], 'the statement records which sections it held');
});
t.test('a past run repeats exactly when an Activity statement follows the Trade Confirmation', async (t) => {
    const sql = await fresh(t);
    await put(sql, [live(F1), ibCommission(F1.execId, '1.00')]);
    await importStatement(sql, { type: 'TCF', from: Y, to: Y, fills: [F1], generated: ny(T, '00:30:00') });
    const asOf = await now(sql);
    await sleep(5);
    const before = (await findings(sql, asOf))[F1.execId];
    t.equal(before?.category, 'statement.execution_matched');
    await importStatement(sql, { from: Y, to: Y, fills: [F1] });
    t.same((await findings(sql, asOf))[F1.execId], before, 'the same finding as of the same time');
    t.equal((await findings(sql))[F1.execId]?.category, 'statement.execution_matched', 'and now, from the Activity statement');
    t.same((await sql `select statement_type from ledger.flex_trades`).map((r) => r.statement_type), ['AF']);
});
t.test('odd rows never fail a run or a view; a fill corrected and then cancelled is one finding', async (t) => {
    const sql = await fresh(t);
    await put(sql, [live(F1), ibCommission(F1.execId, '1.00')]);
    const F1b = { ...F1, execId: F1.execId, txn: '7770002', price: '187.26' };
    await importStatement(sql, {
        from: Y, to: Y, fills: [F1],
        cancels: [{ of: F1, txn: '7770001' }],
    });
    // the correction (same execution id), then its own cancellation, in later statements
    await importStatement(sql, { from: Y, to: Y, fills: [F1b], generated: new Date(Date.now() - 30_000).toISOString() });
    await importStatement(sql, { from: Y, to: Y, cancels: [{ of: F1b, txn: '7770003' }], generated: new Date(Date.now() - 20_000).toISOString() });
    const rows = await sql `select key, category from recon.check_statement(${ACCOUNT}, clock_timestamp())`;
    t.same(rows.map((r) => [r.key, r.category]), [[F1.execId, 'statement.execution_cancelled']], 'one finding for the one live fill');
    // Rows no importer writes, as a hand-made append could: a run and the views read them as NULL.
    await put(sql, [
        { type: 'flex_trade', source: 'flex', stream: `flex:${ACCOUNT}`, entity: 'odd', key: 'odd:1',
            payload: { section: 'Trades', exec_id: '0000e0d5.6571ffff.01.01', cancel: 'perhaps', codes: 'P', dates: { dateTime: '2026-02-30T25:00:00Z', tradeDate: '2026-02-30' }, raw: { quantity: 'x' } } },
        { type: 'flex_statement', source: 'flex', stream: `flex:${ACCOUNT}`, entity: 'odd', key: 'odd:2', payload: { type: 'AF', from_date: '2026-02-30', to_date: Y, sections: 'all' } },
        { ...live({ ...F2, at: ny(Y, '11:00:00') }), payload: { ...live(F2).payload, from_statement: 'maybe' } },
    ]);
    const again = await sql `select count(*)::int as n from recon.check_statement(${ACCOUNT}, clock_timestamp())`;
    t.ok(again[0].n >= 1, 'the check runs');
    for (const v of ['flex_trade_rows', 'flex_trades', 'flex_fills', 'flex_statements', 'account_cash_flows']) {
        await t.resolves(sql.unsafe(`select * from ledger.${v}`), `ledger.${v} reads`);
    }
    const [odd] = await sql `select trade_date, trade_time, cancel, codes, quantity from ledger.flex_trade_rows where exec_id = '0000e0d5.6571ffff.01.01'`;
    t.same(odd, { trade_date: null, trade_time: odd.trade_time, cancel: false, codes: [], quantity: null });
});
t.test('blotter recon run --scope statement prints the statement entity and its breaks', async (t) => {
    const { sql, url } = await testDb(t);
    const P = { ...F1, execId: '0000e0d5.65711101.01.01' };
    await put(sql, [live(F1), ibCommission(F1.execId, '1.00'), live(P, { price: '187.30' }), ibCommission(P.execId, '1.00')]);
    await importStatement(sql, { from: Y, to: Y, fills: [F1, P] });
    const r = await runCli(['recon', 'run', '--account', ACCOUNT, '--scope', 'statement'], { env: { DATABASE_URL: url } });
    t.equal(r.code, 1, `a break: exit 1 (${r.stderr})`);
    t.match(r.stdout, new RegExp(`^${ACCOUNT}  as of \\S+  scope statement  run [0-9a-f-]{36}\\n`));
    t.match(r.stdout, /\n {2}entity +compared +matched .*\n {2}statement +2 +1 +0 +0 +0 +1 +breaks\n/, 'the statement entity, alone');
    t.notMatch(r.stdout, /\n {2}execution /, 'no other entity');
    t.match(r.stdout, new RegExp(`statement\\.execution_live_differs +${P.execId.replaceAll('.', '\\.')}`), 'the break, by category and key');
    t.match(r.stdout, /price: statement 187\.25, live 187\.30 \(\+0\.05\)/, 'the values by source');
    t.notMatch(r.stdout, /broker none/, 'not the broker/bot wording');
    const j = await runCli(['recon', 'run', '--account', ACCOUNT, '--scope', 'statement', '--json'], { env: { DATABASE_URL: url } });
    const out = JSON.parse(j.stdout);
    t.same(out.runs[0].entities, [{ entity: 'statement', total: 2, matched: 1, within_tolerance: 0, corrected: 0, pending: 0, discrepancies: 1, skipped: 0, status: 'breaks' }]);
});
