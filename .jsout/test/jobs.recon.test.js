// The reconciliation jobs' plumbing against a real database and a real graphile-worker: an
// enqueued job of each kind runs its task, which asks the calendar and reconciles every
// account only when due; the SQL wiring calls recon.accounts() and recon.reconcile(...)
// and, while they do not exist yet, logs it and completes; a fill in the ledger enqueues
// one debounced job per account; and two agents on one database make one job per cron
// tick and run each job once. The SQL behind reconcile is replaced through the tasks' seam
// (ReconDeps) where the test is about scheduling, so nothing here needs recon.reconcile.
import { EventEmitter } from 'node:events';
import t from 'tap';
import pg from 'pg';
import pino from 'pino';
import postgres from 'postgres';
import { parseCrontab, runMigrations } from 'graphile-worker';
import { CRONTAB, RECON_QUEUE } from "../agent/jobs/crontab.js";
import { sqlDeps } from "../agent/jobs/recon.js";
import { startJobs, taskList } from "../agent/jobs/runner.js";
import { adoptWorkerSchema } from "../agent/jobs/worker-role.js";
import { testDb } from "./helpers/db.js";
import { installQueue, pendingJobs as allPendingJobs, quiet, runDueJobs } from "./helpers/jobs.js";
// reports_refresh, which the same fills enqueue, has its own tests (reports.refresh.test.ts).
const pendingJobs = async (sql) => (await allPendingJobs(sql)).filter((j) => j.task !== 'reports_refresh');
// Deps whose reconcile records its calls; the calendar is the database's.
function recorder(sql, o = {}) {
    const calls = [];
    const lines = [];
    const log = pino({ level: 'debug' }, { write: (s) => { lines.push(JSON.parse(s)); } });
    const deps = {
        log,
        missing: async () => o.missing ?? [],
        accounts: async () => o.accounts ?? ['U1', 'U2'],
        reconcile: async (account, asOf, scope) => {
            if (o.fail?.includes(account))
                throw new Error(`no snapshot for ${account}`);
            calls.push({ account, asOf: asOf.toISOString(), scope });
        },
        sessions: sqlDeps(sql, log, { reconTimeoutMs: 5000 }).sessions,
    };
    return { deps, calls, lines, log };
}
async function addJob(sql, task, payload, maxAttempts = 5) {
    await sql `select graphile_worker.add_job(${task}, ${JSON.stringify(payload)}::text::json, queue_name => ${RECON_QUEUE}, max_attempts => ${maxAttempts})`;
}
const cron = (ts) => ({ _cron: { ts, backfilled: false } });
// Rename recon.reconcile and recon.accounts out of the way if this database has them (the
// other half of issue 8 adds them): these tests are about their absence or a stand-in.
// A migrate re-creates them, so this comes after any.
async function hideReconFunctions(sql) {
    await sql.unsafe(`do $$ begin
    if to_regprocedure('recon.reconcile(text, timestamptz, text)') is not null then
      alter function recon.reconcile(text, timestamptz, text) rename to reconcile_hidden_by_test;
    end if;
    if to_regprocedure('recon.accounts()') is not null then
      alter function recon.accounts() rename to accounts_hidden_by_test;
    end if;
  end $$`);
}
async function insertEvents(sql, rows) {
    await sql.begin(async (tx) => {
        await tx `set local role blotter_agent`;
        for (const r of rows) {
            await tx `insert into ledger.events (stream, occurred_at, source, event_type, account, payload)
               values ('test', now(), 'bot', ${r.type}, ${r.account}, '{}')`;
        }
    });
}
t.test('the crontab parses, one line per task, every reconciliation in queue recon', async (t) => {
    const items = parseCrontab(CRONTAB);
    t.same(items.map((i) => [i.identifier, i.task, i.options.queueName ?? null, i.options.maxAttempts ?? null, i.options.backfillPeriod / 60_000, i.options.priority ?? null]), [
        ['ensure_partitions', 'ensure_partitions', null, 3, 1440, null],
        ['recon_hourly', 'recon_hourly', 'recon', 3, 60, 0],
        ['recon_close', 'recon_close', 'recon', 5, 1440, 0],
        ['recon_weekly', 'recon_weekly', 'recon', 5, 1440, 1],
        ['recon_monthly', 'recon_monthly', 'recon', 5, 1440, 2],
        ['verify_chain', 'verify_chain', null, 2, 1440, null],
        ['reports_refresh', 'reports_refresh', 'reports', 3, 1440, null],
        ['report_daily', 'report_daily', 'reports', 3, 1440, null],
        ['report_monthly', 'report_monthly', 'reports', 3, 1440, null],
        ['digest_export', 'digest_export', null, 2, 0, null],
        ['archive', 'archive', 'archive', 2, 240, null],
        ['flex_fetch', 'flex_fetch', 'flex', 4, 1440, null],
    ]);
    // Building the task list touches no database.
    const noDb = null;
    const { deps } = recorder(noDb);
    const list = taskList({ sql: noDb, log: deps.log, partitionsAhead: 3, recon: deps });
    t.same(Object.keys(list).sort(), ['archive', 'digest_export', 'ensure_partitions', 'flex_fetch', 'recon_after_fill', 'recon_close', 'recon_hourly', 'recon_monthly', 'recon_weekly', 'report_daily', 'report_monthly', 'reports_refresh', 'verify_chain']);
    for (const i of items)
        t.type(list[i.task], 'function', `task ${i.task} exists`);
});
t.test('an enqueued job of each kind runs its task, which reconciles only when the calendar says so', async (t) => {
    const { url, sql } = await testDb(t);
    await installQueue(url);
    const r = recorder(sql);
    await addJob(sql, 'recon_hourly', cron('2026-11-27T17:00:00.000Z')); // 12:00 New York, early-close day: due
    await addJob(sql, 'recon_hourly', cron('2026-11-27T18:00:00.000Z')); // 13:00 New York: the close itself, not due
    await addJob(sql, 'recon_close', cron('2026-11-27T18:15:00.000Z')); // 13:15 New York: due
    await addJob(sql, 'recon_weekly', cron('2026-11-27T18:15:00.000Z')); // the week's last session: due
    await addJob(sql, 'recon_monthly', cron('2026-11-27T18:15:00.000Z')); // November goes on: not due
    await addJob(sql, 'recon_close', cron('2026-11-26T21:15:00.000Z')); // Thanksgiving: not due
    await addJob(sql, 'recon_close', cron('2025-01-09T21:15:00.000Z')); // special closure: not due
    await addJob(sql, 'recon_close', { at: '2026-03-09T20:15:00Z' }); // added by hand, after the DST switch: due
    await runDueJobs(url, taskList({ sql, log: r.log, partitionsAhead: 3, recon: r.deps }));
    t.same(r.calls.map((c) => `${c.scope} ${c.asOf} ${c.account}`).sort(), [
        'close 2026-03-09T20:15:00.000Z U1', 'close 2026-03-09T20:15:00.000Z U2',
        'close 2026-11-27T18:15:00.000Z U1', 'close 2026-11-27T18:15:00.000Z U2',
        'hourly 2026-11-27T17:00:00.000Z U1', 'hourly 2026-11-27T17:00:00.000Z U2',
        'weekly 2026-11-27T18:15:00.000Z U1', 'weekly 2026-11-27T18:15:00.000Z U2',
    ]);
    const decisions = r.lines.filter((l) => 'acting' in l).map((l) => `${l.job} ${l.at} ${l.session} ${l.acting}`).sort();
    t.same(decisions, [
        'recon_close 2025-01-09T21:15:00.000Z special_closure false',
        'recon_close 2026-03-09T20:15:00.000Z regular true',
        'recon_close 2026-11-26T21:15:00.000Z holiday false',
        'recon_close 2026-11-27T18:15:00.000Z early_close true',
        'recon_hourly 2026-11-27T17:00:00.000Z early_close true',
        'recon_hourly 2026-11-27T18:00:00.000Z early_close false',
        'recon_monthly 2026-11-27T18:15:00.000Z early_close false',
        'recon_weekly 2026-11-27T18:15:00.000Z early_close true',
    ], 'every decision is logged, due or not');
    t.match(r.lines.find((l) => l.job === 'recon_close' && l.at === '2026-11-26T21:15:00.000Z').msg, /16:15 New York\), 2026-11-26 holiday \(Thanksgiving Day\): nothing due/);
    t.same(await pendingJobs(sql), [], 'every job completed');
});
t.test('a failing account does not stop the others; the job fails naming it, and is retried', async (t) => {
    const { url, sql } = await testDb(t);
    await installQueue(url);
    const r = recorder(sql, { accounts: ['U1', 'U2', 'U3'], fail: ['U2'] });
    await addJob(sql, 'recon_close', cron('2026-11-27T18:15:00.000Z'), 5);
    await runDueJobs(url, taskList({ sql, log: r.log, partitionsAhead: 3, recon: r.deps }));
    t.same(r.calls.map((c) => c.account), ['U1', 'U3']);
    const [job] = await pendingJobs(sql);
    t.match(job, { task: 'recon_close', attempts: 1, max_attempts: 5, last_error: /recon close as of 2026-11-27T18:15:00\.000Z failed for 1 of 3 accounts: U2: no snapshot for U2/ });
    t.ok(job.run_at > new Date(), 'retried later, with backoff');
    t.match(r.lines.find((l) => l.level === 50), { account: 'U2', scope: 'close', msg: 'recon close failed for U2' });
});
t.test('jobs whose payload cannot be right are logged and completed, not retried', async (t) => {
    const { url, sql } = await testDb(t);
    await installQueue(url);
    const r = recorder(sql);
    await addJob(sql, 'recon_after_fill', {});
    await addJob(sql, 'recon_after_fill', { account: 42 });
    await addJob(sql, 'recon_close', { _cron: { ts: 'yesterday' } });
    await runDueJobs(url, taskList({ sql, log: r.log, partitionsAhead: 3, recon: r.deps }));
    t.same(r.calls, []);
    t.same(await pendingJobs(sql), []);
    t.same(r.lines.filter((l) => l.level === 50).map((l) => l.msg).sort(), [
        'recon_after_fill: payload has no account; job dropped',
        'recon_after_fill: payload has no account; job dropped',
        'recon_close: job dropped',
    ]);
});
t.test('the SQL wiring: while recon.reconcile does not exist, the task logs it and completes', async (t) => {
    const { url, sql } = await testDb(t);
    await installQueue(url); // migrates, which would bring the functions back: hide them after
    await hideReconFunctions(sql);
    const lines = [];
    const log = pino({ level: 'debug' }, { write: (s) => { lines.push(JSON.parse(s)); } });
    const agentSql = postgres(url, { max: 2, onnotice: () => { }, connection: { role: 'blotter_agent' } });
    t.teardown(() => agentSql.end({ timeout: 1 }));
    const deps = sqlDeps(agentSql, log, { reconTimeoutMs: 5000 });
    await addJob(sql, 'recon_close', cron('2026-11-27T18:15:00.000Z'));
    await addJob(sql, 'recon_after_fill', { account: 'U1' });
    await runDueJobs(url, taskList({ sql: agentSql, log, partitionsAhead: 3, recon: deps }));
    t.same(await pendingJobs(sql), [], 'both jobs completed: no retry storm');
    const errors = lines.filter((l) => l.level === 50);
    t.equal(errors.length, 2);
    for (const e of errors) {
        t.match(e.msg, /skipped: recon\.accounts\(\) and recon\.reconcile\(text, timestamptz, text\) do not exist in the database yet/);
    }
});
t.test('the SQL wiring calls recon.accounts() and recon.reconcile(account, as_of, scope) as blotter_agent', async (t) => {
    const { url, sql } = await testDb(t);
    await installQueue(url);
    await hideReconFunctions(sql);
    // Stand-ins with the agreed signatures, recording how they were called.
    await sql.unsafe(`
    create table public.recon_calls (account text, as_of timestamptz, scope text, role text, statement_timeout text);
    grant insert on public.recon_calls to blotter_agent;
    create function recon.accounts() returns table (account text) language sql as $$ values ('U1'), ('U2') $$;
    create function recon.reconcile(p_account text, p_as_of timestamptz, p_scope text) returns table (run_id uuid) language plpgsql as $$
    begin
      insert into public.recon_calls values (p_account, p_as_of, p_scope, current_user, current_setting('statement_timeout'));
      return query select gen_random_uuid();
    end $$;
    grant execute on function recon.accounts(), recon.reconcile(text, timestamptz, text) to blotter_agent;`);
    const agentSql = postgres(url, { max: 2, onnotice: () => { }, connection: { role: 'blotter_agent', statement_timeout: '30000' } });
    t.teardown(() => agentSql.end({ timeout: 1 }));
    const log = pino({ level: 'silent' });
    const list = taskList({ sql: agentSql, log, partitionsAhead: 3, recon: sqlDeps(agentSql, log, { reconTimeoutMs: 600_000 }) });
    await addJob(sql, 'recon_close', cron('2026-03-06T21:15:00.000Z'));
    // A fill lands: the ledger enqueues recon_after_fill, due 5 s later; make it due now.
    await insertEvents(sql, [{ type: 'execution', account: 'U7' }]);
    const [due] = await sql `select (graphile_worker.reschedule_jobs(array_agg(id), run_at => now() - interval '1 second')).run_at
                             from graphile_worker._private_jobs where key = 'recon_after_fill:U7'`;
    await runDueJobs(url, list);
    const calls = await sql `select account, as_of, scope, role, statement_timeout from public.recon_calls order by scope, account`;
    t.same(calls.map((c) => [c.account, c.scope, c.role, c.statement_timeout]), [
        ['U7', 'after_fill', 'blotter_agent', '10min'],
        ['U1', 'close', 'blotter_agent', '10min'],
        ['U2', 'close', 'blotter_agent', '10min'],
    ], 'each reconciliation runs with its own statement timeout, not the pool\'s 30 s');
    t.equal(calls[1].as_of.toISOString(), '2026-03-06T21:15:00.000Z', 'as of the close run\'s minute');
    t.equal(calls[0].as_of.getTime(), due.run_at.getTime(), 'after a fill: as of the job\'s run_at (the database\'s clock)');
    t.same(await pendingJobs(sql), []);
});
t.test('the after-fill trigger: one debounced job per account, only for fills', async (t) => {
    const { url, sql } = await testDb(t);
    await installQueue(url);
    await insertEvents(sql, [
        { type: 'execution', account: 'U1' }, { type: 'execution', account: 'U1' }, { type: 'ib_execution', account: 'U1' },
        { type: 'ib_execution', account: 'U2' },
        { type: 'signal', account: 'U3' }, { type: 'order_submitted', account: 'U4' }, { type: 'execution', account: null },
    ]);
    const t0 = await sql `select clock_timestamp() as now`;
    // The writer's path: COPY.
    const copy = await sql `copy ledger.events (stream, occurred_at, source, event_type, account, payload) from stdin`.writable();
    await new Promise((resolve, reject) => {
        copy.on('error', reject);
        copy.on('finish', resolve);
        copy.end('copy\t2026-11-27T15:00:00Z\tib\tib_execution\tU5\t{}\n');
    });
    const jobs = await pendingJobs(sql);
    t.same(jobs.map((j) => [j.key, j.task, j.queue, j.payload, j.max_attempts, j.revision]), [
        ['recon_after_fill:U1', 'recon_after_fill', 'recon', { account: 'U1' }, 3, 0],
        ['recon_after_fill:U2', 'recon_after_fill', 'recon', { account: 'U2' }, 3, 0],
        ['recon_after_fill:U5', 'recon_after_fill', 'recon', { account: 'U5' }, 3, 0],
    ], 'three fills of U1 in one statement enqueue one job, once; other events none');
    const u1 = jobs[0].run_at.getTime() - t0[0].now.getTime();
    t.ok(u1 > 3000 && u1 <= 5000, `U1 runs 5 s after its last fill (${u1} ms after the inserts ended)`);
});
t.test('without a queue the fill is recorded; a queue another role owns is warned about, then adopted', async (t) => {
    const { url, sql } = await testDb(t);
    await insertEvents(sql, [{ type: 'execution', account: 'U1' }]);
    const [none] = await sql `select to_regnamespace('graphile_worker') as s`;
    t.equal(none.s, null, 'jobs disabled: no queue, and no error');
    // An agent before this change installed graphile-worker as the login user.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await runMigrations({ pgPool: pool, logger: quiet });
    await pool.end();
    const notices = [];
    const watched = postgres(url, { max: 1, onnotice: (n) => notices.push(String(n.message)) });
    t.teardown(() => watched.end({ timeout: 1 }));
    await insertEvents(watched, [{ type: 'execution', account: 'U1' }, { type: 'execution', account: 'U2' }]);
    const [n] = await sql `select count(*)::int as n from ledger.events where event_type = 'execution'`;
    t.equal(n.n, 3, 'the fills are recorded all the same');
    t.same(await pendingJobs(sql), [], 'nothing could be enqueued');
    t.equal(notices.length, 1, 'one warning per transaction');
    t.match(notices[0], /recon_after_fill not enqueued for account U1 \(execution seq \d+\): schema graphile_worker is owned by \w+, not usable by blotter_owner/);
    await adoptWorkerSchema(url);
    await adoptWorkerSchema(url);
    const [owners] = await sql `select count(*) filter (where owner <> 'blotter_owner')::int as other, count(*)::int as n from (
      select nspowner::regrole::text as owner from pg_namespace where nspname = 'graphile_worker'
      union all select relowner::regrole::text from pg_class where relnamespace = 'graphile_worker'::regnamespace
      union all select proowner::regrole::text from pg_proc where pronamespace = 'graphile_worker'::regnamespace
      union all select typowner::regrole::text from pg_type where typnamespace = 'graphile_worker'::regnamespace) o`;
    t.same(owners, { other: 0, n: owners.n }, 'schema graphile_worker and all in it belong to blotter_owner');
    await insertEvents(sql, [{ type: 'execution', account: 'U1' }]);
    t.same((await pendingJobs(sql)).map((j) => j.key), ['recon_after_fill:U1'], 'the adopted queue takes the job');
});
// Two agents on one database: each backfills the same missed cron ticks and polls the same
// queue. graphile-worker's known_crontabs upsert lets one of them schedule each tick, and
// job locking runs each job once: every (task, tick) is decided once, and every
// reconciliation happens once.
t.test('two agents on one database: one job per cron tick, each job run once', async (t) => {
    const { url, sql } = await testDb(t);
    await installQueue(url);
    // The crontab lines have been known for a day: the agents make up the last day's ticks.
    const items = parseCrontab(CRONTAB);
    await sql `insert into graphile_worker._private_known_crontabs (identifier, known_since, last_execution)
            select unnest(${items.map((i) => i.identifier)}::text[]), now() - interval '25 hours', null`;
    const r = recorder(sql);
    const start = Date.now();
    const agents = await Promise.all([0, 1].map(async () => {
        const events = new EventEmitter();
        const started = new Promise((resolve) => events.once('cron:started', () => resolve()));
        const jobs = await startJobs({ url, sql, concurrency: 2, partitionsAhead: 3, reconTimeoutMs: 5000, log: r.log, recon: r.deps, events });
        t.teardown(() => jobs.stop());
        return started;
    }));
    await Promise.all(agents);
    // Ticks both agents were bound to make up: minutes of the backfill window, a minute's margin at each end.
    const expected = [];
    for (const i of items.filter((i) => i.task.startsWith('recon_'))) {
        for (let at = Math.ceil((start - i.options.backfillPeriod) / 60_000) * 60_000 + 60_000; at < start - 60_000; at += 60_000) {
            const d = new Date(at);
            if (i.match({ min: d.getUTCMinutes(), hour: d.getUTCHours(), date: d.getUTCDate(), month: d.getUTCMonth() + 1, dow: d.getUTCDay() })) {
                expected.push(`${i.task} ${d.toISOString()}`);
            }
        }
    }
    // close, weekly and monthly tick 8 times a day; a window of a day less two minutes can
    // miss one of each (when it starts just after one): 21 at least, whatever the time.
    t.ok(expected.length >= 21, `${expected.length} ticks to make up`);
    const decided = () => r.lines.filter((l) => 'acting' in l).map((l) => `${l.job} ${l.at}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
        const [p] = await sql `select count(*)::int as n from graphile_worker._private_jobs`;
        if (p.n === 0 && expected.every((e) => decided().includes(e)))
            break;
        await new Promise((res) => setTimeout(res, 100));
    }
    const seen = decided();
    t.same(expected.filter((e) => !seen.includes(e)), [], 'every missed tick was made up');
    t.same(seen.filter((e, i) => seen.indexOf(e) !== i), [], 'no tick was decided twice');
    const calls = r.calls.map((c) => `${c.scope} ${c.asOf} ${c.account}`);
    t.same(calls.filter((c, i) => calls.indexOf(c) !== i), [], 'no reconciliation ran twice');
    // A burst of fills while both agents poll: one job, run once.
    await insertEvents(sql, [{ type: 'execution', account: 'U9' }, { type: 'execution', account: 'U9' }]);
    await insertEvents(sql, [{ type: 'ib_execution', account: 'U9' }]);
    t.equal((await pendingJobs(sql)).filter((j) => j.key === 'recon_after_fill:U9').length, 1);
    await sql `select graphile_worker.reschedule_jobs(array_agg(id), run_at => now()) from graphile_worker._private_jobs where key = 'recon_after_fill:U9'`;
    const until = Date.now() + 20_000;
    while (Date.now() < until && !r.calls.some((c) => c.scope === 'after_fill'))
        await new Promise((res) => setTimeout(res, 50));
    await new Promise((res) => setTimeout(res, 300));
    t.same(r.calls.filter((c) => c.scope === 'after_fill').map((c) => c.account), ['U9'], 'the after-fill job ran once');
});
