// Materialized reports: they show what was last refreshed (reports.refreshes says when and
// up to which event); reports.refresh() brings them up to date in order; the ledger asks
// for a refresh (graphile-worker's reports_refresh job) when fills, statements or closing
// reconciliations land, once per transaction and without moving a pending job; the job
// refreshes; readers may not refresh; a report that was a plain view becomes materialized
// on migrate, and re-applying the functions keeps the materialized data.
import pino from 'pino';
import postgres from 'postgres';
import t from 'tap';
import { migrate } from "../agent/db/migrate.js";
import { taskList } from "../agent/jobs/runner.js";
import { sqlDeps } from "../agent/jobs/recon.js";
import { loginAs, testDb } from "./helpers/db.js";
import { installQueue, pendingJobs, runDueJobs } from "./helpers/jobs.js";
import { ACCOUNT, ibCommission, ibFill, put, refreshReports } from "./helpers/recon.js";
const at = (time) => new Date(`2026-11-23T${time}-05:00`).toISOString();
const buy = ibFill('0000cc01.00000001.01.01', { side: 'BOT', qty: '10', price: '100', at: at('10:00:00') });
const sell = ibFill('0000cc01.00000002.01.01', { side: 'SLD', qty: '10', price: '103', at: at('11:00:00') });
t.test('reports show the last refresh; reports.refresh brings them up to date and says so', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [buy, ibCommission('0000cc01.00000001.01.01', '1'), sell, ibCommission('0000cc01.00000002.01.01', '1')]);
    t.same(await sql `select * from reports.trades`, [], 'not refreshed yet: the materialized round trips are empty');
    const [live] = await sql `select count(*)::int as n from reports.fills_all()`;
    t.equal(live.n, 2, 'the live function sees the fills already');
    const rows = await sql `select name, row_count::int as rows from reports.refresh('test')`;
    t.same(rows.map((r) => r.name), ['fills', 'equity_daily', 'trades', 'daily_summary', 'monthly_performance', 'yearly_performance', 'execution_quality', 'tax_slices'], 'in order: each after what it reads');
    t.same(Object.fromEntries(rows.map((r) => [r.name, r.rows])), {
        fills: 2, equity_daily: 0, trades: 1, daily_summary: 1, monthly_performance: 0, yearly_performance: 0, execution_quality: 0, tax_slices: 1,
    });
    const [rt] = await sql `select gross_pnl::text, net_pnl::text from reports.trades where account = ${ACCOUNT}`;
    t.same(rt, { gross_pnl: '30', net_pnl: '28' }, '(103 - 100) x 10 - 2 commissions');
    const [max] = await sql `select max(seq) as seq from ledger.events`;
    const reg = await sql `select name, reason, events_through_seq, duration_ms::float8 as ms, refreshed_at from reports.refreshes order by position`;
    t.ok(reg.every((r) => r.reason === 'test' && r.events_through_seq === max.seq && r.ms >= 0), 'each: reason, the last event included, duration');
    // the refresh fills ask for (every minute or so) leaves the tax lots to the others
    const afterFills = await sql `select name from reports.refresh('fills')`;
    t.notOk(afterFills.some((r) => r.name === 'tax_slices'), 'fills: tax_slices left out');
    t.equal(afterFills.length, 7);
    // one report by name; an unknown one is refused naming the known ones, and changes nothing
    const [one] = await sql `select name from reports.refresh('manual', array['daily_summary'])`;
    t.equal(one.name, 'daily_summary');
    await t.rejects(sql `select * from reports.refresh('manual', array['daily_sumary'])`, /unknown report\(s\) daily_sumary; materialized reports are: fills, equity_daily, trades/);
    const [fills] = await sql `select reason from reports.refreshes where name = 'fills'`;
    t.equal(fills.reason, 'fills', 'as the last refresh left it');
});
t.test('the ledger asks for a refresh: fills wait a minute, statements and closing reconciliations a few seconds; the job refreshes', async (t) => {
    const { url, sql } = await testDb(t);
    await installQueue(url);
    const t0 = (await sql `select clock_timestamp() as now`)[0].now;
    await put(sql, [buy]);
    await put(sql, [ibCommission('0000cc01.00000001.01.01', '1')]);
    let jobs = (await pendingJobs(sql)).filter((j) => j.task === 'reports_refresh');
    t.same(jobs.map((j) => [j.key, j.queue, j.payload, j.max_attempts]), [['reports_refresh', 'reports', { reason: 'fills' }, 3]], 'one job for both');
    const wait = jobs[0].run_at.getTime() - t0.getTime();
    t.ok(wait > 55_000 && wait <= 61_000, `due a minute after the first fill (${wait} ms)`);
    const firstRunAt = jobs[0].run_at.getTime();
    await put(sql, [sell]);
    jobs = (await pendingJobs(sql)).filter((j) => j.task === 'reports_refresh');
    t.equal(jobs.length, 1);
    t.equal(jobs[0].run_at.getTime(), firstRunAt, 'a later fill does not push the pending refresh back (a steady stream still refreshes)');
    // Events that change no report, and hourly reconciliations, ask for nothing.
    await sql `delete from graphile_worker._private_jobs`;
    await put(sql, [
        { type: 'signal', payload: { signal_id: 's1' } },
        { type: 'ib_account_value', source: 'ib', payload: { key: 'NetLiquidation', value: '100000', currency: 'USD' } },
        { type: 'recon_run', source: 'system', stream: 'recon', payload: { scope: 'hourly' } },
    ]);
    t.same((await pendingJobs(sql)).filter((j) => j.task === 'reports_refresh'), [], 'signals, NetLiquidation ticks, hourly runs: no refresh');
    const t1 = (await sql `select clock_timestamp() as now`)[0].now;
    await put(sql, [{ type: 'recon_run', source: 'system', stream: 'recon', payload: { scope: 'close' } }]);
    jobs = (await pendingJobs(sql)).filter((j) => j.task === 'reports_refresh');
    t.same(jobs.map((j) => j.payload), [{ reason: 'recon' }]);
    const soon = jobs[0].run_at.getTime() - t1.getTime();
    t.ok(soon > 0 && soon <= 6_000, `after the close's reconciliation: within seconds (${soon} ms)`);
    // The job: make it due, run it as the agent's worker does.
    await sql `select graphile_worker.reschedule_jobs(array_agg(id), run_at => now()) from graphile_worker._private_jobs where key = 'reports_refresh'`;
    const lines = [];
    const log = pino({ level: 'info' }, { write: (s) => { lines.push(JSON.parse(s)); } });
    const agentSql = postgres(url, { max: 2, onnotice: () => { } });
    t.teardown(() => agentSql.end({ timeout: 1 }));
    await runDueJobs(url, taskList({ sql: agentSql, log, partitionsAhead: 3, recon: sqlDeps(agentSql, log, { reconTimeoutMs: 60_000 }) }));
    const [rt] = await sql `select net_pnl::text from reports.trades where account = ${ACCOUNT}`;
    t.same(rt, { net_pnl: '29' }, 'the job refreshed: the round trip is there (the sell\'s commission is not known yet: 0)');
    const done = lines.find((l) => l.msg === 'reports refreshed');
    t.match(done, { reason: 'recon', reports: { fills: { rows: 2 }, trades: { rows: 1 } } });
    const [reg] = await sql `select reason from reports.refreshes where name = 'trades'`;
    t.equal(reg.reason, 'recon');
    t.same((await pendingJobs(sql)).filter((j) => j.task === 'reports_refresh'), []);
});
t.test('refreshing is the agent\'s and the owner\'s: readers may read, not refresh', async (t) => {
    const db = await testDb(t);
    const { sql } = db;
    const bi = await loginAs(t, db, 'blotter_bi', 'bi_refresh');
    await t.resolves(bi `select name, refreshed_at, row_count from reports.refreshes`, 'a reader sees how fresh the reports are');
    await t.rejects(bi `select * from reports.refresh()`, /permission denied for function refresh/);
    await t.rejects(bi `select reports.request_refresh('x')`, /permission denied for function request_refresh/);
    const rows = await sql.begin(async (tx) => {
        await tx `set local role blotter_agent`;
        return tx `select name from reports.refresh('agent')`;
    });
    t.equal(rows.length, 8, 'the agent refreshes');
});
t.test('migrate: a report that was a plain view becomes materialized again; re-applying keeps the data', async (t) => {
    const { sql, url } = await testDb(t);
    await put(sql, [buy, sell]);
    await refreshReports(sql);
    const before = await sql `select name, created_at from reports.refreshes order by name`;
    await migrate({ url });
    t.same(await sql `select name, created_at from reports.refreshes order by name`, before, 're-applying the functions re-creates nothing');
    t.equal((await sql `select count(*)::int as n from reports.trades`)[0].n, 1, 'and keeps the refreshed rows');
    // The release before: reports.fills a plain view, the reports on it too.
    await sql.unsafe(`drop materialized view reports.trades cascade;
                    drop materialized view reports.fills cascade;
                    create view reports.fills as select * from reports.fills_all();
                    create view reports.trades as select * from reports.round_trips(null)`);
    await migrate({ url });
    const kinds = await sql `select c.relname, c.relkind from pg_class c join reports.refreshes r on c.oid = to_regclass('reports.' || r.name) order by r.position`;
    t.same(kinds.map((k) => `${k.relname}:${k.relkind}`), [
        'fills:m', 'equity_daily:m', 'trades:m', 'daily_summary:m', 'monthly_performance:m', 'yearly_performance:m', 'execution_quality:m', 'tax_slices:m',
    ], 'every report materialized again, those that depended on fills included');
    const [d] = await sql `select gross_pnl::text from reports.daily_summary where account = ${ACCOUNT}`;
    t.same(d, { gross_pnl: '30' }, 're-created with their data');
});
