// `blotter report`: every format from a seeded ledger, compared with the views it reads:
// CSV (RFC 4180, exact decimals) against the view's text, JSON (decimals as strings), XLSX
// read back with exceljs cell by cell against the CSV, HTML's exact data-values against the
// view; an empty range says so and writes nothing; bad parameters name the option.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import t from 'tap';
import { parseCsv } from "./helpers/csv.js";
import { runCli, testDb } from "./helpers/db.js";
import { ACCOUNT, ibCommission, ibFill, put, refreshReports } from "./helpers/recon.js";
const D1 = '2026-11-23', D2 = '2026-11-24';
const at = (day, time) => new Date(`${day}T${time}-05:00`).toISOString();
const fill = (id, side, qty, price, comm, when, orderRef) => [ibFill(id, { side, qty, price, at: when, orderRef }), ibCommission(id, comm)];
const snapshot = (day, nav) => ({ type: 'account_snapshot', at: at(day, '16:30:00'), payload: { base_currency: 'USD', net_liquidation: nav, cash: [] } });
async function seeded(t) {
    const db = await testDb(t);
    await put(db.sql, [
        { type: 'order_submitted', at: at(D1, '09:30:00'), key: 'o:1', payload: { client_order_id: 'c1', order_ref: 'bot:1', strategy: '=HYPERLINK("x"),\\ok\ttab\nline é', side: 'BUY', quantity: '100', order_type: 'MKT', tif: 'DAY', decision_price: '10', arrival_price: '10.02', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 } } },
        ...fill('0000dd01.00000001.01.01', 'BOT', '100', '10.05', '1', at(D1, '09:31:00'), 'bot:1'),
        ...fill('0000dd01.00000002.01.01', 'SLD', '60', '10.5', '0.6', at(D1, '11:00:00')),
        ...fill('0000dd01.00000003.01.01', 'SLD', '40', '9.9', '0.4', at(D2, '10:00:00')),
        snapshot('2026-11-20', '100000'), snapshot(D1, '100024.40'), snapshot(D2, '100017.95'),
    ]);
    await refreshReports(db.sql);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-report-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const env = { DATABASE_URL: db.url };
    return { ...db, dir, env };
}
t.test('CSV, JSON and XLSX agree with the views and with each other', async (t) => {
    const { sql, dir, env } = await seeded(t);
    const csvFile = path.join(dir, 'trades.csv');
    const r = await runCli(['report', 'daily', '--from', D1, '--to', D2, '--account', ACCOUNT, '--table', 'trades', '--out', csvFile], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /report daily for DU1234567 from 2026-11-23 to 2026-11-24: 2 rows, \d+ bytes to .*trades\.csv \(sha256 [0-9a-f]{64}\); parameters and freshness in .*trades\.csv\.meta\.json/);
    const csv = parseCsv(fs.readFileSync(csvFile, 'utf8'));
    const view = await sql `select close_exec_id, quantity::text, entry_price::text, gross_pnl::text, commission::text, net_pnl::text, close_time
                           from reports.trades where account = ${ACCOUNT} order by close_time`;
    const h = csv[0];
    t.same(h.slice(0, 3), ['account', 'con_id', 'symbol'], 'a header row of column names');
    const col = (name) => h.indexOf(name);
    t.same(csv.slice(1).map((row) => [row[col('close_exec_id')], row[col('quantity')], row[col('entry_price')], row[col('gross_pnl')], row[col('commission')], row[col('net_pnl')]]), view.map((v) => [v.close_exec_id, v.quantity, v.entry_price, v.gross_pnl, v.commission, v.net_pnl]), 'exact decimals, as the database writes them');
    t.equal(csv[1][col('close_time')], '2026-11-23T16:00:00Z', 'timestamps ISO 8601, UTC');
    t.equal(csv[1][col('strategy')], `'=HYPERLINK("x"),\\ok\ttab\nline é`, 'a text cell a spreadsheet would run as a formula is defused; quotes, a comma, a backslash, a tab, a line break and UTF-8 survive');
    const meta = JSON.parse(fs.readFileSync(`${csvFile}.meta.json`, 'utf8'));
    t.same(meta.parameters, { from: D1, to: D2, account: ACCOUNT });
    t.ok(meta.freshness.some((f) => f.name === 'trades'), 'freshness of what it read');
    t.match(meta.generatedAt, /^\d{4}-\d\d-\d\dT/);
    // JSON to standard output: decimals as strings, every table.
    const j = await runCli(['report', 'daily', '--from', D1, '--to', D2, '--account', ACCOUNT, '--format', 'json'], { env });
    t.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    t.same(doc.tables.map((x) => x.name), ['daily_summary', 'trades']);
    const days = await sql `select trade_date::text, net_pnl::text, commission::text, fills, mtm_pnl::text from reports.daily_summary where account = ${ACCOUNT} order by trade_date`;
    t.same(doc.tables[0].rows.map((x) => ({ trade_date: x.trade_date, net_pnl: x.net_pnl, commission: x.commission, fills: x.fills, mtm_pnl: x.mtm_pnl })), days);
    const net = doc.headlines.find((x) => x.label === 'Net realized P&L');
    t.equal(Number(net.value), days.reduce((a, d) => a + Number(d.net_pnl), 0), 'headline: the sum of the days');
    // XLSX: a cover sheet, then one per table; cell by cell against the CSV of that table.
    const xlsx = path.join(dir, 'daily.xlsx');
    t.equal((await runCli(['report', 'daily', '--from', D1, '--to', D2, '--account', ACCOUNT, '--format', 'xlsx', '--out', xlsx], { env })).code, 0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    t.same(wb.worksheets.map((w) => w.name), ['Report', 'daily_summary', 'trades']);
    const ws = wb.getWorksheet('trades');
    t.same(ws.views[0]?.state, 'frozen', 'frozen header');
    for (let r = 0; r < csv.length; r++) {
        for (let c = 0; c < h.length; c++) {
            const cell = ws.getRow(r + 1).getCell(c + 1).value;
            const want = csv[r][c];
            const got = cell instanceof Date ? (want.length === 10 ? cell.toISOString().slice(0, 10) : cell.toISOString().replace('.000Z', 'Z')) : cell === null || cell === undefined ? '' : Array.isArray(cell) ? JSON.stringify(cell) : String(cell);
            if (typeof cell === 'number')
                t.equal(cell, Number(want), `${h[c]} row ${r}: a numeric cell`);
            else
                t.equal(got, want, `${h[c]} row ${r}`);
        }
    }
    t.equal(typeof ws.getRow(2).getCell(col('net_pnl') + 1).value, 'number', 'money is a number cell');
    t.ok(ws.getRow(2).getCell(col('close_trade_date') + 1).value instanceof Date, 'a date is a date cell');
    const cover = wb.getWorksheet('Report');
    const coverText = cover.getSheetValues().flat().map(String).join(' ');
    t.match(coverText, /Parameter from 2026-11-23/);
    t.match(coverText, /Generated at \(UTC\)/);
});
t.test('HTML: the numbers are the view\'s, with freshness and chain status', async (t) => {
    const { sql, dir, env } = await seeded(t);
    const file = path.join(dir, 'daily.html');
    const r = await runCli(['report', 'daily', '--from', D1, '--to', D2, '--account', ACCOUNT, '--format', 'html', '--out', file], { env });
    t.equal(r.code, 0, r.stderr);
    const html = fs.readFileSync(file, 'utf8');
    const nets = (await sql `select net_pnl::text from reports.trades where account = ${ACCOUNT} order by close_time`).map((x) => x.net_pnl);
    for (const n of nets)
        t.ok(html.includes(`data-value="${n}"`), `round trip net ${n} in the page, exact`);
    t.notMatch(html, /<script|src="http|href="http|@import|url\(http/i, 'self-contained');
    t.match(html, /<svg/, 'charts inline');
    t.match(html, /daily_summary/, 'freshness of the reports it read');
});
t.test('refusals: empty range, bad dates, unknown report, missing --order, a table that is not there', async (t) => {
    const { dir, env } = await seeded(t);
    const out = path.join(dir, 'empty.csv');
    const empty = await runCli(['report', 'daily', '--from', '2025-01-01', '--to', '2025-01-31', '--account', ACCOUNT, '--out', out], { env });
    t.equal(empty.code, 1);
    t.match(empty.stderr, /report daily for DU1234567 from 2025-01-01 to 2025-01-31: no rows in that range; nothing written/);
    t.notOk(fs.existsSync(out), 'no file');
    const allowed = await runCli(['report', 'daily', '--from', '2025-01-01', '--to', '2025-01-31', '--account', ACCOUNT, '--out', out, '--allow-empty'], { env });
    t.equal(allowed.code, 0);
    t.equal(fs.readFileSync(out, 'utf8').split('\r\n')[1], '', 'just the header');
    const quote = await runCli(['report', 'daily', '--from', D1, '--account', "O'Brien\\", '--allow-empty', '--out', out], { env });
    t.equal(quote.code, 0, `a quote and a backslash in a parameter are data, not SQL: ${quote.stderr}`);
    t.equal(fs.readFileSync(out, 'utf8').split('\r\n')[1], '');
    t.match((await runCli(['report', 'daily', '--from', D1, '--out', path.join(dir, 'nope', 'x.csv')], { env })).stderr, /--out .*x\.csv: directory .*nope does not exist/);
    t.match((await runCli(['report', 'daily', '--from', D1, '--out', dir], { env })).stderr, /is a directory; name a file/);
    const bad = await runCli(['report', 'daily', '--from', '2026-02-30'], { env });
    t.equal(bad.code, 2);
    t.match(bad.stderr, /--from "2026-02-30" is not a date: write YYYY-MM-DD/);
    const order = await runCli(['report', 'daily', '--from', D2, '--to', D1], { env });
    t.match(order.stderr, /--from 2026-11-24 is after --to 2026-11-23/);
    t.match((await runCli(['report', 'dialy'], { env })).stderr, /no report named "dialy"/);
    t.match((await runCli(['report', 'order-trail'], { env })).stderr, /report order-trail needs --order/);
    t.match((await runCli(['report', 'chain-status', '--from', D1], { env })).stderr, /report chain-status takes no --from/);
    t.match((await runCli(['report', 'daily', '--format', 'docx'], { env })).stderr, /--format "docx": one of csv, json, xlsx, html, pdf/);
    t.match((await runCli(['report', 'daily', '--from', D1, '--table', 'nope'], { env })).stderr, /--table nope: this report's tables are daily_summary, trades/);
    const list = await runCli(['report', 'list'], { env });
    for (const n of ['daily', 'fills', 'monthly', 'execution', 'reconciliation', 'tax', 'order-trail', 'config-changes', 'user-actions', 'chain-status', 'retention'])
        t.match(list.stdout, new RegExp(`^${n} `, 'm'));
});
t.test('every catalog report runs, and the order trail of one order', async (t) => {
    const { dir, env } = await seeded(t);
    for (const name of ['daily', 'monthly', 'execution', 'reconciliation', 'tax', 'config-changes', 'user-actions', 'chain-status', 'retention']) {
        const r = await runCli(['report', name, '--format', 'json', '--allow-empty', ...(['chain-status', 'retention', 'config-changes', 'user-actions', 'reconciliation'].includes(name) ? [] : ['--account', ACCOUNT])], { env });
        t.equal(r.code, 0, `${name}: ${r.stderr}`);
        t.ok(JSON.parse(r.stdout).tables.length >= 1, `${name}: tables`);
    }
    const trail = await runCli(['report', 'order-trail', '--order', 'bot:1', '--out', path.join(dir, 'trail.csv')], { env });
    t.equal(trail.code, 0, trail.stderr);
    const rows = parseCsv(fs.readFileSync(path.join(dir, 'trail.csv'), 'utf8'));
    t.ok(rows.length >= 3, 'the order and its fill');
});
t.test('custom reports through the command: define, list, show, run with parameters; an escape is refused', async (t) => {
    const { dir, env } = await seeded(t);
    const q = path.join(dir, 'big.sql');
    fs.writeFileSync(q, `select close_trade_date, symbol, net_pnl from reports.trades
                        where account = :account and close_trade_date between :from and :to order by close_time`);
    const def = await runCli(['report', 'define', 'big_trades', '--sql', q, '--description', 'round trips by day', '--actor', 'pat'], { env });
    t.equal(def.code, 0, def.stderr);
    t.match(def.stdout, /custom report big_trades: version 1 saved \(ledger seq \d+\)/);
    t.match((await runCli(['report', 'list'], { env })).stdout, /^big_trades\s+\(custom, v1\) round trips by day\s+\[--param account= --param from= --param to=\]/m);
    const show = await runCli(['report', 'show', 'big_trades'], { env });
    t.match(show.stdout, /big_trades \(version 1, defined by pat at .*\): round trips by day/);
    const out = path.join(dir, 'custom.csv');
    const run = await runCli(['report', 'run', 'big_trades', '--param', `account=${ACCOUNT}`, '--param', `from=${D1}`, '--param', `to=${D2}`, '--out', out], { env });
    t.equal(run.code, 0, run.stderr);
    // 60 @ 10.50 against 10.05: 27, commissions 0.60 + 60 % of 1.00; 40 @ 9.90: -6, 0.40 + 0.40
    t.same(parseCsv(fs.readFileSync(out, 'utf8')), [['close_trade_date', 'symbol', 'net_pnl'], [D1, 'AAPL', '25.8'], [D2, 'AAPL', '-6.8']]);
    const byName = await runCli(['report', 'big_trades', '--param', `account=${ACCOUNT}`, '--param', `from=${D1}`, '--param', `to=${D2}`, '--format', 'json'], { env });
    t.equal(JSON.parse(byName.stdout).tables[0].rows.length, 2, 'a saved report runs by its name too');
    const missing = await runCli(['report', 'run', 'big_trades', '--param', `account=${ACCOUNT}`], { env });
    t.equal(missing.code, 2);
    t.match(missing.stderr, /:from/);
    const evil = path.join(dir, 'evil.sql');
    fs.writeFileSync(evil, 'select * from ledger.events');
    const refused = await runCli(['report', 'define', 'evil', '--sql', evil], { env });
    t.equal(refused.code, 2);
    t.match(refused.stderr, /ledger/);
    t.match((await runCli(['report', 'run', 'big_trades', '--from', D1], { env })).stderr, /a custom report takes --param from=VALUE/);
});
