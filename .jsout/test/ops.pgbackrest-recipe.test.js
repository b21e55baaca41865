// The production backup recipe in docs/operations.md works as written: its pgbackrest.conf
// and postgresql.conf blocks, read from the document itself (paths moved into a temporary
// directory), on a throwaway PostgreSQL 15 cluster holding a blotter ledger. Full and
// differential backups are taken while WAL is archived; a restore to a new data directory
// brings back everything, a point-in-time restore everything up to the chosen time and
// nothing after; `blotter verify` passes on both. Under CI (which installs pgbackrest and
// PostgreSQL 15) a missing binary fails the test; elsewhere it is skipped, saying what to
// install.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t, {} from 'tap';
import postgres from 'postgres';
import { makeTempHome, serviceAccount } from "../agent/db/server.js";
import { eventLine, ROOT, runCli } from "./helpers/db.js";
// Three clusters, two restores and a ledger migrated on each: more than tap's default.
t.setTimeout(600_000);
const PG15 = process.env.BLOTTER_PG15_BIN ?? '/usr/lib/postgresql/15/bin';
const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8');
function which(cmd) {
    return (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(path.join(d, cmd)));
}
const missing = [
    ...(which('pgbackrest') ? [] : ['pgbackrest (apt-get install pgbackrest)']),
    ...(fs.existsSync(path.join(PG15, 'postgres')) ? [] : [`PostgreSQL 15 at ${PG15} (apt-get install postgresql-15)`]),
];
if (missing.length && !process.env.CI) {
    t.plan(0, `skipped: the pgBackRest recipe needs ${missing.join(' and ')}`);
}
else {
    t.test('the recipe\'s prerequisites are installed', async (t) => {
        t.same(missing, [], '.ci/run installs pgbackrest and postgresql-15');
    });
    if (!missing.length)
        await recipe();
}
async function recipe() {
    const root = makeTempHome('blotter-pgbr-');
    const runAs = serviceAccount();
    if (runAs)
        fs.chownSync(root, runAs.uid, runAs.gid);
    const conf = path.join(root, 'pgbackrest.conf');
    const started = [];
    // A command as the account that owns the cluster (postgres when we are root).
    const as = (cmd, args) => new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { uid: runAs?.uid, gid: runAs?.gid, cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { out += d; });
        const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
        child.on('error', reject);
        child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, out }); });
    });
    const pgbackrest = (...args) => as('pgbackrest', [`--config=${conf}`, '--stanza=blotter', ...args]);
    const pgCtl = async (dir, ...args) => as(path.join(PG15, 'pg_ctl'), ['-D', dir, ...args]);
    const startCluster = async (dir, port, extra = '') => {
        const r = await pgCtl(dir, '-l', `${dir}.log`, '-w', '-t', '60', '-o', `-p ${port} -k ${root} ${extra}`, 'start');
        if (r.code !== 0)
            throw new Error(`pg_ctl start ${dir}: ${r.out}\n${fs.readFileSync(`${dir}.log`, 'utf8').slice(-2000)}`);
        started.push(dir);
    };
    t.teardown(async () => {
        for (const dir of started.reverse())
            await pgCtl(dir, '-m', 'immediate', '-w', 'stop');
        fs.rmSync(root, { recursive: true, force: true });
    });
    // The document's blocks, its paths moved under root.
    const block = (first) => {
        const m = new RegExp('```ini\\n' + first.replace(/[.*/]/g, '\\$&') + '\\n([\\s\\S]*?)```').exec(DOC);
        if (!m)
            throw new Error(`docs/operations.md has no \`\`\`ini block opening with "${first}"`);
        return m[1];
    };
    const move = (text) => text
        .replaceAll('/var/lib/pgbackrest', path.join(root, 'repo'))
        .replaceAll('/var/log/pgbackrest', path.join(root, 'log'))
        .replaceAll('/var/lib/postgresql/15/main', path.join(root, 'data'))
        .replaceAll('pgbackrest --stanza', `pgbackrest --config=${conf} --stanza`);
    const port = await freePort();
    fs.mkdirSync(path.join(root, 'log'));
    if (runAs)
        fs.chownSync(path.join(root, 'log'), runAs.uid, runAs.gid);
    // Beside what the document says: where this throwaway server listens, and a lock
    // directory of its own so that nothing else on the machine is touched.
    const confText = move(block('# /etc/pgbackrest/pgbackrest.conf'))
        .replace('[global]\n', `[global]\nlock-path=${path.join(root, 'lock')}\n`)
        .replace(/(\[blotter\]\n(?:.*\n)*?pg1-path=.*\n)/, `$1pg1-port=${port}\npg1-socket-path=${root}\n`);
    fs.writeFileSync(conf, confText);
    const data = path.join(root, 'data');
    t.test('a PostgreSQL 15 cluster set up as the document says, holding a ledger', async (t) => {
        const init = await as(path.join(PG15, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions']);
        t.equal(init.code, 0, init.out);
        fs.appendFileSync(path.join(data, 'postgresql.conf'), `\n${move(block('# postgresql.conf'))}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${root}'\n` +
            // Not the recipe's: a throwaway cluster need not survive an OS crash, and this is faster.
            'fsync = off\n');
        await startCluster(data, port);
        const stanza = await pgbackrest('stanza-create');
        t.equal(stanza.code, 0, stanza.out);
        const check = await pgbackrest('check');
        t.equal(check.code, 0, `archiving works: ${check.out}`);
    });
    const url = (p) => `postgres://postgres@127.0.0.1:${p}/postgres`;
    const append = async (p, prefix, n) => {
        const lines = Array.from({ length: n }, (_, i) => eventLine({ idempotency_key: `${prefix}:${i}` })).join('\n');
        const r = await runCli(['append', '-'], { env: { DATABASE_URL: url(p) }, input: lines });
        if (r.code !== 0)
            throw new Error(`append ${prefix}: ${r.stdout}${r.stderr}`);
    };
    let target = '';
    t.test('full and differential backups while the ledger takes writes', async (t) => {
        const m = await runCli(['migrate'], { env: { DATABASE_URL: url(port) } });
        t.equal(m.code, 0, m.stderr);
        await append(port, 'a', 50);
        const full = await pgbackrest('--type=full', 'backup');
        t.equal(full.code, 0, full.out);
        await append(port, 'b', 50);
        const diff = await pgbackrest('--type=diff', 'backup');
        t.equal(diff.code, 0, diff.out);
        await append(port, 'c', 50);
        // The point in time to restore to: after c, before d.
        const sql = postgres(url(port), { max: 1, onnotice: () => { } });
        await new Promise((r) => setTimeout(r, 300));
        target = (await sql `select clock_timestamp()::text as at`)[0].at;
        await sql.end({ timeout: 5 });
        await new Promise((r) => setTimeout(r, 300));
        await append(port, 'd', 50);
        // check switches to a new WAL segment and waits until it is archived: d is in the archive.
        const check = await pgbackrest('check');
        t.equal(check.code, 0, check.out);
        const info = await pgbackrest('info');
        t.match(info.out, /full backup: \d{8}-\d{6}F/);
        t.match(info.out, /diff backup: \d{8}-\d{6}F_\d{8}-\d{6}D/);
    });
    // Restores into a new data directory, started beside the original on its own port with
    // archiving off (a drill's copy must not push WAL into the production stanza), and
    // returns which prefixes of keys it holds, once it has left recovery.
    const restoreDrill = async (t, name, options) => {
        const dir = path.join(root, name);
        fs.mkdirSync(dir, { mode: 0o700 });
        if (runAs)
            fs.chownSync(dir, runAs.uid, runAs.gid);
        const r = await pgbackrest(`--pg1-path=${dir}`, ...options, 'restore');
        t.equal(r.code, 0, r.out);
        const p = await freePort();
        await startCluster(dir, p, '-c archive_mode=off');
        const sql = postgres(url(p), { max: 1, onnotice: () => { } });
        try {
            for (let i = 0; i < 300 && (await sql `select pg_is_in_recovery() as r`)[0].r; i++)
                await new Promise((res) => setTimeout(res, 100));
            t.equal((await sql `select pg_is_in_recovery() as r`)[0].r, false, `${name}: recovery ended and the copy was promoted`);
            const rows = await sql `select split_part(idempotency_key, ':', 1) as prefix, count(*)::int as n from ledger.events group by 1 order by 1`;
            const v = await runCli(['verify'], { env: { DATABASE_URL: url(p) } });
            t.equal(v.code, 0, `${name}: blotter verify passes: ${v.stdout}${v.stderr}`);
            return Object.fromEntries(rows.map((x) => [x.prefix, x.n]));
        }
        finally {
            await sql.end({ timeout: 5 });
        }
    };
    t.test('restore the latest backup and all archived WAL into a new data directory', async (t) => {
        t.same(await restoreDrill(t, 'latest', []), { a: 50, b: 50, c: 50, d: 50 });
    });
    t.test('point-in-time restore: everything up to the target time, nothing after', async (t) => {
        t.same(await restoreDrill(t, 'pitr', ['--type=time', `--target=${target}`, '--target-action=promote']), { a: 50, b: 50, c: 50 });
    });
    t.test('the document shows the commands run here', async (t) => {
        for (const cmd of ['pgbackrest --stanza=blotter stanza-create', 'pgbackrest --stanza=blotter check', 'pgbackrest --stanza=blotter --type=full backup',
            'pgbackrest --stanza=blotter --type=diff backup', 'pgbackrest --stanza=blotter info', '--type=time', '--target-action=promote', 'archive_mode=off']) {
            t.ok(DOC.includes(cmd), cmd);
        }
    });
}
function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const a = srv.address();
            srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
        });
    });
}
