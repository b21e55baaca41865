// Every command finds the database the same way: DATABASE_URL, then BLOTTER_DATABASE_URL,
// then database.url in the config file (--config, then BLOTTER_CONFIG), then the embedded
// server. Proved with `db url` (which prints what the others would use) and with each
// command that touches the database run against a test database named only in a config
// file, while BLOTTER_HOME points at an empty directory: none may fall back to it.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { DEFAULT_CONFIG_FILE } from "../agent/config.js";
import { databaseTarget, resolveDatabase } from "../agent/db/connect.js";
import { tempHome } from "./helpers/agent.js";
import { runCli, testDb } from "./helpers/db.js";
const { url, sql } = await testDb(t);
const home = tempHome(t);
const base = fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf8');
function configWith(name, dbUrl) {
    const f = path.join(home, name);
    fs.writeFileSync(f, base.replace(/\n {2}url: ""/, `\n  url: "${dbUrl}"`));
    return f;
}
const good = configWith('good.yaml', url);
const A = 'postgres://a:secret-a@127.0.0.1:1/a';
const B = 'postgres://b:secret-b@127.0.0.1:1/b';
const C = configWith('c.yaml', 'postgres://c:secret-c@127.0.0.1:1/c');
const D = configWith('d.yaml', 'postgres://d:secret-d@127.0.0.1:1/d');
// No database in the environment, and a BLOTTER_HOME with nothing in it.
const none = { DATABASE_URL: '', BLOTTER_HOME: path.join(home, 'empty-home') };
t.test('the order: DATABASE_URL, BLOTTER_DATABASE_URL, --config, BLOTTER_CONFIG, embedded', async (t) => {
    const dbUrl = async (env, args = []) => {
        const r = await runCli(['db', 'url', ...args], { env: { ...none, ...env } });
        return r.code === 0 ? r.stdout.trim() : `exit ${r.code}: ${r.stderr.trim()}`;
    };
    t.equal(await dbUrl({ DATABASE_URL: A, BLOTTER_DATABASE_URL: B, BLOTTER_CONFIG: C }), A);
    t.equal(await dbUrl({ BLOTTER_DATABASE_URL: B, BLOTTER_CONFIG: C }, ['--config', D]), B);
    t.equal(await dbUrl({ BLOTTER_CONFIG: C }, ['--config', D]), 'postgres://d:secret-d@127.0.0.1:1/d', '--config beats BLOTTER_CONFIG');
    t.equal(await dbUrl({ BLOTTER_CONFIG: C }), 'postgres://c:secret-c@127.0.0.1:1/c');
    t.match(await dbUrl({}), /^exit 2: .*the embedded database is not running \(no cluster under .*empty-home/);
    t.same(fs.readdirSync(home).sort(), ['c.yaml', 'd.yaml', 'good.yaml'], 'nothing created under BLOTTER_HOME');
});
t.test('the resolver names where the URL came from', async (t) => {
    const env = { ...none, BLOTTER_CONFIG: C };
    t.same(databaseTarget({ env: { ...env, DATABASE_URL: A } }), { kind: 'external', url: A, origin: 'DATABASE_URL' });
    t.same(databaseTarget({ env: { ...env, BLOTTER_DATABASE_URL: B } }), { kind: 'external', url: B, origin: 'BLOTTER_DATABASE_URL' });
    t.same(databaseTarget({ env, configFile: D }), { kind: 'external', url: 'postgres://d:secret-d@127.0.0.1:1/d', origin: `config ${D}` });
    t.same(databaseTarget({ env }), { kind: 'external', url: 'postgres://c:secret-c@127.0.0.1:1/c', origin: `config ${C}` });
    t.same(databaseTarget({ env: none }), { kind: 'embedded', home: none.BLOTTER_HOME, origin: `embedded ${none.BLOTTER_HOME}` });
    // As loadConfig has it: an empty BLOTTER_DATABASE_URL overrides the file (the embedded one).
    t.same(databaseTarget({ env: { ...env, BLOTTER_DATABASE_URL: '' } }).kind, 'embedded');
    const r = await resolveDatabase({ env: { ...env, DATABASE_URL: url }, create: false });
    t.same(r, { url, origin: 'DATABASE_URL' }, 'an external URL is used as it is');
    await t.rejects(resolveDatabase({ env: none, create: false }), { code: 'DB_NONE', message: /no database: set DATABASE_URL, or run `blotter db start`/ });
    t.throws(() => databaseTarget({ env: none, configFile: path.join(home, 'missing.yaml') }), { code: 'CONFIG_UNREADABLE' }, 'a named config file must exist');
});
t.test('each command that touches the database uses database.url from the config file', async (t) => {
    await sql `insert into ledger.events (stream, occurred_at, source, event_type, payload)
            select 'cfg', now(), 'bot', 'fill', jsonb_build_object('i', i) from generate_series(1, 3) i`;
    await sql `insert into ops.logs (logged_at, level, category, source, msg) values (now(), 'warn', 'system', 'agent', 'from the configured database')`;
    for (const [args, expected] of [
        [['migrate', '--config', good], /migrations: up to date/],
        [['verify', '--config', good], /ok {7}cfg: 3 rows\nchain intact/],
        [['digest', '--config', good, '--out', path.join(home, 'heads.json')], /digest of 1 streams written/],
        [['logs', '--config', good, '--level', 'warn'], /WARN  \[system\] from the configured database/],
        [['append', '-', '--config', good], /appended 1, duplicates 0/],
    ]) {
        const r = await runCli([...args], { env: none, input: '{"occurred_at":"2026-11-26T14:30:00Z","source":"ib","event_type":"ib_thing","payload":{}}\n' });
        t.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
        t.match(r.stdout, expected, args[0]);
    }
    const viaEnv = await runCli(['verify', '--stream', 'cfg'], { env: { ...none, BLOTTER_CONFIG: good } });
    t.match(viaEnv.stdout, /ok {7}cfg: 3 rows/, 'BLOTTER_CONFIG works too');
    const viaKey = await runCli(['verify', '--stream', 'cfg'], { env: { ...none, BLOTTER_DATABASE_URL: url } });
    t.match(viaKey.stdout, /ok {7}cfg: 3 rows/, 'and BLOTTER_DATABASE_URL');
    t.notOk(fs.existsSync(none.BLOTTER_HOME), 'the embedded home was never touched');
});
t.test('db start, stop and status refuse an external database, naming where it came from', async (t) => {
    for (const sub of ['start', 'stop', 'status']) {
        const r = await runCli(['db', sub, '--config', C], { env: none });
        t.equal(r.code, 2, sub);
        t.match(r.stderr, new RegExp(`the database is postgres://c:\\*\\*\\*@127\\.0\\.0\\.1:1/c, from database\\.url in ${C.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ` +
            `blotter db ${sub} manages only the embedded server under BLOTTER_HOME, not that one`));
        t.notMatch(r.stderr, /secret-c/, 'the password is not echoed');
    }
    const r = await runCli(['db', 'status'], { env: { ...none, BLOTTER_DATABASE_URL: B } });
    t.match(r.stderr, /from BLOTTER_DATABASE_URL: blotter db status manages only the embedded server.*unset BLOTTER_DATABASE_URL/);
    t.notOk(fs.existsSync(none.BLOTTER_HOME), 'nothing created under BLOTTER_HOME');
});
t.test('a bad config file stops every command, naming the key', async (t) => {
    const bad = path.join(home, 'bad.yaml');
    fs.writeFileSync(bad, base.replace('  pool_max: 4', '  pool_max: lots'));
    const r = await runCli(['verify', '--config', bad], { env: none });
    t.equal(r.code, 2);
    t.match(r.stderr, /config database\.pool_max: expected an integer from 1 to 100, got "lots" \[CONFIG_INVALID\]/);
});
