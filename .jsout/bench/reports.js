// npm run bench -- reports [--fills N] [--json]: the reports over years of fills. Generates
// N broker fills (default 1,000,000) over 3 years for 2 accounts and 500 instruments (IB
// live executions with commission reports, buys and sells alternating per instrument so
// round trips close) and a daily NAV per account, straight into the ledger (through its
// triggers: chained like any append), then times refreshing every materialized report
// (reports.refresh(), concurrently, as the agent does), a second refresh after a day of new
// fills, and the reads a DBA runs: one account's daily summary for a year, its monthly
// performance for a year, and the performance of any range (reports.performance).
// Baseline in the same run: counting the fills (the cost of reading them at all).
// Targets (issue 10): refresh_all_s <= 60, daily_summary_year_ms and
// monthly_performance_ms <= 200.
import { parseArgs } from 'node:util';
import { withBenchDatabase } from "./db.js";
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
export async function generate(sql, fills) {
    const days = 756; // 3 years of sessions
    const perDay = Math.ceil(fills / days);
    // In chunks: one statement of a million rows would hold every row's chain state at once.
    const chunk = 100_000;
    for (let from = 0; from < fills; from += chunk) {
        const to = Math.min(fills, from + chunk) - 1;
        await sql `
      insert into ledger.events (stream, occurred_at, source, event_type, entity_id, account, idempotency_key, payload)
      select 'ib:' || a, t, 'ib', 'ib_execution', id, a, 'bench:' || id,
             jsonb_build_object('exec_id', id, 'side', case when (g / 1000) % 2 = 0 then 'BOT' else 'SLD' end, 'shares', '10',
                                'price', (100 + (g % 37) + (g % 7) * 0.01)::text, 'order_ref', 'bench:' || (g / 3),
                                'contract', jsonb_build_object('con_id', (1000 + g % 500)::text, 'symbol', 'S' || (g % 500), 'sec_type', 'STK', 'currency', 'USD'))
        from (select g, case when g % 2 = 0 then 'UB1' else 'UB2' end as a, lpad(to_hex(g), 8, '0') || '.0000bench.01.01' as id,
                     timestamptz '2023-01-03 14:31:00+00' + (g / ${perDay}) * interval '1 day' + (g % ${perDay}) * interval '1 second' as t
                from generate_series(${from}::int, ${to}::int) g) x`;
        await sql `
      insert into ledger.events (stream, occurred_at, source, event_type, entity_id, account, payload)
      select 'ib:' || case when g % 2 = 0 then 'UB1' else 'UB2' end, timestamptz '2023-01-03 14:31:00+00' + (g / ${perDay}) * interval '1 day', 'ib', 'ib_commission',
             lpad(to_hex(g), 8, '0') || '.0000bench.01.01', null, jsonb_build_object('commission', '1.0052', 'currency', 'USD')
        from generate_series(${from}::int, ${to}::int) g`;
    }
    await sql `
    insert into ledger.events (stream, occurred_at, source, event_type, account, payload)
    select 'bot', timestamptz '2023-01-03 21:30:00+00' + d * interval '1 day', 'bot', 'account_snapshot', a,
           jsonb_build_object('base_currency', 'USD', 'net_liquidation', (1000000 + d * 37 + (d % 11) * 900 - (d % 7) * 1100)::text, 'cash', '[]'::jsonb)
      from generate_series(0, ${days - 1}) d cross join (values ('UB1'), ('UB2')) v(a)`;
    await sql `analyze ledger.events`;
}
export async function run(args) {
    const { values } = parseArgs({ args, options: { fills: { type: 'string' }, json: { type: 'boolean' } }, strict: false });
    const fills = Number(values.fills ?? 1_000_000);
    return withBenchDatabase('reports', async (sql) => {
        let t = process.hrtime.bigint();
        await generate(sql, fills);
        const generateS = ms(t) / 1000;
        t = process.hrtime.bigint();
        const [c] = await sql `select count(*)::int as n from ledger.events where event_type = 'ib_execution'`;
        const countMs = ms(t);
        if (c.n !== fills)
            throw new Error(`generated ${c.n} fills, expected ${fills}`);
        t = process.hrtime.bigint();
        const first = await sql `select name, duration_ms::float8 as ms from reports.refresh('bench')`;
        const refreshS = ms(t) / 1000;
        const [rt] = await sql `select count(*)::int as n from reports.trades`;
        // a day of new fills (the same generator, continued), then the refresh the agent would run
        await sql `insert into ledger.events (stream, occurred_at, source, event_type, entity_id, account, idempotency_key, payload)
      select stream, occurred_at + interval '1100 days', source, event_type, entity_id || '.n', account, idempotency_key || '.n', payload || jsonb_build_object('exec_id', entity_id || '.n')
        from ledger.events where event_type = 'ib_execution' and seq <= (select min(seq) + ${Math.min(2000, fills)} from ledger.events where event_type = 'ib_execution')`;
        t = process.hrtime.bigint();
        await sql `select * from reports.refresh('bench')`;
        const again = ms(t) / 1000;
        // what the agent runs a minute after fills: everything but the tax lots
        t = process.hrtime.bigint();
        await sql `select * from reports.refresh('fills')`;
        const afterFills = ms(t) / 1000;
        const best = async (q) => {
            let lo = Infinity;
            let rows = [];
            for (let i = 0; i < 5; i++) {
                const t0 = process.hrtime.bigint();
                rows = await q();
                lo = Math.min(lo, ms(t0));
            }
            return { ms: lo, rows };
        };
        const daily = await best(() => sql `select * from reports.daily_summary where account = 'UB1' and trade_date between '2024-01-01' and '2024-12-31'`);
        const monthly = await best(() => sql `select * from reports.monthly_performance where account = 'UB1' and period_start between '2024-01-01' and '2024-12-01'`);
        const range = await best(() => sql `select * from reports.performance('2024-03-15', '2024-09-14', 'UB1')`);
        const trades = await best(() => sql `select * from reports.trades('2024-06-01', '2024-06-30', 'UB1')`);
        if (daily.rows.length === 0 || monthly.rows.length !== 12 || range.rows.length !== 1) {
            throw new Error(`expected a year of days, 12 months and one range row, got ${daily.rows.length}, ${monthly.rows.length}, ${range.rows.length}`);
        }
        return {
            case: 'reports', fills, round_trips: rt.n, generate_s: +generateS.toFixed(1), count_fills_ms: Math.round(countMs),
            refresh_all_s: +refreshS.toFixed(1), refresh_each_s: Object.fromEntries(first.map((r) => [r.name, +(r.ms / 1000).toFixed(1)])),
            refresh_again_s: +again.toFixed(1), refresh_after_fills_s: +afterFills.toFixed(1),
            daily_summary_year_ms: +daily.ms.toFixed(1), monthly_performance_ms: +monthly.ms.toFixed(1),
            performance_range_ms: Math.round(range.ms), trades_month_ms: +trades.ms.toFixed(1),
            refresh_vs_count: +(refreshS * 1000 / countMs).toFixed(1), daily_vs_count: +(daily.ms / countMs).toFixed(3),
        };
    });
}
