// Copying a live data directory between pg_backup_start and pg_backup_stop. What is left
// out follows PostgreSQL's "Backing Up the Data Directory" (continuous-archiving docs)
// and pg_basebackup's own exclusions: files the server rebuilds at start, or that would
// mislead it (a copied postmaster.pid).
import fs from 'node:fs';
import path from 'node:path';
import { BlotterError } from "../errors.js";
import { readControlFile } from "./control.js";
import { copyHashed, writeNew } from "./files.js";
// Directories kept, but empty: WAL (copied separately, exactly the segments the backup
// needs), slots, and state that is reset at every start.
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);
// Files never copied, wherever they are.
const SKIP_FILES = new Set([
    'postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map', 'backup_manifest',
    'current_logfiles', 'current_logfiles.tmp', 'postgresql.auto.conf.tmp', 'pg_internal.init',
]);
const CONTROL = 'global/pg_control';
function skipped(name) {
    return SKIP_FILES.has(name) || name.startsWith('pgsql_tmp');
}
// Copies the data directory src into dst (which must not exist). Returned paths are
// relative to dst with '/' separators, prefixed by `prefix`.
export async function copyDataDir(src, dst, prefix, opts) {
    const files = [];
    let bytes = 0;
    const add = (e) => {
        if (!e)
            return;
        files.push(e);
        bytes += e.size;
    };
    const walk = (from, to, rel, depth) => {
        fs.mkdirSync(to, { mode: 0o700 });
        let entries;
        try {
            entries = fs.readdirSync(from, { withFileTypes: true });
        }
        catch (err) {
            // A database dropped while we copy: its directory goes, and so does it from the copy.
            if (err.code === 'ENOENT')
                return;
            throw err;
        }
        for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            const s = path.join(from, e.name);
            const d = path.join(to, e.name);
            if (depth === 0 && EMPTY_DIRS.has(e.name)) {
                // pg_wal's subdirectories (archive_status, summaries) are part of its layout.
                fs.mkdirSync(d, { mode: 0o700 });
                if (e.name === 'pg_wal') {
                    for (const sub of fs.readdirSync(s, { withFileTypes: true })) {
                        if (sub.isDirectory())
                            fs.mkdirSync(path.join(d, sub.name), { mode: 0o700 });
                    }
                }
                continue;
            }
            if (depth === 0 && e.name === 'pg_tblspc') {
                const spaces = fs.readdirSync(s);
                if (spaces.length) {
                    throw new BlotterError('BACKUP_TABLESPACES', `${s} holds tablespaces (${spaces.join(', ')}): blotter backup copies one data directory only; use pgBackRest (docs/operations.md)`);
                }
            }
            if (skipped(e.name) || r === CONTROL)
                continue;
            if (e.isDirectory())
                walk(s, d, r, depth + 1);
            else if (e.isFile())
                add(copyHashed(s, d, `${prefix}${r}`, { mode: 0o600 }));
            else if (e.isSymbolicLink()) {
                throw new BlotterError('BACKUP_UNSUPPORTED', `${s} is a symbolic link: blotter backup copies a data directory without links; use pgBackRest (docs/operations.md)`);
            }
            // Sockets and the like are the server's own and are not data.
        }
    };
    walk(src, dst, '', 0);
    // Read last, and until it holds together: see control.ts.
    const control = await readControlFile(path.join(src, CONTROL), { attempts: opts.controlReadAttempts, waitMs: opts.controlReadWaitMs });
    add(writeNew(path.join(dst, CONTROL), `${prefix}${CONTROL}`, control, { mode: 0o600 }));
    return { files, bytes };
}
