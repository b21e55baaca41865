// Archive → verify-archive → purge → verify, through the real CLI: months older than the
// 7-year lock leave the database as Parquet, the archive checks from its files alone and at
// its seam with the database, purge records checkpoints and `verify` starts from them; a
// row written at the turn of a month ties two months (purged together or not at all); a
// month inside the lock cannot be purged by the CLI, by retention.purge or by plain DDL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type postgres from 'postgres';
import { runCli, testDb } from './helpers/db.ts';

function tempDir(t: Parameters<typeof testDb>[0], prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

// A month partition of ledger.events, as the owner creates them.
async function monthPartition(sql: postgres.Sql, month: string): Promise<void> {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1)).toISOString();
  const to = new Date(Date.UTC(y, m, 1)).toISOString();
  await sql.begin(async (tx) => {
    await tx`set local role blotter_owner`;
    await tx.unsafe(`create table ledger.events_${month.replace('-', '')} partition of ledger.events for values from ('${from}') to ('${to}')`);
  });
}

// Events recorded in the past (recorded_at given): n per stream, spread over the month.
async function oldEvents(sql: postgres.Sql, month: string, streams: string[], n: number): Promise<void> {
  await sql`
    insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, entity_id, actor, payload)
    select s, ${`${month}-01T00:00:00Z`}::timestamptz + (i * interval '1 hour'), ${`${month}-01T00:00:00Z`}::timestamptz + (i * interval '1 hour'),
           'bot', 'signal', case when i % 3 = 0 then '' when i % 3 = 1 then null else 'it''s a\\b' end, 'Zürich €',
           jsonb_build_object('i', i, 'px', (i || '.50')::numeric, 'note', 'x,"y"' || chr(10) || 'z')
      from unnest(${streams}::text[]) s, generate_series(1, ${n}) i
     order by s, i`;
}

async function setup(t: Parameters<typeof testDb>[0]) {
  const db = await testDb(t);
  const { sql } = db;
  for (const m of ['2018-01', '2018-02', '2018-03']) await monthPartition(sql, m);
  await oldEvents(sql, '2018-01', ['a', 'b', 'k'], 40);
  // The turn of January: stream k's row 41 lands in February, its row 42 (its insert
  // began a moment earlier, so recorded_at is earlier) in January.
  await sql`insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, payload)
            values ('k', '2018-02-01T00:00:00.000002Z', '2018-02-01T00:00:00Z', 'bot', 'signal', '{"turn": 1}')`;
  await sql`insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, payload)
            values ('k', '2018-01-31T23:59:59.999999Z', '2018-01-31T23:59:59Z', 'bot', 'signal', '{"turn": 2}')`;
  await oldEvents(sql, '2018-02', ['a', 'k'], 30);
  await oldEvents(sql, '2018-03', ['a', 'b', 'k'], 20);
  // and today's rows, which stay
  await sql`insert into ledger.events (stream, occurred_at, source, event_type, payload)
            select s, now(), 'bot', 'signal', jsonb_build_object('today', i) from unnest(array['a', 'b', 'k', 'new']) s, generate_series(1, 5) i`;
  const home = tempDir(t, 'blotter-archive-home-');
  const env = { DATABASE_URL: db.url, BLOTTER_HOME: home };
  return { ...db, home, env, cli: (args: string[]) => runCli(args, { env, timeoutMs: 120_000 }) };
}

t.test('archive, verify-archive, purge (the month-boundary skew), verify from the checkpoints', async (t) => {
  const { sql, cli, home } = await setup(t);
  const dir = path.join(home, 'archive');

  const arch = await cli(['archive', '--to', dir]);
  t.equal(arch.code, 0, arch.stderr);
  t.match(arch.stdout, /ledger_events 2018-01: 121 rows/);
  t.match(arch.stdout, /3 months archived to /);
  for (const m of ['2018-01', '2018-02', '2018-03']) {
    t.ok(fs.existsSync(path.join(dir, 'ledger_events', m, `ledger_events-${m}.parquet`)), `${m} data file`);
    t.ok(fs.existsSync(path.join(dir, 'ledger_events', m, 'manifest.json')), `${m} manifest`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'ledger_events', '2018-02', 'manifest.json'), 'utf8'));
  t.equal(manifest.format, 'blotter-archive/1');
  t.equal(manifest.rows, 61);
  t.same(manifest.streams.map((s: { stream: string }) => s.stream), ['a', 'k']);
  t.match(manifest.previous, { month: '2018-01' });
  const again = await cli(['archive', '--to', dir]);
  t.match(again.stdout, /0 months archived to .*, 3 already there/, 'archiving again writes nothing');
  t.same((await sql`select count(*)::int as n from ledger.events where event_type = 'month_archived'`)[0], { n: 3 }, 'each archive is an event');

  const v1 = await cli(['verify-archive', dir]);
  t.equal(v1.code, 0, v1.stdout + v1.stderr);
  t.match(v1.stdout, /archive intact: 3 months, 242 rows, 3 ledger streams, seam with the database checked/);

  // January alone would cut stream k at 40 with 41 left in February: it waits.
  const p1 = await cli(['purge', '--from', dir, '--before', '2018-02']);
  t.equal(p1.code, 0, p1.stderr);
  t.match(p1.stdout, /waiting  ledger_events 2018-01: stream k would have a gap: stream_seq 42 goes with 2018-01 but stream_seq 41/);
  t.match(p1.stdout, /0 months purged/);
  t.ok((await sql`select to_regclass('ledger.events_201801') as r`)[0]!.r, 'January is still there');

  const dry = await cli(['purge', '--from', dir, '--before', '2018-03', '--dry-run']);
  t.match(dry.stdout, /dry run: 2 months would be purged/);
  t.ok((await sql`select to_regclass('ledger.events_201801') as r`)[0]!.r, 'a dry run drops nothing');

  // January and February together leave every stream whole.
  const p2 = await cli(['purge', '--from', dir, '--before', '2018-03']);
  t.equal(p2.code, 0, p2.stderr);
  t.match(p2.stdout, /ledger_events 2018-01: purged 121 rows, 3 stream checkpoints/);
  t.match(p2.stdout, /ledger_events 2018-02: purged 61 rows, 2 stream checkpoints/);
  t.match(p2.stdout, /2 months purged/);
  t.notOk((await sql`select to_regclass('ledger.events_201801') as r`)[0]!.r);
  const cps = await sql`select stream, stream_seq::int as seq from ledger.stream_checkpoints order by stream`;
  t.same(cps, [{ stream: 'a', seq: 70 }, { stream: 'b', seq: 40 }, { stream: 'k', seq: 72 }]);

  const st = await cli(['retention', 'status']);
  t.match(st.stdout, /^ledger_events .*; archived 1 months \(to 2018-03\), purged 2, whole months not archived 0$/m, 'retention status says what is archived');
  const v2 = await cli(['verify']);
  t.equal(v2.code, 0, v2.stdout);
  t.match(v2.stdout, /ok {7}a: 25 rows after the checkpoint at 70/);
  t.same((await sql`select stream from ledger.verify() where reason is not null`), [], 'ledger.verify() agrees');
  const v3 = await cli(['verify-archive', dir]);
  t.equal(v3.code, 0, v3.stdout + v3.stderr);
  t.match(v3.stdout, /seam with the database checked/);

  // the rest; then every old month is gone and the chain still verifies
  const p3 = await cli(['purge', '--from', dir, '--json']);
  t.equal(p3.code, 0);
  t.same(JSON.parse(p3.stdout).purged.map((p: { month: string }) => p.month), ['2018-03']);
  t.same((await sql`select count(*)::int as n from ledger.events where event_type = 'month_purged'`)[0], { n: 3 });
  t.equal((await cli(['verify'])).code, 0);
  t.equal((await cli(['verify-archive', dir])).code, 0);
  t.same((await sql`select family, to_char(month, 'YYYY-MM') as month, state from reports.archive_months where month < '2019-01-01' order by month`),
    ['2018-01', '2018-02', '2018-03'].map((month) => ({ family: 'ledger_events', month, state: 'purged' })));

  // a purged month that the archive no longer holds breaks the seam
  fs.rmSync(path.join(dir, 'ledger_events', '2018-03'), { recursive: true });
  const v4 = await cli(['verify-archive', dir]);
  t.equal(v4.code, 1);
  t.match(v4.stdout, /stream a stream_seq 90: seam: the database purged up to 90; the archive ends at 70/);
});

t.test('purge is refused inside the retention lock: by the CLI, by retention.purge, by plain DDL', async (t) => {
  const { sql, cli, home } = await setup(t);
  const dir = path.join(home, 'archive');
  const kept = new Date(Date.now() - 6 * 365 * 86_400_000).toISOString().slice(0, 7);
  await monthPartition(sql, kept);
  await oldEvents(sql, kept, ['z'], 5);
  t.equal((await cli(['archive', '--to', dir])).code, 0);
  t.equal((await cli(['purge', '--from', dir])).code, 0);
  t.notOk((await sql`select to_regclass('ledger.events_201803') as r`)[0]!.r, '2018 went');
  t.ok((await sql`select to_regclass(${`ledger.events_${kept.replace('-', '')}`}) as r`)[0]!.r, `${kept} is kept: the CLI stops at the lock`);
  const [arch] = await sql`select manifest_sha256 from retention.archives where month = ${`${kept}-01`}::date`;
  await sql`select retention.record_verified('ledger_events', ${`${kept}-01`}::date, ${arch!.manifest_sha256})`;
  await t.rejects(sql.begin(async (tx) => {
    await tx`set local role blotter_owner`;
    await tx`select * from retention.purge('ledger_events', array[${`${kept}-01`}::date], array[${arch!.manifest_sha256}::text])`;
  }), /retention lock: .* is kept by the ledger_events policy \(keep 7 years\)/);
  await t.rejects(sql.begin(async (tx) => {
    await tx`set local role blotter_owner`;
    await tx.unsafe(`drop table ledger.events_${kept.replace('-', '')}`);
  }), /retention lock/, 'plain DROP by the owner');
  await t.rejects(sql`select * from retention.purge('ledger_events', array['2018-01-01'::date], array['x'])`, /no partition|already purged/);
});

// Copies of one archive, each changed the way an attacker might; every one is caught
// offline, with the kind of problem named.
t.test('a tampered archive is caught offline: edited row, deleted row, swapped files, forged manifest, bad signature', async (t) => {
  const { cli, home } = await setup(t);
  const dir = path.join(home, 'archive');
  const key = path.join(home, 'sign.key');
  t.equal((await cli(['digest', '--keygen', '--out', key])).code, 0);
  t.equal((await cli(['archive', '--to', dir, '--sign', key])).code, 0);
  t.equal((await cli(['verify-archive', dir, '--offline', '--public-key', `${key}.pub`])).code, 0);
  const { openDuck } = await import('../agent/archive/parquet.ts');
  const { sha256File } = await import('../agent/archive/store.ts');

  const copy = () => {
    const d = tempDir(t, 'blotter-tamper-');
    fs.cpSync(dir, d, { recursive: true });
    return d;
  };
  const rewrite = async (d: string, month: string, select: string, fixManifest: boolean) => {
    const file = path.join(d, 'ledger_events', month, `ledger_events-${month}.parquet`);
    const duck = await openDuck({ tempDir: d });
    await duck.con.run(`copy (${select.replace('FILE', `read_parquet('${file}')`)}) to '${file}.new' (format parquet)`);
    duck.close();
    fs.renameSync(`${file}.new`, file);
    if (fixManifest) {
      const mf = path.join(d, 'ledger_events', month, 'manifest.json');
      const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
      const sha = await sha256File(file);
      Object.assign(m.files[0], { sha256: sha, plain_sha256: sha, bytes: fs.statSync(file).size, plain_bytes: fs.statSync(file).size });
      fs.writeFileSync(mf, JSON.stringify(m, null, 2) + '\n');
    }
  };
  const check = async (d: string, extra: string[] = []) => cli(['verify-archive', d, '--offline', ...extra]);

  let d = copy();
  await rewrite(d, '2018-02', `select * replace (case when stream = 'a' and stream_seq = 50 then '{"i": 999}' else payload end as payload) from FILE`, false);
  let r = await check(d);
  t.equal(r.code, 1);
  t.match(r.stdout, /ledger_events 2018-02: file: ledger_events\/2018-02\/ledger_events-2018-02.parquet: \d+ bytes, sha256/, 'edited file, manifest untouched');

  d = copy();
  await rewrite(d, '2018-02', `select * replace (case when stream = 'a' and stream_seq = 50 then '{"i": 999}' else payload end as payload) from FILE`, true);
  r = await check(d);
  t.equal(r.code, 1);
  t.match(r.stdout, /ledger_events 2018-02 stream a stream_seq 50: hash mismatch/, 'edited row, manifest re-hashed: the row\'s own hash gives it away');

  d = copy();
  await rewrite(d, '2018-02', `select * from FILE where not (stream = 'a' and stream_seq = 55)`, true);
  r = await check(d);
  t.match(r.stdout, /stream a stream_seq 56: gap: stream_seq 56 follows 54/, 'deleted row');

  d = copy();
  const f1 = path.join(d, 'ledger_events', '2018-01', 'ledger_events-2018-01.parquet');
  const f3 = path.join(d, 'ledger_events', '2018-03', 'ledger_events-2018-03.parquet');
  fs.renameSync(f1, `${f1}.x`);
  fs.renameSync(f3, f1);
  fs.renameSync(`${f1}.x`, f3);
  r = await check(d);
  t.match(r.stdout, /ledger_events 2018-01: file: .*the manifest says/, 'swapped files');

  d = copy();
  const mf = path.join(d, 'ledger_events', '2018-03', 'manifest.json');
  const forged = JSON.parse(fs.readFileSync(mf, 'utf8'));
  forged.streams[0].last_hash = 'f'.repeat(64);
  fs.writeFileSync(mf, JSON.stringify(forged, null, 2) + '\n');
  r = await check(d);
  t.match(r.stdout, /ledger_events 2018-03 stream a: manifest: stream a: last_hash differs between the manifest and the file/, 'forged manifest');
  r = await check(d, ['--public-key', `${key}.pub`]);
  t.match(r.stdout, /ledger_events 2018-03: signature: .*the signature does not match manifest.json/, 'and its signature no longer holds');

  d = copy();
  fs.rmSync(path.join(d, 'ledger_events', '2018-02'), { recursive: true });
  r = await check(d);
  t.match(r.stdout, /2018-03: months: 2018-03 follows 2018-02, but the archive's month before it is 2018-01 \(a month is missing\)/, 'a whole month removed');
  t.match(r.stdout, /gap/, 'and the streams show the hole');

  // garbage in place of a month's file, its manifest forged to match
  d = copy();
  const junk = path.join(d, 'ledger_events', '2018-03', 'ledger_events-2018-03.parquet');
  fs.writeFileSync(junk, Buffer.alloc(4096, 7));
  const mj = path.join(d, 'ledger_events', '2018-03', 'manifest.json');
  const jm = JSON.parse(fs.readFileSync(mj, 'utf8'));
  const jsha = await sha256File(junk);
  Object.assign(jm.files[0], { sha256: jsha, plain_sha256: jsha, bytes: 4096, plain_bytes: 4096 });
  fs.writeFileSync(mj, JSON.stringify(jm, null, 2) + '\n');
  r = await check(d);
  t.equal(r.code, 1);
  t.match(r.stdout, /ledger_events 2018-03: file: .*not a readable Parquet file/, 'an unreadable file is a finding, not a crash');

  // nothing there is not "intact"
  const empty = tempDir(t, 'blotter-empty-archive-');
  r = await check(empty);
  t.equal(r.code, 2);
  t.match(r.stderr, /no archive at .*: no <family>\/<YYYY-MM>\/manifest.json there .*\[ARCHIVE_EMPTY\]/);
});

// To S3-compatible storage, encrypted to an age recipient and signed: verify-archive reads
// it back from S3, needs the identity to check rows, and purge works from S3 too.
t.test('S3 round trip, encrypted and signed: archive, verify-archive s3://…, purge, verify', async (t) => {
  const { cli, home, env, sql } = await setup(t);
  const { startS3rver } = await import('./helpers/s3.ts');
  const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
  const { writeIdentityFile } = await import('../agent/archive/crypt.ts');
  const server = await startS3rver(path.join(home, 's3'));
  t.teardown(() => server.stop());
  const endpoint = `http://127.0.0.1:${server.port}`;
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await s3.send(new CreateBucketCommand({ Bucket: 'blotter' }));
  s3.destroy();
  const s3env = {
    ...env, BLOTTER_ARCHIVE_S3_ENDPOINT: endpoint, BLOTTER_ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
    BLOTTER_ARCHIVE_S3_ACCESS_KEY_ID: 'S3RVER', BLOTTER_ARCHIVE_S3_SECRET_ACCESS_KEY: 'S3RVER',
  };
  const s3cli = (args: string[]) => runCli(args, { env: s3env, timeoutMs: 120_000 });
  const identity = path.join(home, 'archive.agekey');
  const { recipient } = await writeIdentityFile(identity);
  const key = path.join(home, 'sign.key');
  t.equal((await cli(['digest', '--keygen', '--out', key])).code, 0);
  const where = 's3://blotter/ledger-archive';

  const arch = await s3cli(['archive', '--to', where, '--recipient', recipient, '--sign', key]);
  t.equal(arch.code, 0, arch.stderr);
  t.match(arch.stdout, /ledger_events 2018-01: 121 rows, \d+ bytes \(encrypted\)/);
  t.match(arch.stdout, /3 months archived to s3:\/\/blotter\/ledger-archive/);
  t.notMatch(arch.stdout + arch.stderr, /S3RVER/, 'no secret in the output');

  const noKey = await s3cli(['verify-archive', where, '--offline']);
  t.equal(noKey.code, 2, 'encrypted rows need the identity');
  t.match(noKey.stderr, /is encrypted: give the identity that decrypts it \(--identity FILE\)/);
  const ok = await s3cli(['verify-archive', where, '--identity', identity, '--public-key', `${key}.pub`]);
  t.equal(ok.code, 0, ok.stdout + ok.stderr);
  t.match(ok.stdout, /archive intact: 3 months, 242 rows, 3 ledger streams, signatures checked, seam with the database checked/);

  // the writer's host holds only the recipient: purge checks the stored bytes without decrypting
  const purged = await s3cli(['purge', '--from', where]);
  t.equal(purged.code, 0, purged.stderr);
  t.match(purged.stdout, /3 months purged/);
  t.equal((await cli(['verify'])).code, 0);
  t.same((await sql`select count(*)::int as n from ledger.stream_checkpoints`)[0], { n: 3 });
  t.equal((await s3cli(['verify-archive', where, '--identity', identity])).code, 0, 'and the seam holds from S3');
});

// The trading log and metrics: archived and purged like the ledger (no chain: rows and
// sha256 are what is checked); a late log line in an archived month has it archived again.
t.test('ops.logs and ops.metrics: archive, verify-archive, a late line re-archives its month, purge past retention', async (t) => {
  const { sql, cli, home } = await setup(t);
  const dir = path.join(home, 'archive');
  await sql.begin(async (tx) => {
    await tx`set local role blotter_owner`;
    await tx.unsafe(`create table ops.logs_201801 partition of ops.logs for values from ('2018-01-01T00:00:00Z') to ('2018-02-01T00:00:00Z')`);
    await tx.unsafe(`create table ops.logs_201802 partition of ops.logs for values from ('2018-02-01T00:00:00Z') to ('2018-03-01T00:00:00Z')`);
    await tx.unsafe(`create table ops.metrics_201801 partition of ops.metrics for values from ('2018-01-01T00:00:00Z') to ('2018-02-01T00:00:00Z')`);
  });
  await sql`insert into ops.logs (logged_at, level, category, source, msg, fields)
            select '2018-01-01T00:00:00Z'::timestamptz + i * interval '1 hour', 'info', 'order', 'bot', 'line ' || i || ' ''quoted'', comma',
                   case when i % 2 = 0 then jsonb_build_object('i', i, 'px', 1.50) end
              from generate_series(1, 50) i`;
  await sql`insert into ops.logs (logged_at, level, category, source, msg) values ('2018-02-03T00:00:00Z', 'warn', 'system', 'agent', 'february')`;
  await sql`insert into ops.metrics (observed_at, name, value, labels)
            select '2018-01-01T00:00:00Z'::timestamptz + i * interval '1 day', 'latency_ms', i * 0.125, '{"venue": "ISLAND"}' from generate_series(1, 20) i`;

  const a1 = await cli(['archive', '--to', dir, '--family', 'ops_logs', '--family', 'ops_metrics', '--json']);
  t.equal(a1.code, 0, a1.stderr);
  t.same(JSON.parse(a1.stdout).months.map((m: { family: string; month: string; rows: number }) => `${m.family} ${m.month} ${m.rows}`),
    ['ops_logs 2018-01 50', 'ops_logs 2018-02 1', 'ops_metrics 2018-01 20']);
  const { openDuck } = await import('../agent/archive/parquet.ts');
  const duck = await openDuck({ tempDir: home });
  const rows = (await duck.con.runAndReadAll(`select msg, fields, logged_at from read_parquet('${dir}/ops_logs/2018-01/ops_logs-2018-01.parquet') order by log_id limit 2`)).getRowObjectsJS();
  duck.close();
  t.same(rows.map((r) => r.msg), ["line 1 'quoted', comma", "line 2 'quoted', comma"], 'text as written');
  t.same(rows.map((r) => r.fields), [null, '{"i": 2, "px": 1.50}'], 'jsonb as PostgreSQL prints it, NULL kept');
  t.equal((rows[0]!.logged_at as Date).toISOString(), '2018-01-01T01:00:00.000Z');
  t.equal((await cli(['verify-archive', dir])).code, 0);

  // a late line for January: January, and February after it, are archived again
  await sql`insert into ops.logs (logged_at, level, category, source, msg) values ('2018-01-20T00:00:00Z', 'info', 'order', 'bot', 'late')`;
  const a2 = await cli(['archive', '--to', dir, '--family', 'ops_logs', '--json']);
  t.same(JSON.parse(a2.stdout).months.map((m: { month: string; rows: number; skipped?: string }) => `${m.month} ${m.rows}${m.skipped ? ' skipped' : ''}`),
    ['2018-01 51', '2018-02 1']);
  t.equal((await cli(['verify-archive', dir])).code, 0, 'the months still chain');

  const p = await cli(['purge', '--from', dir, '--family', 'ops_logs', '--family', 'ops_metrics']);
  t.equal(p.code, 0, p.stderr);
  t.match(p.stdout, /ops_logs 2018-01: purged 51 rows/);
  t.match(p.stdout, /ops_metrics 2018-01: purged 20 rows/);
  t.match(p.stdout, /3 months purged/);
  t.same((await sql`select count(*)::int as n from ops.logs where logged_at < '2019-01-01'`)[0], { n: 0 });
});

// The agent's archive task: hourly it moves rotated log files (compressed) to the archive;
// at 03:07 UTC it archives the whole months and, with auto_purge, purges what checks;
// failed jobs past the job_history policy go too.
t.test('the archive task: rotated log files hourly, months and purge at 03:07, the job history swept', async (t) => {
  const { sql, home, url } = await setup(t);
  const { installQueue } = await import('./helpers/jobs.ts');
  await installQueue(url);
  const pino = (await import('pino')).default;
  const zlib = await import('node:zlib');
  const { run } = await import('../agent/jobs/archive_task.ts');
  const dir = path.join(home, 'archive');
  const logs = path.join(home, 'logs');
  fs.mkdirSync(logs);
  const old = new Date(Date.now() - 3_600_000);
  for (const n of [1, 2, 3]) {
    fs.writeFileSync(path.join(logs, `blotter.${n}.log`), `{"msg":"line of file ${n}"}\n`);
    if (n < 3) fs.utimesSync(path.join(logs, `blotter.${n}.log`), old, old);
  }
  const settings = {
    enabled: true, auto_purge: true, location: dir, s3_endpoint: '', s3_region: 'us-east-1', s3_access_key_id: '', s3_secret_access_key: '',
    s3_force_path_style: false, recipients: [], sign_key: '',
  };
  const task = run({ sql, log: pino({ level: 'silent' }), settings, home, logFile: path.join(logs, 'blotter.log') });
  const job = (ts: string) => [{ _cron: { ts, backfilled: false } }, { job: { created_at: new Date(ts) } }] as unknown as Parameters<typeof task>;

  // a job that failed for good long ago, and one that failed recently
  await sql`select graphile_worker.add_job('nothing', '{}', max_attempts => 1)`;
  await sql.unsafe(`update graphile_worker._private_jobs set attempts = max_attempts, updated_at = now() - interval '200 days'`);
  await sql`select graphile_worker.add_job('nothing_recent', '{}', max_attempts => 1)`;
  await sql.unsafe(`update graphile_worker._private_jobs set attempts = max_attempts where updated_at > now() - interval '1 day'`);

  await task(...job('2026-11-27T14:07:00.000Z'));
  const moved = fs.readdirSync(path.join(dir, 'file_logs'), { recursive: true }).map(String).filter((f) => f.endsWith('.gz')).sort();
  t.equal(moved.length, 2, 'the two rotated files, not the one being written');
  t.same(fs.readdirSync(logs).sort(), ['blotter.3.log']);
  t.match(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'file_logs', moved[0]!))).toString(), /line of file 1/);
  t.notOk(fs.existsSync(path.join(dir, 'ledger_events')), 'months wait for 03:07');

  await task(...job('2026-11-27T03:07:00.000Z'));
  t.same((await sql`select family, to_char(month, 'YYYY-MM') as month, state from reports.archive_months where month < '2019-01-01' order by month`),
    ['2018-01', '2018-02', '2018-03'].map((month) => ({ family: 'ledger_events', month, state: 'purged' })), 'archived and purged');
  t.same((await sql`select stream from ledger.verify() where reason is not null`), []);
  const left = await sql.unsafe(`select t.identifier from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id`);
  t.same(left.map((r) => r.identifier), ['nothing_recent'], 'the old failed job is gone, the recent one stays');
  t.same((await sql`select payload->>'jobs' as jobs from ledger.events where event_type = 'job_history_purged'`), [{ jobs: '1' }]);
});

// Archives hold rows as stored: a person's identifying fields are tokens there too, and
// once the subject is erased nothing in a new archive (or the database) recovers them.
t.test('erase-subject: archives hold tokens, never the plaintext; the archive still verifies', async (t) => {
  const { sql, cli, home } = await setup(t);
  const dir = path.join(home, 'archive');
  await sql`insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, entity_type, actor, payload)
            values ('ops', '2018-01-15T00:00:00Z', '2018-01-15T00:00:00Z', 'user', 'user_action', 'user_action', 'alice@example.com',
                    '{"action": "pause_trading", "details": {"email": "alice@example.com"}}')`;
  const [stored] = await sql`select actor from ledger.events where stream = 'ops'`;
  t.match(stored!.actor, /^pii:v1:/, 'stored as a token');
  const erased = await cli(['erase-subject', 'alice@example.com', '--reason', 'erasure request 7']);
  t.equal(erased.code, 0, erased.stderr);
  t.equal((await cli(['archive', '--to', dir])).code, 0);
  const { openDuck } = await import('../agent/archive/parquet.ts');
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
