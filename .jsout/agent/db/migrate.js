// `blotter migrate`: versioned, forward-only, checksummed migrations, then the re-runnable
// function and policy files, all under one advisory lock so agents starting together queue.
//
// A small runner of our own rather than a library: postgres-migrations (checksums, lock)
// has been unmaintained since 2021 and needs `pg`; node-pg-migrate does not checksum
// applied files. What we need fits in this file.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { BlotterError } from "../errors.js";
export const DB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'db');
// pg_advisory_lock key for migrate: 'blottermigrate' folded into an int8.
const MIGRATE_LOCK = 7426985132771841n;
function sqlFiles(dir) {
    if (!fs.existsSync(dir))
        return [];
    return fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
}
export function readMigrations(dbDir) {
    const dir = path.join(dbDir, 'migrations');
    const seen = new Map();
    return sqlFiles(dir).map((file) => {
        const m = /^(\d{6})_([a-z0-9_]+)\.sql$/.exec(file);
        if (!m)
            throw new BlotterError('MIGRATION_NAME', `db/migrations/${file}: name must be NNNNNN_snake_case.sql`);
        const version = Number(m[1]);
        const other = seen.get(version);
        if (other)
            throw new BlotterError('MIGRATION_DUPLICATE', `db/migrations/${file} and ${other} share version ${version}`);
        seen.set(version, file);
        const sql = fs.readFileSync(path.join(dir, file), 'utf8');
        return { version, name: m[2], file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}
export async function migrate(opts) {
    const dbDir = opts.dbDir ?? DB_DIR;
    const log = opts.log ?? (() => { });
    const migrations = readMigrations(dbDir);
    // One connection: the session lock, SET ROLE and the transactions all live on it.
    // fetch_types off: see agentConnection in agent.ts (an unhandled rejection when the
    // database goes away during the first query of a connection).
    const sql = postgres(opts.url, { max: 1, onnotice: () => { }, connect_timeout: 10, idle_timeout: 0, fetch_types: false });
    try {
        const [enc] = await sql `select current_setting('server_encoding') as e, current_setting('server_version_num')::int as v`;
        if (enc.v < 150000)
            throw new BlotterError('DB_VERSION', `PostgreSQL 15 or newer is required, server is ${enc.v}`);
        if (enc.e !== 'UTF8')
            throw new BlotterError('DB_ENCODING', `the database must be UTF8 (the ledger hashes UTF-8 bytes), it is ${enc.e}`);
        await sql `select set_config('lock_timeout', ${String(opts.lockTimeoutMs ?? 120_000)}, false)`;
        await sql `select pg_advisory_lock(${MIGRATE_LOCK.toString()}::bigint)`;
        try {
            await sql.begin(async (tx) => { await tx.unsafe(fs.readFileSync(path.join(dbDir, 'bootstrap.sql'), 'utf8')); });
            const applied = new Map();
            for (const row of await sql `select version, name, checksum from blotter_meta.migrations`) {
                applied.set(row.version, { name: row.name, checksum: row.checksum });
            }
            const byVersion = new Map(migrations.map((m) => [m.version, m]));
            for (const [version, row] of applied) {
                const file = byVersion.get(version);
                if (!file) {
                    throw new BlotterError('MIGRATION_MISSING', `migration ${String(version).padStart(6, '0')}_${row.name}.sql was applied to this database but is not in db/migrations`);
                }
                if (file.checksum !== row.checksum) {
                    throw new BlotterError('MIGRATION_CHANGED', `db/migrations/${file.file} was edited after it was applied (checksum ${row.checksum.slice(0, 12)} applied, ` +
                        `${file.checksum.slice(0, 12)} on disk); migrations are forward-only: add a new one instead`);
                }
            }
            const maxApplied = Math.max(0, ...applied.keys());
            const pending = migrations.filter((m) => !applied.has(m.version));
            const early = pending.find((m) => m.version < maxApplied);
            if (early) {
                throw new BlotterError('MIGRATION_OUT_OF_ORDER', `db/migrations/${early.file} is older than the newest applied migration (${maxApplied}); renumber it`);
            }
            const result = { applied: [], partitionsCreated: [], ddlGuard: false };
            for (const m of pending) {
                await sql.begin(async (tx) => {
                    await tx `set local role blotter_owner`;
                    await tx.unsafe(m.sql).catch((err) => {
                        throw new BlotterError('MIGRATION_FAILED', `db/migrations/${m.file}: ${err.message}`, { cause: err });
                    });
                    await tx `reset role`;
                    await tx `insert into blotter_meta.migrations (version, name, checksum) values (${m.version}, ${m.name}, ${m.checksum})`;
                });
                log(`applied ${m.file}`);
                result.applied.push(m.file);
            }
            // Functions and policies: re-applied every time, all or nothing.
            await sql.begin(async (tx) => {
                await tx `set local role blotter_owner`;
                for (const sub of ['functions', 'policies']) {
                    for (const file of sqlFiles(path.join(dbDir, sub))) {
                        await tx.unsafe(fs.readFileSync(path.join(dbDir, sub, file), 'utf8')).catch((err) => {
                            throw new BlotterError('MIGRATION_FAILED', `db/${sub}/${file}: ${err.message}`, { cause: err });
                        });
                    }
                }
                const ahead = opts.partitionsAhead ?? 3;
                const rows = await tx `select ledger.ensure_partitions(${ahead}) as name union all select ops.ensure_partitions(${ahead})`;
                result.partitionsCreated = rows.map((r) => r.name);
            });
            // The retention lock's guard against DROP and DETACH of kept months: event triggers,
            // which only a superuser may create (a DBA can apply db/event_triggers.sql later).
            const [me] = await sql `select rolsuper from pg_catalog.pg_roles where rolname = current_user`;
            if (me?.rolsuper) {
                await sql.begin(async (tx) => { await tx.unsafe(fs.readFileSync(path.join(dbDir, 'event_triggers.sql'), 'utf8')); });
                result.ddlGuard = true;
            }
            else {
                log('the retention lock\'s DDL guard (event triggers) needs a superuser: not installed; a superuser can apply db/event_triggers.sql');
            }
            return result;
        }
        finally {
            await sql `select pg_advisory_unlock(${MIGRATE_LOCK.toString()}::bigint)`.catch(() => { });
        }
    }
    finally {
        await sql.end({ timeout: 5 });
    }
}
