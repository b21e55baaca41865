// Reports, first part: the broker's fills once each (live, else statement), round trips
// matched FIFO (long, short, partial closes, a fill through flat, a multiplier), the daily
// summary against figures computed here from the same fills, and blotter_bi reading
// reports and nothing else.
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import t from 'tap';
import { importFlexFile } from "../agent/flex/import.js";
import { FlexWriter, tradeRow } from "../agent/flex/write.js";
import { loginAs, testDb } from "./helpers/db.js";
import { ACCOUNT, ibCommission, ibFill, put, refreshReports } from "./helpers/recon.js";
const at = (day, time) => new Date(`${day}T${time}-05:00`).toISOString(); // New York, standard time
const D1 = '2026-11-23', D2 = '2026-11-24';
// An IB fill with its commission report; an option has its own contract and multiplier.
function fill(id, side, qty, price, comm, when, opt = false) {
    const f = ibFill(id, { side, qty, price, at: when, conId: opt ? '612345678' : '265598' });
    if (opt)
        f.payload.contract = { con_id: '612345678', symbol: 'AAPL', sec_type: 'OPT', currency: 'USD', multiplier: '100', strike: '200', right: 'C' };
    return [f, ibCommission(id, comm)];
}
t.test('round trips FIFO, long and short, through flat, with a multiplier; the daily summary adds them up', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [
        ...fill('0000aa01.00000001.01.01', 'BOT', '100', '10', '1', at(D1, '09:31:00')),
        ...fill('0000aa01.00000002.01.01', 'BOT', '50', '12', '0.5', at(D1, '09:32:00')),
        ...fill('0000aa01.00000003.01.01', 'SLD', '120', '15', '1.2', at(D1, '10:00:00')), // closes 100@10 and 20@12
        ...fill('0000aa01.00000004.01.01', 'SLD', '50', '9', '0.5', at(D1, '11:00:00')), // closes 30@12, opens short 20@9
        ...fill('0000aa01.00000005.01.01', 'BOT', '20', '8', '0.2', at(D2, '10:00:00')), // covers the short
        ...fill('0000aa01.00000006.01.01', 'BOT', '2', '1.5', '1.3', at(D2, '10:30:00'), true),
        ...fill('0000aa01.00000007.01.01', 'SLD', '2', '2.05', '1.3', at(D2, '15:00:00'), true),
    ]);
    await refreshReports(sql);
    const trades = await sql `select direction, quantity::text, entry_price, exit_price::text, gross_pnl::text, commission::text, net_pnl::text,
                                  open_exec_ids, close_exec_id, close_trade_date::text, sec_type, multiplier::text, holding_time::text
                             from reports.trades where account = ${ACCOUNT} order by close_time`;
    t.same(trades.map((r) => [r.direction, r.quantity, r.exit_price, r.gross_pnl, r.commission, r.net_pnl, r.close_trade_date]), [
        // (15 x 120 - (100 x 10 + 20 x 12)) = 560; commission 1.2 + 100 x 0.01 + 20 x 0.01 = 2.4
        ['long', '120', '15', '560', '2.4', '557.6'],
        // (9 x 30 - 30 x 12) = -90; commission 30 x 0.01 + 30 x 0.01 = 0.6
        ['long', '30', '9', '-90', '0.6', '-90.6'],
        // short 20 @ 9 bought back @ 8: +20; commission 0.2 + 20 x 0.01 = 0.4
        ['short', '20', '8', '20', '0.4', '19.6'],
        // (2.05 - 1.5) x 2 x 100 = 110; commission 1.3 + 1.3
        ['long', '2', '2.05', '110', '2.6', '107.4'],
    ].map((r, i) => [...r, i < 2 ? D1 : D2]));
    t.equal(Number(trades[0].entry_price), 1240 / 120, 'entry: the weighted price of the lots closed');
    t.same(trades[0].open_exec_ids, ['0000aa01.00000001.01.01', '0000aa01.00000002.01.01']);
    t.same([trades[3].sec_type, trades[3].multiplier], ['OPT', '100']);
    t.equal(trades[0].holding_time, '00:29:00', 'from the oldest lot');
    // The daily summary, against the same figures summed here.
    const days = await sql `select trade_date::text, total_trades, fills, total_volume::text, gross_pnl::text, net_pnl::text, commission::text,
                                win_rate::text, wins, losses, avg_win::text, avg_loss::text, largest_win::text, largest_loss::text, sharpe_ratio
                           from reports.daily_summary where account = ${ACCOUNT} order by trade_date`;
    const num = (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v]));
    t.same(num(days[0]), {
        trade_date: D1, total_trades: 2, fills: 4, total_volume: 320, gross_pnl: 470, net_pnl: 467, commission: 3.2,
        win_rate: 0.5, wins: 1, losses: 1, avg_win: 557.6, avg_loss: -90.6, largest_win: 557.6, largest_loss: -90.6, sharpe_ratio: null,
    });
    t.match(num(days[1]), { trade_date: D2, total_trades: 2, fills: 3, total_volume: 24, gross_pnl: 130, net_pnl: 127, commission: 2.8, wins: 2, losses: 0 });
    // Sharpe over the two days' net P&L: mean / sample std x sqrt(252), computed here.
    const pnl = [467, 127];
    const mean = (pnl[0] + pnl[1]) / 2;
    const sd = Math.sqrt(((pnl[0] - mean) ** 2 + (pnl[1] - mean) ** 2) / (pnl.length - 1));
    t.ok(Math.abs(Number(days[1].sharpe_ratio) - (mean / sd) * Math.sqrt(252)) < 1e-9, 'sharpe as written in the column comment');
});
t.test('a fill only the statement has is a report fill; a live one is not counted twice', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...fill('0000bb01.00000001.01.01', 'BOT', '10', '100', '1', at(D1, '10:00:00'))]);
    await refreshReports(sql);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-reports-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 's.xml');
    const w = new FlexWriter(file, { type: 'AF', queryName: 'q', statements: 1 });
    w.startStatement({ account: ACCOUNT, fromDate: D1, toDate: D1, period: '', whenGenerated: at(D2, '06:00:00') });
    w.open('Trades');
    for (const [id, side, qty, price, when] of [['0000bb01.00000001.01.01', 'BUY', '10', '100', '10:00:00'], ['0000bb01.00000002.01.01', 'SELL', '10', '101', '19:30:00']]) {
        await w.row('Trade', tradeRow(w, { account: ACCOUNT, execId: id, transactionId: id.slice(-8), tradeId: id.slice(-7), orderId: '1', conId: '265598', symbol: 'AAPL',
            side, quantity: qty, price, commission: '0.99', time: at(D1, when) }));
    }
    w.close('Trades');
    w.endStatement();
    await w.end();
    await importFlexFile(sql, file);
    await refreshReports(sql);
    const fills = await sql `select exec_id, source, commission::text from reports.fills where account = ${ACCOUNT} order by fill_time`;
    t.same(fills, [
        { exec_id: '0000bb01.00000001.01.01', source: 'live', commission: '0.99' }, // the statement's final commission
        { exec_id: '0000bb01.00000002.01.01', source: 'statement', commission: '0.99' },
    ]);
    const [rt] = await sql `select gross_pnl::text, net_pnl::text from reports.trades where account = ${ACCOUNT}`;
    t.same(rt, { gross_pnl: '10', net_pnl: '8.02' });
});
t.test('another currency: P&L in the trade currency and in base at the statement\'s rate; a range that cuts a round trip keeps it whole', async (t) => {
    const { sql } = await testDb(t);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-reports-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'eur.xml');
    const w = new FlexWriter(file, { type: 'AF', queryName: 'q', statements: 1 });
    w.startStatement({ account: ACCOUNT, fromDate: D1, toDate: D2, period: '', whenGenerated: at(D2, '20:00:00') });
    w.open('Trades');
    // SAP on IBIS in EUR: buy 20 @ 180.50 on D1 (rate 1.05), sell 20 @ 182.25 on D2 (rate 1.0832)
    for (const [id, side, price, when, day, fx] of [['0000ee01.00000001.01.01', 'BUY', '180.50', '10:00:00', D1, '1.05'], ['0000ee01.00000002.01.01', 'SELL', '182.25', '10:00:00', D2, '1.0832']]) {
        await w.row('Trade', tradeRow(w, { account: ACCOUNT, execId: id, transactionId: id.slice(-8), tradeId: id.slice(-7), orderId: '7', conId: '14204', symbol: 'SAP',
            side, quantity: '20', price, commission: '1.25', currency: 'EUR', exchange: 'IBIS', time: at(day, when) }, { fxRateToBase: fx }));
    }
    w.close('Trades');
    w.endStatement();
    await w.end();
    await importFlexFile(sql, file);
    await refreshReports(sql);
    const [rt] = await sql `select currency, gross_pnl::text, net_pnl::text, fx_rate_to_base::text, net_pnl_base::text, open_time, close_trade_date::text
                           from reports.trades where account = ${ACCOUNT}`;
    // (182.25 - 180.50) x 20 = 35 EUR; commissions 2.50; 32.50 EUR x 1.0832 (the closing fill's rate)
    t.same({ ...rt, open_time: undefined }, { currency: 'EUR', gross_pnl: '35', net_pnl: '32.5', fx_rate_to_base: '1.0832', net_pnl_base: '35.204', close_trade_date: D2, open_time: undefined });
    const [fill] = await sql `select exchange from reports.fills where exec_id = '0000ee01.00000001.01.01'`;
    t.equal(fill.exchange, 'IBIS', 'the venue of a statement fill');
    // D2 alone: the round trip opened on D1 is whole (matched over the whole history)
    const cut = await sql `select quantity::text, entry_price::text, open_time from reports.trades(${D2}::date, ${D2}::date, ${ACCOUNT})`;
    t.same(cut.map((r) => [r.quantity, Number(r.entry_price)]), [['20', 180.5]]);
    t.equal(cut[0].open_time.toISOString(), at(D1, '10:00:00'));
    t.same(await sql `select * from reports.trades(${D1}::date, ${D1}::date, ${ACCOUNT})`, [], 'nothing closed on D1');
    const [ds] = await sql `select fills, total_trades, net_pnl::text from reports.daily_summary(${D2}::date, ${D2}::date, ${ACCOUNT})`;
    t.same(ds, { fills: 1, total_trades: 1, net_pnl: '32.5' });
});
t.test('blotter_bi reads reports and nothing else', async (t) => {
    const db = await testDb(t);
    const { sql } = db;
    const bi = await loginAs(t, db, 'blotter_bi', 'bi_test');
    await t.resolves(bi `select * from reports.daily_summary`, 'reports.daily_summary');
    await t.resolves(bi `select * from reports.trades`, 'reports.trades');
    await t.resolves(bi `select * from reports.fills`, 'reports.fills');
    for (const q of ['select * from ledger.events limit 1', 'select * from ledger.flex_trades limit 1', 'select * from recon.runs limit 1',
        'select * from ops.logs limit 1', 'select * from blotter_meta.migrations limit 1']) {
        await t.rejects(bi.unsafe(q), { code: '42501' }, `refused: ${q}`);
    }
    const gw = await sql `select exists (select 1 from pg_namespace where nspname = 'graphile_worker') as e`;
    if (gw[0].e)
        await t.rejects(bi.unsafe('select * from graphile_worker.jobs limit 1'), { code: '42501' });
});
