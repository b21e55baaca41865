// Every catalog report in every format, from a seeded ledger, in process: the JSON's rows
// are the database's; the CSV, the XLSX sheets and the HTML tables hold the same rows (the
// HTML's exact data-values included); the daily report's PDF has the headline figures in
// its text; the daily page from the database loads in headless Chromium without an error
// and its screenshot is kept as a test artefact.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import t from 'tap';
import { openReadPool } from "../agent/report/read.js";
import { buildCatalogReport, writeReport } from "../agent/report/run.js";
import { CATALOG } from "../agent/report/catalog.js";
import { parseCsv } from "./helpers/csv.js";
import { ROOT, testDb } from "./helpers/db.js";
import { ACCOUNT, ibCommission, ibFill, put, refreshReports } from "./helpers/recon.js";
const D1 = '2026-11-23', D2 = '2026-11-24';
const at = (day, time) => new Date(`${day}T${time}-05:00`).toISOString();
const { sql, url } = await testDb(t);
const fill = (id, side, qty, price, when, orderRef) => [ibFill(id, { side, qty, price, at: when, orderRef }), ibCommission(id, '1')];
await put(sql, [
    { type: 'order_submitted', at: at(D1, '09:30:00'), key: 'o:1', payload: { client_order_id: 'c1', order_ref: 'bot:1', strategy: 'mean-rev', side: 'BUY', quantity: '100', order_type: 'MKT', tif: 'DAY', decision_price: '10', arrival_price: '10.02', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 } } },
    ...fill('0000ee11.00000001.01.01', 'BOT', '100', '10.05', at(D1, '09:31:00'), 'bot:1'),
    ...fill('0000ee11.00000002.01.01', 'SLD', '60', '10.5', at(D1, '11:00:00')),
    ...fill('0000ee11.00000003.01.01', 'SLD', '40', '9.9', at(D2, '10:00:00')),
    { type: 'account_snapshot', at: at('2026-11-20', '16:30:00'), payload: { base_currency: 'USD', net_liquidation: '100000', cash: [] } },
    { type: 'account_snapshot', at: at(D1, '16:30:00'), payload: { base_currency: 'USD', net_liquidation: '100024.40', cash: [] } },
    { type: 'account_snapshot', at: at(D2, '16:30:00'), payload: { base_currency: 'USD', net_liquidation: '100017.95', cash: [] } },
]);
await sql `select * from reports.record_chain_verification()`;
await refreshReports(sql);
const pool = await openReadPool(url, { statementTimeoutMs: 60_000 });
t.teardown(() => pool.end());
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-formats-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const PARAMS = {
    daily: { from: D1, to: D2, account: ACCOUNT }, fills: { from: D1, to: D2, account: ACCOUNT }, monthly: { year: 2026, account: ACCOUNT }, execution: { from: D1, to: D2, account: ACCOUNT },
    reconciliation: {}, tax: { year: 2026, account: ACCOUNT }, 'order-trail': { order: 'bot:1' }, 'config-changes': {}, 'user-actions': {},
    'chain-status': {}, retention: {},
};
async function write(name, format, table) {
    const built = await buildCatalogReport(pool, name, PARAMS[name]);
    const file = path.join(dir, `${name}${table ? `-${table}` : ''}.${format}`);
    await writeReport(built.doc, { format, out: file, table });
    return file;
}
t.test('every report, every format: the same tables and rows', async (t) => {
    t.same(Object.keys(PARAMS).sort(), CATALOG.map((r) => r.name).sort(), 'every catalog report is here');
    for (const r of CATALOG) {
        const json = JSON.parse(fs.readFileSync(await write(r.name, 'json'), 'utf8'));
        t.ok(json.meta.generatedAt && json.meta.generator && Array.isArray(json.meta.chain), `${r.name}: meta`);
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(await write(r.name, 'xlsx'));
        t.same(wb.worksheets.map((w) => w.name), ['Report', ...json.tables.map((x) => x.name.slice(0, 31))], `${r.name}: a cover sheet and a sheet per table`);
        const html = fs.readFileSync(await write(r.name, 'html'), 'utf8');
        for (const [i, tab] of json.tables.entries()) {
            const ws = wb.worksheets[i + 1];
            t.equal(ws.actualRowCount - 1, tab.rows.length, `${r.name}.${tab.name}: XLSX rows`);
            const csv = parseCsv(fs.readFileSync(await write(r.name, 'csv', tab.name), 'utf8'));
            t.same(csv[0], tab.columns.map((c) => c.name), `${r.name}.${tab.name}: CSV header`);
            t.equal(csv.length - 1, tab.rows.length, `${r.name}.${tab.name}: CSV rows`);
            // every exact decimal of the JSON is in the CSV, and in the page as a data-value
            for (const [ri, row] of tab.rows.entries()) {
                for (const c of tab.columns.filter((c) => c.type === 'decimal')) {
                    const v = row[c.name];
                    if (v === null)
                        continue;
                    t.equal(csv[ri + 1][tab.columns.indexOf(c)], v, `${r.name}.${tab.name}.${c.name} row ${ri}: CSV`);
                    t.ok(html.includes(`data-value="${v}"`), `${r.name}.${tab.name}.${c.name} ${v}: in the page`);
                }
            }
        }
    }
    // the numbers are the database's
    const j = JSON.parse(fs.readFileSync(path.join(dir, 'daily.json'), 'utf8'));
    const db = await sql `select trade_date::text, net_pnl::text, commission::text from reports.daily_summary where account = ${ACCOUNT} order by trade_date`;
    t.same(j.tables[0].rows.map((x) => ({ trade_date: x.trade_date, net_pnl: x.net_pnl, commission: x.commission })), db);
    t.equal(j.meta.chain.every((c) => c.ok), true, 'the chain status the file carries: verified');
});
t.test('the daily report as PDF and in Chromium', async (t) => {
    const pdf = await write('daily', 'pdf');
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    const json = JSON.parse(fs.readFileSync(await write('daily', 'json'), 'utf8'));
    const net = json.headlines.find((h) => h.label === 'Net realized P&L').value;
    t.match(text, /Net realized P&L/);
    t.ok(text.includes(Number(net).toFixed(2)), `the headline ${net} printed (${Number(net).toFixed(2)})`);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))[1]);
    t.ok(pages >= 1 && pages <= 6, `${pages} pages`);
    const { screenshot } = await import("../agent/report/pdf.js");
    const artefacts = path.join(ROOT, 'tmp', 'test-artifacts');
    fs.mkdirSync(artefacts, { recursive: true });
    const shot = await screenshot(fs.readFileSync(await write('daily', 'html'), 'utf8'), path.join(artefacts, 'report-daily-from-db.png'), { width: 1280 });
    t.same(shot.errors, [], 'no console or page errors');
    t.equal(shot.requests.length, 1, 'nothing fetched but the page');
    t.ok(fs.statSync(path.join(artefacts, 'report-daily-from-db.png')).size > 10_000, 'screenshot kept');
});
