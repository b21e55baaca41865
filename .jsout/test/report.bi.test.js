// A BI tool's login, made the way docs/bi.md says (a role in blotter_bi, search_path
// reports): it reads every report, the time-series views and the freshness table, runs
// every query of the Grafana dashboard in docs/, and is refused everything else: the other
// schemas, refreshing, recording, writing settings.
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import t from 'tap';
import { ROOT, testDb } from "./helpers/db.js";
import { ACCOUNT, ibCommission, ibFill, put, refreshReports } from "./helpers/recon.js";
const at = (day, time) => new Date(`${day}T${time}-05:00`).toISOString();
t.test('a BI login reads reports (and the dashboard\'s queries run), and nothing else', async (t) => {
    const db = await testDb(t);
    const { sql } = db;
    const snapshot = (day, nav) => ({ type: 'account_snapshot', at: at(day, '16:30:00'), payload: { base_currency: 'USD', net_liquidation: nav, cash: [] } });
    await put(sql, [
        ibFill('0000ff01.00000001.01.01', { side: 'BOT', qty: '10', price: '100', at: at('2026-11-23', '10:00:00') }), ibCommission('0000ff01.00000001.01.01', '1'),
        ibFill('0000ff01.00000002.01.01', { side: 'SLD', qty: '10', price: '101', at: at('2026-11-24', '10:00:00') }), ibCommission('0000ff01.00000002.01.01', '1'),
        snapshot('2026-11-23', '10000'), snapshot('2026-11-24', '10008'),
    ]);
    await refreshReports(sql);
    // docs/bi.md's two lines
    const role = `grafana_${process.pid}`;
    await sql.unsafe(`create role ${role} login password 'bi-pass' in role blotter_bi`);
    await sql.unsafe(`alter role ${role} set search_path = reports`);
    t.teardown(async () => { await sql.unsafe(`drop role if exists ${role}`).catch(() => { }); });
    const u = new URL(db.url);
    u.username = role;
    u.password = 'bi-pass';
    const bi = postgres(u.toString(), { max: 1, onnotice: () => { } });
    t.teardown(() => bi.end({ timeout: 5 }));
    const [d] = await bi `select net_pnl::text from daily_summary where account = ${ACCOUNT} and trade_date = '2026-11-24'`;
    t.same(d, { net_pnl: '8' }, 'unqualified names: its search_path is reports');
    const [e] = await bi `select time, equity_index::text from ts_equity where account = ${ACCOUNT} order by time desc limit 1`;
    t.equal(e.time.toISOString(), '2026-11-24T21:00:00.000Z', 'time is the day\'s New York close');
    t.equal(Number(e.equity_index), 1.0008);
    for (const v of ['ts_daily_pnl', 'ts_slippage', 'open_breaks', 'refreshes', 'generated_files', 'tax_lots', 'realized_gains', 'form_8949', 'section_1256',
        'retention_status', 'chain_status', 'order_trail', 'reconciliation', 'execution_quality_daily', 'monthly_performance']) {
        await t.resolves(bi.unsafe(`select * from reports.${v} limit 5`), `reads reports.${v}`);
    }
    // Every query of the dashboard, with Grafana's macros filled in as Grafana would.
    const dash = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'grafana-dashboard.json'), 'utf8'));
    const queries = [dash.templating.list[0].query, ...dash.panels.flatMap((p) => p.targets.map((x) => x.rawSql))];
    t.ok(queries.length >= 9);
    for (const q of queries) {
        const filled = q.replace(/\$\{account:sqlstring\}/g, `'${ACCOUNT}'`)
            .replace(/\$__timeFilter\((\w+)\)/g, `$1 between '2026-01-01T00:00:00Z' and '2027-01-01T00:00:00Z'`);
        const rows = await bi.unsafe(filled).catch((err) => err);
        t.notOk(rows instanceof Error, `dashboard query runs: ${q.slice(0, 70)}${rows instanceof Error ? ` (${rows.message})` : ''}`);
    }
    // Refused: the other schemas, refreshing, recording, writing.
    for (const q of ['select * from ledger.events limit 1', 'select * from recon.breaks limit 1', 'select * from ops.logs limit 1',
        'select * from blotter_meta.migrations limit 1', 'select * from pg_catalog.pg_authid limit 1']) {
        await t.rejects(bi.unsafe(q), /permission denied/, `refused: ${q}`);
    }
    await t.rejects(bi `select * from reports.refresh()`, /permission denied/);
    await t.rejects(bi `select reports.record_generated('daily', 'X', '2026-11-24', '2026-11-24', 'csv', '/tmp/x', ${'0'.repeat(64)}, 1, 1, now())`, /permission denied/);
    await t.rejects(bi `update reports.settings set value = 1 where key = 'risk_free_rate'`, /permission denied/);
    await t.rejects(bi `delete from reports.refreshes`, /permission denied/);
    await t.rejects(bi `refresh materialized view reports.fills`, /permission denied for materialized view fills|must be owner/);
});
