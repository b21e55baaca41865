// `blotter restore`: a backup made by `blotter backup` into a new BLOTTER_HOME. The backup
// is checked whole against its manifest before anything is written; then its files are
// copied into HOME/pg (through a temporary directory renamed into place) and the server is
// started once: it finds backup_label and replays the WAL in pg_wal up to its end, which
// is at or past the backup's stop point, so it reaches a consistent state on its own (crash
// recovery from a backup label; no recovery.signal, no archive, the same timeline). The
// ledger's heads recorded in the manifest are then looked up in the restored ledger, and
// the server is stopped again: nothing was running in the new home before.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { BlotterError } from "../errors.js";
import { checkTraversable, chownTree, embeddedBinDir, serviceAccount, startServer, stopServer } from "../db/server.js";
import { copyHashed, fsyncDir, syncTree } from "./files.js";
import { checkFiles, readManifest } from "./manifest.js";
export async function restoreBackup(opts) {
    const t0 = Date.now();
    const log = opts.log ?? (() => { });
    const from = path.resolve(opts.from);
    const home = path.resolve(opts.home);
    const m = readManifest(from);
    refuseNonEmpty(home);
    const problems = checkFiles(from, m);
    if (problems.length) {
        const shown = problems.slice(0, opts.maxProblems).join('; ');
        throw new BlotterError('BACKUP_DAMAGED', `${from} is damaged or incomplete, nothing restored: ${shown}${problems.length > opts.maxProblems ? `; and ${problems.length - opts.maxProblems} more` : ''}`);
    }
    const binDir = opts.binDir ?? await embeddedBinDir();
    const major = serverMajor(binDir);
    if (major !== m.postgres.major) {
        throw new BlotterError('RESTORE_VERSION_MISMATCH', `the backup is of PostgreSQL ${m.postgres.version} but ${binDir} holds PostgreSQL ${major}; set BLOTTER_PG_BIN to a PostgreSQL ${m.postgres.major} bin directory`);
    }
    const runAs = serviceAccount();
    const homeIsNew = !fs.existsSync(home);
    fs.mkdirSync(home, { recursive: true, mode: 0o755 });
    // Whatever the umask: the service account that runs the server must enter it.
    if (homeIsNew)
        fs.chmodSync(home, 0o755);
    const tmp = path.join(home, `pg.tmp-${randomBytes(4).toString('hex')}`);
    let copiedBytes = 0;
    try {
        checkTraversable(home, runAs);
        log(`restoring ${m.files.length} files from ${from} into ${home}`);
        const want = new Map(m.files.map((f) => [f.path, f]));
        for (const f of m.files) {
            // Into pg.tmp-*/ for pg/..., beside it for the home's other secrets.
            const target = f.path.startsWith('pg/') ? path.join(tmp, f.path.slice(3)) : path.join(home, `${f.path}.tmp-restore`);
            fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
            const e = copyHashed(path.join(from, f.path), target, f.path, { mode: 0o600 });
            // Checked again as it is copied: the backup may change between the check and now.
            if (!e || e.sha256 !== want.get(f.path).sha256)
                throw new BlotterError('BACKUP_DAMAGED', `${path.join(from, f.path)} changed while it was restored`);
            copiedBytes += e.size;
        }
        // Empty directories too: the server expects its whole layout (pg_wal/archive_status, ...).
        for (const dir of m.dirs)
            fs.mkdirSync(path.join(home, dir.replace(/^pg(\/|$)/, `${path.basename(tmp)}$1`)), { recursive: true, mode: 0o700 });
        const state = {
            port: m.server.port, user: m.server.user, database: m.server.database, binDir, dataDir: path.join(home, 'pg', 'data'), version: String(m.postgres.major),
        };
        fs.writeFileSync(path.join(tmp, 'server.json'), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
        // The service account owns the cluster, as initdb left it; the password file stays ours.
        fs.chmodSync(tmp, 0o700);
        chownTree(path.join(tmp, 'data'), runAs);
        if (runAs)
            fs.chownSync(tmp, runAs.uid, runAs.gid);
        await syncTree(tmp, { concurrency: opts.syncConcurrency });
        fs.renameSync(tmp, path.join(home, 'pg'));
        for (const rel of m.secrets.filter((r) => !r.startsWith('pg/'))) {
            const f = path.join(home, rel);
            fs.renameSync(`${f}.tmp-restore`, f);
            const fd = fs.openSync(f, 'r');
            try {
                fs.fsyncSync(fd);
            }
            finally {
                fs.closeSync(fd);
            }
        }
        fsyncDir(home);
    }
    catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true });
        for (const f of m.files)
            fs.rmSync(path.join(home, `${f.path}.tmp-restore`), { force: true });
        if (homeIsNew)
            fs.rmSync(home, { recursive: true, force: true });
        throw err;
    }
    log('starting the restored server: it replays the backup\'s WAL first');
    const started = await startServer({ home, binDir, startTimeoutS: opts.startTimeoutS }).catch((err) => {
        throw new BlotterError('RESTORE_START_FAILED', `the restored server under ${home} did not start (the files are left there to inspect): ${err.message}`, { cause: err });
    });
    try {
        const checked = await checkHeads(started.url, m);
        return {
            home, files: m.files.length, bytes: copiedBytes, version: m.postgres.version, heads: checked.heads,
            recoveredTo: checked.lsn, seconds: (Date.now() - t0) / 1000,
        };
    }
    finally {
        await stopServer(home);
    }
}
// A target that holds anything is refused, naming what is there: a restore never mixes
// with, or overwrites, another ledger.
function refuseNonEmpty(home) {
    if (!fs.existsSync(home))
        return;
    if (!fs.statSync(home).isDirectory())
        throw new BlotterError('RESTORE_TARGET_NOT_EMPTY', `${home} is not a directory`);
    const entries = fs.readdirSync(home);
    if (entries.length) {
        throw new BlotterError('RESTORE_TARGET_NOT_EMPTY', `${home} is not empty (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''}): restore into a new or empty home`);
    }
}
// The major version of the postgres binary in binDir ("postgres (PostgreSQL) 18.1").
function serverMajor(binDir) {
    let text;
    try {
        text = execFileSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8', timeout: 10_000 });
    }
    catch (err) {
        throw new BlotterError('DB_BINARIES_MISSING', `${path.join(binDir, 'postgres')} --version failed: ${err.message}`, { cause: err });
    }
    const m = /\(PostgreSQL\) (\d+)/.exec(text);
    if (!m)
        throw new BlotterError('DB_BINARIES_MISSING', `${path.join(binDir, 'postgres')} --version said "${text.trim()}"`);
    return Number(m[1]);
}
// Recovery is over when the server accepts writes; each head the backup recorded must
// then be in the restored ledger with the same hash (later events may follow it).
async function checkHeads(url, m) {
    const sql = postgres(url, { max: 1, connect_timeout: 10, idle_timeout: 5, onnotice: () => { } });
    try {
        const [r] = await sql `select pg_is_in_recovery() as recovering, pg_current_wal_lsn()::text as lsn`;
        if (r.recovering)
            throw new BlotterError('RESTORE_STILL_RECOVERING', 'the restored server is still in recovery');
        const missing = [];
        for (const h of m.heads) {
            const [row] = await sql `select encode(hash, 'hex') as hash from ledger.events where stream = ${h.stream} and stream_seq = ${h.streamSeq}::bigint`;
            if (!row)
                missing.push(`stream ${h.stream}: stream_seq ${h.streamSeq} is missing`);
            else if (row.hash !== h.hash)
                missing.push(`stream ${h.stream}: stream_seq ${h.streamSeq} has hash ${row.hash}, the backup recorded ${h.hash}`);
        }
        if (missing.length)
            throw new BlotterError('RESTORE_INCOMPLETE', `the restored ledger lacks what the backup recorded (the files are left there to inspect): ${missing.join('; ')}`);
        return { heads: m.heads.length, lsn: r.lsn };
    }
    finally {
        await sql.end({ timeout: 5 });
    }
}
