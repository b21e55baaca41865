// What `blotter backup` refuses, and what it leaves behind: a database blotter does not
// manage, a home with no cluster, an --out that exists; a backup that fails halfway
// leaves no directory, no slot and no backup in progress. Also: a backup is private and
// whole, no secret reaches the output, a stopped server is started for a backup and
// stopped again, and a torn pg_control is told from an intact one. Method: a real
// embedded server under its own BLOTTER_HOME, the real command as a child process.
// (Restore's refusals: restore.refusals.test.ts.)
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import postgres from 'postgres';
import { controlFileIntact, readControlFile } from "../agent/backup/control.js";
import { segmentRange } from "../agent/backup/wal.js";
import { makeTempHome } from "../agent/db/server.js";
import { eventLine, runCli } from "./helpers/db.js";
// A server of its own and some thirty child processes: minutes on a loaded machine.
t.setTimeout(600_000);
const root = makeTempHome('blotter-backup-refusals-');
const home = path.join(root, 'home');
const backupDir = path.join(root, 'backup');
const env = { BLOTTER_HOME: home, BLOTTER_PG_BIN: process.env.BLOTTER_TEST_PG_BIN, DATABASE_URL: '', BLOTTER_DATABASE_URL: '' };
t.teardown(async () => {
    await runCli(['db', 'stop'], { env });
    fs.rmSync(root, { recursive: true, force: true });
});
t.test('no cluster under BLOTTER_HOME: backup refuses and starts nothing', async (t) => {
    const r = await runCli(['backup', '--out', path.join(root, 'none')], { env });
    t.equal(r.code, 2);
    t.match(r.stderr, /^blotter backup: no database: .*BLOTTER_HOME=.*\/home\) \[DB_NONE\]\n$/);
    t.notOk(fs.existsSync(path.join(root, 'none')));
    t.notOk(fs.existsSync(path.join(home, 'pg')), 'no cluster was created');
});
t.test('a database from DATABASE_URL or the config is not blotter\'s to back up', async (t) => {
    const r = await runCli(['backup', '--out', path.join(root, 'ext')], { env: { ...env, DATABASE_URL: 'postgres://u:secretpw@127.0.0.1:1/x' } });
    t.equal(r.code, 2);
    t.match(r.stderr, /the database is postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x, from DATABASE_URL: blotter backup copies only the embedded server/);
    t.match(r.stderr, /docs\/operations\.md: pgBackRest\) \[BACKUP_EXTERNAL\]/);
    t.notMatch(r.stderr, /secretpw/);
    const u = await runCli(['backup'], { env });
    t.same([u.code, u.stderr], [2, 'blotter backup: backup needs --out DIR, a new directory (see blotter backup --help)\n']);
    for (const [cmd, flag] of [['backup', '--help'], ['restore', '-h']]) {
        const h = await runCli([cmd, flag], { env });
        t.same([h.code, h.stderr], [0, ''], `${cmd} ${flag}`);
        t.match(h.stdout, new RegExp(`^usage: blotter ${cmd} --(out|from) DIR`), `${cmd} ${flag}`);
    }
    const all = await runCli(['--help'], { env });
    t.match(all.stdout, /\n {2}backup {5}a consistent online backup/);
    t.match(all.stdout, /\n {2}restore {4}a backup into a new home/);
});
t.test('a backup of the running server: whole, private, and no secret in the output', async (t) => {
    t.equal((await runCli(['db', 'start'], { env })).code, 0);
    t.equal((await runCli(['migrate'], { env })).code, 0);
    fs.writeFileSync(path.join(home, 'ingest-token'), 'tok-0123456789abcdefghij\n', { mode: 0o600 });
    t.match((await runCli(['append', '-'], { env, input: eventLine({ idempotency_key: 'one' }) })).stdout, /appended 1/);
    const r = await runCli(['backup', '--out', backupDir, '--label', 'refusals'], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /^backup written to .*\/backup: \d+ files, [\d.]+ MiB \(1 WAL segments\), WAL [0-9A-F/]+ to [0-9A-F/]+, 1 ledger heads, in [\d.]+ s\nconsistent through \d{4}-\d\d-\d\dT[\d:.]+Z: everything committed before then is in it\n$/);
    const password = fs.readFileSync(path.join(home, 'pg', 'password'), 'utf8').trim();
    t.notMatch(r.stdout + r.stderr, password, 'the server password is not printed');
    t.notMatch(r.stdout + r.stderr, 'tok-0123456789', 'nor the ingest token');
    t.equal(fs.statSync(backupDir).mode & 0o777, 0o700, 'the backup directory is private');
    for (const f of ['backup.json', 'pg/password', 'ingest-token', 'pg/data/backup_label']) {
        t.equal(fs.statSync(path.join(backupDir, f)).mode & 0o777, 0o600, `${f} is private`);
    }
    const m = JSON.parse(fs.readFileSync(path.join(backupDir, 'backup.json'), 'utf8'));
    t.equal(m.label, 'refusals');
    t.same(m.secrets, ['pg/password', 'ingest-token']);
    t.notOk(m.files.some((f) => /postmaster\.(pid|opts)$/.test(f.path)), 'no pid file');
    t.same(m.files.filter((f) => f.path.startsWith('pg/data/pg_wal/')).map((f) => f.path.slice(15)), m.postgres.walSegments, 'no WAL but the backup\'s');
    t.ok(controlFileIntact(fs.readFileSync(path.join(backupDir, 'pg/data/global/pg_control'))), 'pg_control copied intact');
    t.same(fs.readdirSync(root).filter((n) => n.includes('.tmp-')), [], 'no temporary directory left');
});
t.test('--out that exists is refused before anything is started', async (t) => {
    const r = await runCli(['backup', '--out', backupDir], { env });
    t.equal(r.code, 2);
    t.match(r.stderr, new RegExp(`--out ${backupDir} already exists; a backup goes into a new directory \\[BACKUP_OUT_EXISTS\\]`));
    const p = await runCli(['backup', '--out', path.join(root, 'no', 'such')], { env });
    t.equal(p.code, 2);
    t.match(p.stderr, /directory .*\/no does not exist \[BACKUP_OUT_PARENT\]/);
});
t.test('a backup that fails halfway leaves no directory, no slot, no backup in progress', async (t) => {
    // A symbolic link in the data directory is refused mid-copy, after pg_backup_start.
    const link = path.join(home, 'pg', 'data', 'zz-link');
    fs.symlinkSync('/tmp', link);
    t.teardown(() => fs.rmSync(link, { force: true }));
    const out = path.join(root, 'half');
    const r = await runCli(['backup', '--out', out], { env });
    t.equal(r.code, 2);
    t.match(r.stderr, /zz-link is a symbolic link: .* \[BACKUP_UNSUPPORTED\]/);
    t.notOk(fs.existsSync(out));
    t.same(fs.readdirSync(root).filter((n) => n.includes('.tmp-')), [], 'the temporary directory is gone');
    const sql = postgres((await runCli(['db', 'url'], { env })).stdout.trim(), { max: 1, onnotice: () => { } });
    t.teardown(() => sql.end({ timeout: 5 }));
    t.same(await sql `select slot_name from pg_replication_slots`, []);
    t.same(await sql `select pid from pg_stat_activity where application_name = 'blotter backup'`, [], 'its session ended');
    fs.rmSync(link);
    t.equal((await runCli(['backup', '--out', out], { env })).code, 0, 'the next backup works');
});
t.test('a stopped server is started for the backup and stopped again', async (t) => {
    t.equal((await runCli(['db', 'stop'], { env })).stdout.trim(), 'stopped');
    const r = await runCli(['backup', '--out', path.join(root, 'cold')], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /is stopped: starting it\./);
    t.match(r.stderr, /stopped the embedded database under .* again\./);
    t.equal((await runCli(['db', 'status'], { env })).code, 3, 'left as found: stopped');
    t.equal((await runCli(['db', 'start'], { env })).code, 0);
});
t.test('pg_control: a torn read is told from an intact one, and re-read a bounded number of times', async (t) => {
    const file = path.join(backupDir, 'pg/data/global/pg_control');
    const good = fs.readFileSync(file);
    t.ok(controlFileIntact(good));
    // Half of another version: the first 256 bytes of a later checkpoint's copy.
    const torn = Buffer.from(good);
    torn.writeBigUInt64LE(torn.readBigUInt64LE(40) + 1n, 40);
    t.notOk(controlFileIntact(torn));
    const f = path.join(root, 'pg_control');
    fs.writeFileSync(f, torn);
    await t.rejects(readControlFile(f, { attempts: 3, waitMs: 1 }), { code: 'BACKUP_CONTROL_TORN', message: /no intact copy in 3 reads/ });
    // Whole again by the second read.
    setTimeout(() => fs.writeFileSync(f, good), 5);
    t.same(await readControlFile(f, { attempts: 5, waitMs: 50 }), good);
});
t.test('WAL segment ranges cross a log id boundary and refuse nonsense', async (t) => {
    const seg = 16 * 1024 * 1024;
    t.same(segmentRange('0000000100000000000000FF', '000000010000000100000001', seg), ['0000000100000000000000FF', '000000010000000100000000', '000000010000000100000001']);
    t.throws(() => segmentRange('000000010000000000000002', '000000020000000000000003', seg), { code: 'BACKUP_TIMELINE' });
    t.throws(() => segmentRange('000000010000000000000003', '000000010000000000000002', seg), { code: 'BACKUP_WAL_RANGE' });
    t.throws(() => segmentRange('nope', '000000010000000000000002', seg), { code: 'BACKUP_WAL_NAME' });
});
