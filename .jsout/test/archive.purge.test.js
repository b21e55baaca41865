// Archive → verify-archive → purge → verify, through the real CLI: months older than the
// 7-year lock leave the database as Parquet, the archive checks from its files alone and at
// its seam with the database, purge records checkpoints and `verify` starts from them; a
// row written at the turn of a month ties two months (purged together or not at all); a
// month inside the lock cannot be purged by the CLI, by retention.purge or by plain DDL.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { setup, monthPartition, oldEvents } from "./helpers/archive.js";
// Many CLI runs (each loads DuckDB): minutes on a busy machine.
t.setTimeout(600_000);
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
    t.same(manifest.streams.map((s) => s.stream), ['a', 'k']);
    t.match(manifest.previous, { month: '2018-01' });
    const again = await cli(['archive', '--to', dir]);
    t.match(again.stdout, /0 months archived to .*, 3 already there/, 'archiving again writes nothing');
    t.same((await sql `select count(*)::int as n from ledger.events where event_type = 'month_archived'`)[0], { n: 3 }, 'each archive is an event');
    const v1 = await cli(['verify-archive', dir]);
    t.equal(v1.code, 0, v1.stdout + v1.stderr);
    t.match(v1.stdout, /archive intact: 3 months, 242 rows, 3 ledger streams, seam with the database checked/);
    // January alone would cut stream k at 40 with 41 left in February: it waits.
    const p1 = await cli(['purge', '--from', dir, '--before', '2018-02']);
    t.equal(p1.code, 0, p1.stderr);
    t.match(p1.stdout, /waiting  ledger_events 2018-01: stream k would have a gap: stream_seq 42 goes with 2018-01 but stream_seq 41/);
    t.match(p1.stdout, /0 months purged/);
    t.ok((await sql `select to_regclass('ledger.events_201801') as r`)[0].r, 'January is still there');
    const dry = await cli(['purge', '--from', dir, '--before', '2018-03', '--dry-run']);
    t.match(dry.stdout, /dry run: 2 months would be purged/);
    t.ok((await sql `select to_regclass('ledger.events_201801') as r`)[0].r, 'a dry run drops nothing');
    // January and February together leave every stream whole.
    const p2 = await cli(['purge', '--from', dir, '--before', '2018-03']);
    t.equal(p2.code, 0, p2.stderr);
    t.match(p2.stdout, /ledger_events 2018-01: purged 121 rows, 3 stream checkpoints/);
    t.match(p2.stdout, /ledger_events 2018-02: purged 61 rows, 2 stream checkpoints/);
    t.match(p2.stdout, /2 months purged/);
    t.notOk((await sql `select to_regclass('ledger.events_201801') as r`)[0].r);
    const cps = await sql `select stream, stream_seq::int as seq from ledger.stream_checkpoints order by stream`;
    t.same(cps, [{ stream: 'a', seq: 70 }, { stream: 'b', seq: 40 }, { stream: 'k', seq: 72 }]);
    const st = await cli(['retention', 'status']);
    t.match(st.stdout, /^ledger_events .*; archived 1 months \(to 2018-03\), purged 2, whole months not archived 0$/m, 'retention status says what is archived');
    const v2 = await cli(['verify']);
    t.equal(v2.code, 0, v2.stdout);
    t.match(v2.stdout, /ok {7}a: 25 rows after the checkpoint at 70/);
    t.same((await sql `select stream from ledger.verify() where reason is not null`), [], 'ledger.verify() agrees');
    const v3 = await cli(['verify-archive', dir]);
    t.equal(v3.code, 0, v3.stdout + v3.stderr);
    t.match(v3.stdout, /seam with the database checked/);
    // the rest; then every old month is gone and the chain still verifies
    const p3 = await cli(['purge', '--from', dir, '--json']);
    t.equal(p3.code, 0);
    t.same(JSON.parse(p3.stdout).purged.map((p) => p.month), ['2018-03']);
    t.same((await sql `select count(*)::int as n from ledger.events where event_type = 'month_purged'`)[0], { n: 3 });
    t.equal((await cli(['verify'])).code, 0);
    t.equal((await cli(['verify-archive', dir])).code, 0);
    t.same((await sql `select family, to_char(month, 'YYYY-MM') as month, state from reports.archive_months where month < '2019-01-01' order by month`), ['2018-01', '2018-02', '2018-03'].map((month) => ({ family: 'ledger_events', month, state: 'purged' })));
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
    t.notOk((await sql `select to_regclass('ledger.events_201803') as r`)[0].r, '2018 went');
    t.ok((await sql `select to_regclass(${`ledger.events_${kept.replace('-', '')}`}) as r`)[0].r, `${kept} is kept: the CLI stops at the lock`);
    const [arch] = await sql `select manifest_sha256 from retention.archives where month = ${`${kept}-01`}::date`;
    await sql `select retention.record_verified('ledger_events', ${`${kept}-01`}::date, ${arch.manifest_sha256})`;
    await t.rejects(sql.begin(async (tx) => {
        await tx `set local role blotter_owner`;
        await tx `select * from retention.purge('ledger_events', array[${`${kept}-01`}::date], array[${arch.manifest_sha256}::text])`;
    }), /retention lock: .* is kept by the ledger_events policy \(keep 7 years\)/);
    await t.rejects(sql.begin(async (tx) => {
        await tx `set local role blotter_owner`;
        await tx.unsafe(`drop table ledger.events_${kept.replace('-', '')}`);
    }), /retention lock/, 'plain DROP by the owner');
    await t.rejects(sql `select * from retention.purge('ledger_events', array['2018-01-01'::date], array['x'])`, /no partition|already purged/);
});
