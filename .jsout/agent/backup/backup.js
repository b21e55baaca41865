// `blotter backup`: a consistent online base backup of the embedded server, taken with
// PostgreSQL's low-level backup API over an ordinary connection (the embedded binaries
// have no pg_basebackup), plus exactly the WAL it needs, laid out like a BLOTTER_HOME.
//
//   1. a temporary physical replication slot, reserving WAL now: no segment from here on
//      is recycled while the files are copied, however long that takes;
//   2. pg_backup_start(fast): a checkpoint; its redo point is where recovery will begin;
//   3. the data directory copied file by file while the server runs (torn pages are
//      repaired by the full-page images the server writes during a backup);
//   4. the ledger's heads read, then pg_backup_stop, in the same session (a non-exclusive
//      backup belongs to its session); it writes the backup-end record and switches to a
//      new WAL segment, so the last segment the backup needs is complete and final;
//   5. backup_label written into the copy, and the WAL segments from the start point's to
//      the stop point's copied into its pg_wal: the copy then starts on its own, by crash
//      recovery from backup_label, as a pg_basebackup -X stream copy does;
//   6. the home's secrets (the server password, the ingest token) and backup.json, every
//      file fsynced, and the directory renamed into place: DIR appears whole or not at all.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { BlotterError } from "../errors.js";
import { GENERATOR } from "../report/model.js";
import { copyDataDir } from "./datadir.js";
import { copyHashed, dirsUnder, fsyncDir, syncTree, writeNew } from "./files.js";
import { FORMAT, writeManifest } from "./manifest.js";
import { segmentRange } from "./wal.js";
// Files of a BLOTTER_HOME (besides pg/data) that a restored home needs as they were: the
// password the cluster's superuser was made with (its SCRAM verifier is in the cluster),
// and the token the bot sends. Both stay mode 0600 in the backup.
export const SECRETS = ['pg/password', 'ingest-token'];
// DIR must be new and its parent a directory; checked before any server is started.
export function checkOut(dir) {
    const out = path.resolve(dir);
    if (fs.existsSync(out))
        throw new BlotterError('BACKUP_OUT_EXISTS', `--out ${out} already exists; a backup goes into a new directory`);
    const parent = path.dirname(out);
    if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory())
        throw new BlotterError('BACKUP_OUT_PARENT', `--out ${out}: directory ${parent} does not exist`);
    return out;
}
export async function takeBackup(opts) {
    const t0 = Date.now();
    const log = opts.log ?? (() => { });
    const out = checkOut(opts.out);
    const parent = path.dirname(out);
    const dataDir = path.resolve(opts.home, 'pg', 'data');
    // Beside DIR, so that the final rename stays on one file system; *.tmp-* is git-ignored.
    const tmp = `${out}.tmp-${randomBytes(4).toString('hex')}`;
    fs.mkdirSync(tmp, { mode: 0o700 });
    // One connection, kept for the whole backup: pg_backup_stop must run in the session of
    // pg_backup_start, so no idle timeout and no recycling may end it while files are copied.
    const sql = postgres(opts.url, {
        max: 1, idle_timeout: 0, max_lifetime: null, connect_timeout: opts.connectTimeoutS, onnotice: () => { },
        connection: { application_name: 'blotter backup' },
    });
    try {
        const [who] = await sql `select pg_backend_pid() as pid, current_setting('data_directory') as data_directory,
                                   current_setting('server_version') as version, current_setting('server_version_num')::int / 10000 as major,
                                   (select system_identifier::text from pg_control_system()) as system_identifier,
                                   (select setting::int from pg_settings where name = 'wal_segment_size') as wal_segment_bytes`;
        // The URL must lead to the cluster whose files we copy, or the copy is of another one.
        if (fs.realpathSync(who.data_directory) !== fs.realpathSync(dataDir)) {
            throw new BlotterError('BACKUP_WRONG_SERVER', `the server at ${opts.state.port} serves ${who.data_directory}, not ${dataDir}`);
        }
        const slot = `blotter_backup_${process.pid}_${randomBytes(3).toString('hex')}`;
        await sql `select pg_create_physical_replication_slot(${slot}, immediately_reserve => true, temporary => true)`;
        const label = opts.label ?? `blotter backup ${new Date().toISOString()}`;
        const [start] = await sql `select pg_backup_start(${label}, fast => true)::text as lsn, clock_timestamp() as at`;
        log(`backup started at ${start.lsn}; copying ${dataDir}`);
        fs.mkdirSync(path.join(tmp, 'pg'), { mode: 0o700 });
        const copied = await copyDataDir(dataDir, path.join(tmp, 'pg', 'data'), 'pg/data/', {
            controlReadAttempts: opts.controlReadAttempts, controlReadWaitMs: opts.controlReadWaitMs,
        });
        const files = copied.files;
        // Read before the stop: every commit they reflect precedes the backup-end record.
        const heads = await readHeads(sql);
        const [at] = await sql `select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, pg_backend_pid() as pid`;
        if (at.pid !== who.pid)
            throw new BlotterError('BACKUP_SESSION_LOST', 'the connection to the server was lost during the copy; the backup was abandoned');
        const [stop] = await sql `select lsn::text as lsn, labelfile, spcmapfile from pg_backup_stop(wait_for_archive => false)`;
        const labelFile = stop.labelfile;
        files.push(writeBytes(tmp, 'pg/data/backup_label', labelFile));
        if (stop.spcmapfile)
            files.push(writeBytes(tmp, 'pg/data/tablespace_map', stop.spcmapfile));
        const [names] = await sql `select pg_walfile_name(${start.lsn}::pg_lsn) as first, pg_walfile_name(${stop.lsn}::pg_lsn) as last`;
        const segments = segmentRange(names.first, names.last, who.wal_segment_bytes);
        const walDir = path.join(dataDir, 'pg_wal');
        // Timeline history files are small, and recovery on a later timeline reads them.
        const history = fs.readdirSync(walDir).filter((n) => /^[0-9A-F]{8}\.history$/.test(n)).sort();
        for (const name of [...history, ...segments]) {
            const e = copyHashed(path.join(walDir, name), path.join(tmp, 'pg', 'data', 'pg_wal', name), `pg/data/pg_wal/${name}`, { mode: 0o600 });
            if (!e)
                throw new BlotterError('BACKUP_WAL_MISSING', `WAL segment ${name} (needed from ${start.lsn} to ${stop.lsn}) is gone from ${walDir}`);
            files.push(e);
        }
        await sql `select pg_drop_replication_slot(${slot})`;
        for (const rel of SECRETS) {
            const src = path.join(opts.home, rel);
            if (!fs.existsSync(src))
                continue;
            fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true, mode: 0o700 });
            const e = copyHashed(src, path.join(tmp, rel), rel, { mode: 0o600 });
            if (e)
                files.push(e);
        }
        const timeline = Number(/START TIMELINE: (\d+)/.exec(labelFile)?.[1] ?? parseInt(segments[0].slice(0, 8), 16));
        const manifest = {
            format: FORMAT, label, generator: GENERATOR,
            startedAt: start.at.toISOString(), consistentThrough: at.at, finishedAt: new Date().toISOString(),
            postgres: {
                version: who.version, major: who.major, systemIdentifier: who.system_identifier,
                timeline, startLsn: start.lsn, stopLsn: stop.lsn,
                walSegmentBytes: who.wal_segment_bytes, walSegments: segments,
            },
            server: { user: opts.state.user, database: opts.state.database, port: opts.state.port },
            heads,
            dirs: dirsUnder(tmp).map((d) => path.relative(tmp, d).split(path.sep).join('/')).filter((d) => d !== '').sort(),
            secrets: SECRETS.filter((rel) => files.some((f) => f.path === rel)),
            files: files.sort((a, b) => (a.path < b.path ? -1 : 1)),
        };
        writeManifest(tmp, manifest);
        await syncTree(tmp, { concurrency: opts.syncConcurrency });
        // rename(2) would replace an empty directory made at DIR meanwhile: look once more.
        if (fs.existsSync(out))
            throw new BlotterError('BACKUP_OUT_EXISTS', `--out ${out} appeared while the backup ran; the backup was not moved there`);
        fs.renameSync(tmp, out);
        fsyncDir(parent);
        const bytes = files.reduce((n, f) => n + f.size, 0);
        return {
            dir: out, files: files.length, bytes, walSegments: segments.length, startLsn: start.lsn, stopLsn: stop.lsn,
            consistentThrough: at.at, heads: heads.length, seconds: (Date.now() - t0) / 1000,
        };
    }
    catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw err;
    }
    finally {
        // Ending the session also ends a backup still in progress and drops the temporary slot.
        await sql.end({ timeout: 5 });
    }
}
function writeBytes(root, rel, text) {
    // Byte for byte as the server returned it (PostgreSQL's docs insist).
    return writeNew(path.join(root, rel), rel, Buffer.from(text, 'utf8'), { mode: 0o600 });
}
// Each stream's head; none for a database not yet migrated.
async function readHeads(sql) {
    const [t] = await sql `select to_regclass('ledger.streams') is not null as present`;
    if (!t.present)
        return [];
    const rows = await sql `select stream, stream_seq::text as stream_seq, encode(hash, 'hex') as hash from ledger.streams order by stream`;
    return rows.map((r) => ({ stream: r.stream, streamSeq: r.stream_seq, hash: r.hash }));
}
