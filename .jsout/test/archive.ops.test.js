// The trading log and metrics archived and purged; the agent's archive task; archives and
// erased subjects.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { setup } from "./helpers/archive.js";
// Many CLI runs (each loads DuckDB): minutes on a busy machine.
t.setTimeout(600_000);
// The trading log and metrics: archived and purged like the ledger (no chain: rows and
// sha256 are what is checked); a late log line in an archived month has it archived again.
t.test('ops.logs and ops.metrics: archive, verify-archive, a late line re-archives its month, purge past retention', async (t) => {
    const { sql, cli, home } = await setup(t);
    const dir = path.join(home, 'archive');
    await sql.begin(async (tx) => {
        await tx `set local role blotter_owner`;
        await tx.unsafe(`create table ops.logs_201801 partition of ops.logs for values from ('2018-01-01T00:00:00Z') to ('2018-02-01T00:00:00Z')`);
        await tx.unsafe(`create table ops.logs_201802 partition of ops.logs for values from ('2018-02-01T00:00:00Z') to ('2018-03-01T00:00:00Z')`);
        await tx.unsafe(`create table ops.metrics_201801 partition of ops.metrics for values from ('2018-01-01T00:00:00Z') to ('2018-02-01T00:00:00Z')`);
    });
    await sql `insert into ops.logs (logged_at, level, category, source, msg, fields)
            select '2018-01-01T00:00:00Z'::timestamptz + i * interval '1 hour', 'info', 'order', 'bot', 'line ' || i || ' ''quoted'', comma',
                   case when i % 2 = 0 then jsonb_build_object('i', i, 'px', 1.50) end
              from generate_series(1, 50) i`;
    await sql `insert into ops.logs (logged_at, level, category, source, msg) values ('2018-02-03T00:00:00Z', 'warn', 'system', 'agent', 'february')`;
    await sql `insert into ops.metrics (observed_at, name, value, labels)
            select '2018-01-01T00:00:00Z'::timestamptz + i * interval '1 day', 'latency_ms', i * 0.125, '{"venue": "ISLAND"}' from generate_series(1, 20) i`;
    const a1 = await cli(['archive', '--to', dir, '--family', 'ops_logs', '--family', 'ops_metrics', '--json']);
    t.equal(a1.code, 0, a1.stderr);
    t.same(JSON.parse(a1.stdout).months.map((m) => `${m.family} ${m.month} ${m.rows}`), ['ops_logs 2018-01 50', 'ops_logs 2018-02 1', 'ops_metrics 2018-01 20']);
    const { openDuck } = await import("../agent/archive/parquet.js");
    const duck = await openDuck({ tempDir: home });
    const rows = (await duck.con.runAndReadAll(`select msg, fields, logged_at from read_parquet('${dir}/ops_logs/2018-01/ops_logs-2018-01.parquet') order by log_id limit 2`)).getRowObjectsJS();
    duck.close();
    t.same(rows.map((r) => r.msg), ["line 1 'quoted', comma", "line 2 'quoted', comma"], 'text as written');
    t.same(rows.map((r) => r.fields), [null, '{"i": 2, "px": 1.50}'], 'jsonb as PostgreSQL prints it, NULL kept');
    t.equal(rows[0].logged_at.toISOString(), '2018-01-01T01:00:00.000Z');
    t.equal((await cli(['verify-archive', dir])).code, 0);
    // a late line for January: January, and February after it, are archived again
    await sql `insert into ops.logs (logged_at, level, category, source, msg) values ('2018-01-20T00:00:00Z', 'info', 'order', 'bot', 'late')`;
    const a2 = await cli(['archive', '--to', dir, '--family', 'ops_logs', '--json']);
    t.same(JSON.parse(a2.stdout).months.map((m) => `${m.month} ${m.rows}${m.skipped ? ' skipped' : ''}`), ['2018-01 51', '2018-02 1']);
    t.equal((await cli(['verify-archive', dir])).code, 0, 'the months still chain');
    const p = await cli(['purge', '--from', dir, '--family', 'ops_logs', '--family', 'ops_metrics']);
    t.equal(p.code, 0, p.stderr);
    t.match(p.stdout, /ops_logs 2018-01: purged 51 rows/);
    t.match(p.stdout, /ops_metrics 2018-01: purged 20 rows/);
    t.match(p.stdout, /3 months purged/);
    t.same((await sql `select count(*)::int as n from ops.logs where logged_at < '2019-01-01'`)[0], { n: 0 });
});
// The agent's archive task: hourly it moves rotated log files (compressed) to the archive;
// at 03:07 UTC it archives the whole months and, with auto_purge, purges what checks;
// failed jobs past the job_history policy go too.
t.test('the archive task: rotated log files hourly, months and purge at 03:07, the job history swept', async (t) => {
    const { sql, home, url } = await setup(t);
    const { installQueue } = await import("./helpers/jobs.js");
    await installQueue(url);
    const pino = (await import('pino')).default;
    const zlib = await import('node:zlib');
    const { run } = await import("../agent/jobs/archive_task.js");
    const dir = path.join(home, 'archive');
    const logs = path.join(home, 'logs');
    fs.mkdirSync(logs);
    const old = new Date(Date.now() - 3_600_000);
    for (const n of [1, 2, 3]) {
        fs.writeFileSync(path.join(logs, `blotter.${n}.log`), `{"msg":"line of file ${n}"}\n`);
        if (n < 3)
            fs.utimesSync(path.join(logs, `blotter.${n}.log`), old, old);
    }
    const settings = {
        enabled: true, auto_purge: true, location: dir, s3_endpoint: '', s3_region: 'us-east-1', s3_access_key_id: '', s3_secret_access_key: '',
        s3_force_path_style: false, recipients: [], sign_key: '',
    };
    const task = run({ sql, log: pino({ level: 'silent' }), settings, home, logFile: path.join(logs, 'blotter.log') });
    const job = (ts) => [{ _cron: { ts, backfilled: false } }, { job: { created_at: new Date(ts) } }];
    // a job that failed for good long ago, and one that failed recently
    await sql `select graphile_worker.add_job('nothing', '{}', max_attempts => 1)`;
    await sql.unsafe(`update graphile_worker._private_jobs set attempts = max_attempts, updated_at = now() - interval '200 days'`);
    await sql `select graphile_worker.add_job('nothing_recent', '{}', max_attempts => 1)`;
    await sql.unsafe(`update graphile_worker._private_jobs set attempts = max_attempts where updated_at > now() - interval '1 day'`);
    await task(...job('2026-11-27T14:07:00.000Z'));
    const moved = fs.readdirSync(path.join(dir, 'file_logs'), { recursive: true }).map(String).filter((f) => f.endsWith('.gz')).sort();
    t.equal(moved.length, 2, 'the two rotated files, not the one being written');
    t.same(fs.readdirSync(logs).sort(), ['blotter.3.log']);
    t.match(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'file_logs', moved[0]))).toString(), /line of file 1/);
    t.notOk(fs.existsSync(path.join(dir, 'ledger_events')), 'months wait for 03:07');
    await task(...job('2026-11-27T03:07:00.000Z'));
    t.same((await sql `select family, to_char(month, 'YYYY-MM') as month, state from reports.archive_months where month < '2019-01-01' order by month`), ['2018-01', '2018-02', '2018-03'].map((month) => ({ family: 'ledger_events', month, state: 'purged' })), 'archived and purged');
    t.same((await sql `select stream from ledger.verify() where reason is not null`), []);
    const left = await sql.unsafe(`select t.identifier from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id`);
    t.same(left.map((r) => r.identifier), ['nothing_recent'], 'the old failed job is gone, the recent one stays');
    t.same((await sql `select payload->>'jobs' as jobs from ledger.events where event_type = 'job_history_purged'`), [{ jobs: '1' }]);
});
// Archives hold rows as stored: a person's identifying fields are tokens there too, and
// once the subject is erased nothing in a new archive (or the database) recovers them.
t.test('erase-subject: archives hold tokens, never the plaintext; the archive still verifies', async (t) => {
    const { sql, cli, home } = await setup(t);
    const dir = path.join(home, 'archive');
    await sql `insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, entity_type, actor, payload)
            values ('ops', '2018-01-15T00:00:00Z', '2018-01-15T00:00:00Z', 'user', 'user_action', 'user_action', 'alice@example.com',
                    '{"action": "pause_trading", "details": {"email": "alice@example.com"}}')`;
    const [stored] = await sql `select actor from ledger.events where stream = 'ops'`;
    t.match(stored.actor, /^pii:v1:/, 'stored as a token');
    const erased = await cli(['erase-subject', 'alice@example.com', '--reason', 'erasure request 7']);
    t.equal(erased.code, 0, erased.stderr);
    t.equal((await cli(['archive', '--to', dir])).code, 0);
    const { openDuck } = await import("../agent/archive/parquet.js");
    const duck = await openDuck({ tempDir: home });
    const hits = (await duck.con.runAndReadAll(`select count(*)::int as n from read_parquet('${dir}/ledger_events/*/*.parquet')
      where coalesce(actor, '') ilike '%alice%' or payload ilike '%alice%' or coalesce(entity_id, '') ilike '%alice%'`)).getRowObjectsJS();
    const tokens = (await duck.con.runAndReadAll(`select count(*)::int as n from read_parquet('${dir}/ledger_events/*/*.parquet') where actor like 'pii:v1:%'`)).getRowObjectsJS();
    duck.close();
    t.same(hits, [{ n: 0 }], 'no plaintext in the archive');
    t.same(tokens, [{ n: 1 }], 'the token is archived as stored');
    const v = await cli(['verify-archive', dir]);
    t.equal(v.code, 0, v.stdout);
});
