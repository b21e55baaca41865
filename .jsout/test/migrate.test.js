// `blotter migrate`: forward-only, checksummed migrations under an advisory lock, then the
// re-runnable functions and policies. Editing an applied migration is an error naming the
// file; two migrators at once apply each migration once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { DB_DIR, migrate, readMigrations } from "../agent/db/migrate.js";
const ALL = readMigrations(DB_DIR);
import { runCli, testDb } from "./helpers/db.js";
function copyDbDir() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-migrations-'));
    fs.cpSync(DB_DIR, dir, { recursive: true });
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}
t.test('a fresh database: two migrators at once apply everything exactly once', async (t) => {
    const { url, sql } = await testDb(t, { template: false });
    const results = await Promise.all([migrate({ url }), migrate({ url }), migrate({ url })]);
    t.same(results.map((r) => r.applied.length).sort(), [0, 0, ALL.length]);
    t.same((await sql `select version, name from blotter_meta.migrations order by version`).map((r) => [r.version, r.name]), ALL.map((m) => [m.version, m.name]));
    t.same(ALL.slice(0, 2).map((m) => m.file), ['000001_ledger.sql', '000002_ops.sql']);
    t.ok(results.some((r) => r.partitionsCreated.length === 12), 'current month and three ahead, for the ledger, logs and metrics');
    const again = await runCli(['migrate'], { env: { DATABASE_URL: url } });
    t.equal(again.code, 0, again.stderr);
    t.match(again.stdout, /migrations: up to date/);
});
t.test('edited, missing, misnamed and out-of-order migrations are refused by name', async (t) => {
    const { url, sql } = await testDb(t, { template: false });
    const dir = copyDbDir();
    await migrate({ url, dbDir: dir });
    const file = path.join(dir, 'migrations', '000001_ledger.sql');
    fs.appendFileSync(file, '\n-- an innocent comment\n');
    await t.rejects(migrate({ url, dbDir: dir }), { code: 'MIGRATION_CHANGED', message: /db\/migrations\/000001_ledger\.sql was edited after it was applied/ });
    fs.rmSync(file);
    await t.rejects(migrate({ url, dbDir: dir }), { code: 'MIGRATION_MISSING', message: /000001_ledger\.sql was applied to this database but is not in db\/migrations/ });
    fs.cpSync(path.join(DB_DIR, 'migrations', '000001_ledger.sql'), file);
    fs.writeFileSync(path.join(dir, 'migrations', 'add-thing.sql'), 'select 1;');
    await t.rejects(migrate({ url, dbDir: dir }), { code: 'MIGRATION_NAME', message: /add-thing\.sql: name must be NNNNNN_snake_case\.sql/ });
    fs.rmSync(path.join(dir, 'migrations', 'add-thing.sql'));
    fs.writeFileSync(path.join(dir, 'migrations', '000000_early.sql'), 'select 1;');
    await t.rejects(migrate({ url, dbDir: dir }), { code: 'MIGRATION_OUT_OF_ORDER', message: /000000_early\.sql is older than the newest applied migration/ });
    fs.rmSync(path.join(dir, 'migrations', '000000_early.sql'));
    t.equal((await sql `select count(*)::int as n from blotter_meta.migrations`)[0].n, ALL.length, 'nothing recorded by the refusals');
});
t.test('a failing migration names its file and leaves nothing behind', async (t) => {
    const { url, sql } = await testDb(t);
    const dir = copyDbDir();
    fs.writeFileSync(path.join(dir, 'migrations', '000099_broken.sql'), 'create table ledger.half_done (id int);\nselect no_such_column from ledger.events;\n');
    await t.rejects(migrate({ url, dbDir: dir }), { code: 'MIGRATION_FAILED', message: /db\/migrations\/000099_broken\.sql: column "no_such_column" does not exist/ });
    t.equal((await sql `select to_regclass('ledger.half_done') as r`)[0].r, null, 'rolled back whole');
    fs.writeFileSync(path.join(dir, 'migrations', '000099_fixed.sql'), 'create table ledger.whole (id int);\n');
    fs.rmSync(path.join(dir, 'migrations', '000099_broken.sql'));
    const r = await migrate({ url, dbDir: dir });
    t.same(r.applied, ['000099_fixed.sql']);
    const [owner] = await sql `select tableowner from pg_tables where schemaname = 'ledger' and tablename = 'whole'`;
    t.equal(owner.tableowner, 'blotter_owner', 'objects belong to blotter_owner');
});
t.test('a broken function file rolls back all functions and policies', async (t) => {
    const { url, sql } = await testDb(t);
    const dir = copyDbDir();
    fs.writeFileSync(path.join(dir, 'functions', '999_broken.sql'), 'create or replace function ledger.oops() returns int language sql as $$ select $$;');
    await t.rejects(migrate({ url, dbDir: dir }), { code: 'MIGRATION_FAILED', message: /db\/functions\/999_broken\.sql/ });
    t.equal((await sql `select to_regprocedure('ledger.oops()') as f`)[0].f, null);
});
t.test('an old server or a non-UTF8 database is refused', async (t) => {
    const { url, sql } = await testDb(t, { template: false });
    const name = `latin_${process.pid}`;
    await sql.unsafe(`create database ${name} encoding 'LATIN1' locale 'C' template template0`);
    t.teardown(() => sql.unsafe(`drop database if exists ${name}`));
    const u = new URL(url);
    u.pathname = `/${name}`;
    await t.rejects(migrate({ url: u.toString() }), { code: 'DB_ENCODING', message: /must be UTF8/ });
});
