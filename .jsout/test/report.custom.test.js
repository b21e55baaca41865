// Custom reports: a user saves one SELECT over reports.* under a name and runs it with named
// parameters into a typed ReportDocument; each definition is a versioned ledger event; and
// nothing else can get through. Method: seed fills, refresh the materialized reports,
// define and run reports against them; then try escapes two ways: through the API (the
// parser fence refuses each, with what and where) and straight at the database half
// (runQueryUnsafe, from a superuser's session), which must refuse them on its own.
import t, {} from 'tap';
import { defineCustomReport, listCustomReports, runCustomReport, runQueryUnsafe, showCustomReport, } from "../agent/report/custom.js";
import { BlotterError } from "../agent/errors.js";
import { loginAs, testDb } from "./helpers/db.js";
import { ACCOUNT, ibCommission, ibFill, put, refreshReports } from "./helpers/recon.js";
const at = (day, time) => new Date(`${day}T${time}-05:00`).toISOString(); // New York, standard time
const D1 = '2026-11-23', D2 = '2026-11-24';
function fill(id, side, qty, price, comm, when) {
    return [ibFill(id, { side, qty, price, at: when }), ibCommission(id, comm)];
}
async function seed(sql) {
    await put(sql, [
        ...fill('0000cc01.00000001.01.01', 'BOT', '100', '10', '1', at(D1, '09:31:00')),
        ...fill('0000cc01.00000002.01.01', 'BOT', '50', '12', '0.5', at(D1, '09:32:00')),
        ...fill('0000cc01.00000003.01.01', 'SLD', '120', '15', '1.2', at(D1, '10:00:00')),
        ...fill('0000cc01.00000004.01.01', 'SLD', '50', '9', '0.5', at(D1, '11:00:00')),
        ...fill('0000cc01.00000005.01.01', 'BOT', '20', '8', '0.2', at(D2, '10:00:00')),
    ]);
    await refreshReports(sql);
}
async function refused(t, p, code, message, label) {
    const err = await p.then(() => null, (e) => e);
    if (!(err instanceof BlotterError)) {
        t.fail(`${label}: expected a BlotterError ${code}, got ${err === null ? 'success' : String(err)}`);
        return;
    }
    t.match({ code: err.code, message: err.message }, { code, message }, `${label}: ${err.message}`);
}
const PNL_BY_DAY = `-- Net P&L and round trips per day for one account
select trade_date, account, total_trades, fills, net_pnl, commission, win_rate
  from reports.daily_summary
 where trade_date between :from and :to
   and account = :account   -- the account asked for
 order by trade_date;`;
t.test('define, list, show and run a custom report with parameters over seeded fills', async (t) => {
    const { sql } = await testDb(t);
    await seed(sql);
    const v = await defineCustomReport(sql, { name: 'pnl_by_day', sqlText: PNL_BY_DAY, description: 'Net P&L per day', actor: 'alice' });
    t.same([v.name, v.version], ['pnl_by_day', 1]);
    t.same(await listCustomReports(sql), [{ name: 'pnl_by_day', description: 'Net P&L per day', parameters: ['from', 'to', 'account'], version: 1 }], 'listed with its parameters in order of first use');
    const shown = await showCustomReport(sql, 'pnl_by_day');
    t.equal(shown.sql, PNL_BY_DAY, 'shown as saved, comments included');
    t.same([shown.definedBy, shown.versions.length], ['alice', 1]);
    t.match(shown.definedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const doc = await runCustomReport(sql, { name: 'pnl_by_day', params: { from: D1, to: D2, account: ACCOUNT }, maxRows: 100, timeoutMs: 10_000 });
    const [tbl] = doc.tables;
    t.same(tbl.columns.map((c) => [c.name, c.type]), [
        ['trade_date', 'date'], ['account', 'text'], ['total_trades', 'integer'], ['fills', 'integer'], ['net_pnl', 'decimal'], ['commission', 'decimal'], ['win_rate', 'decimal'],
    ], 'columns typed from the result');
    const expect = await sql `select trade_date::text, account, total_trades, fills, net_pnl::text, commission::text, win_rate::text
                             from reports.daily_summary where account = ${ACCOUNT} order by trade_date`;
    t.same(tbl.rows, expect.map((r) => ({ ...r, total_trades: Number(r.total_trades), fills: Number(r.fills) })), 'the rows of the view, decimals as exact strings, dates as YYYY-MM-DD');
    t.equal(tbl.rows[0].net_pnl, expect[0].net_pnl);
    t.equal(Number(tbl.rows[0].net_pnl), 467, 'the worked example of docs/reports.md: 557.60 - 90.60');
    t.match(doc.meta, { report: 'custom:pnl_by_day', title: 'Net P&L per day', parameters: { from: D1, to: D2, account: ACCOUNT } });
    t.ok(doc.meta.freshness.some((f) => f.name === 'daily_summary'), 'freshness of the materialized report it reads');
    t.ok(doc.meta.ledgerThroughSeq !== null && doc.meta.chain.length > 0, 'the ledger head and the chain status');
    const one = await runCustomReport(sql, { name: 'pnl_by_day', params: { from: D2, to: D2, account: ACCOUNT } });
    t.same(one.tables[0].rows.map((r) => r.trade_date), [D2], 'the parameters select the rows');
    const none = await runCustomReport(sql, { name: 'pnl_by_day', params: { from: D1, to: D2, account: 'U000' } });
    t.same(none.tables[0].rows, [], 'an empty result');
    t.equal(none.tables[0].columns.length, 7, 'still has its typed columns');
    // A CTE, a range function of reports, a window function, a quoted alias and every type.
    await defineCustomReport(sql, { name: 'round_trips', actor: 'alice', sqlText: `
    with t as (select * from reports.trades(:from, :to, :account))
    select close_trade_date, net_pnl, sum(net_pnl) over (order by close_time) as "Running P&L",
           count(*) over () as n, close_time, close_time - open_time as held, true as closed,
           jsonb_build_object('net', net_pnl) as j, 9007199254740993::int8 as big
      from t order by close_time` });
    const rt = await runCustomReport(sql, { name: 'round_trips', params: { from: D1, to: D2, account: ACCOUNT } });
    const cols = Object.fromEntries(rt.tables[0].columns.map((c) => [c.name, c.type]));
    t.same(cols, { close_trade_date: 'date', net_pnl: 'decimal', 'Running P&L': 'decimal', n: 'integer', close_time: 'timestamp', held: 'interval', closed: 'boolean', j: 'json', big: 'decimal' });
    const rows = rt.tables[0].rows;
    const db = await sql `select (sum(net_pnl) over (order by close_time))::text as running, replace(jsonb_build_object('net', net_pnl)::text, ' ', '') as j
                         from reports.trades where account = ${ACCOUNT} order by close_time`;
    t.same(rows.map((r) => r['Running P&L']), db.map((r) => r.running), 'a running sum, exact as PostgreSQL wrote it');
    t.same(rows.map((r) => Number(r['Running P&L'])), [557.6, 467, 486.6]);
    t.same(rows.map((r) => r.n), [3, 3, 3], 'a count (int8) within 2^53 is an integer');
    t.same(rows[0].big, '9007199254740993', 'an int8 beyond 2^53 makes its column decimal, exactly');
    t.match(rows[0].close_time, /^2026-11-23T15:00:00Z$/, 'a timestamptz in ISO UTC');
    t.equal(rows[0].held, '00:29:00');
    t.same(rows.map((r) => JSON.stringify(r.j)), db.map((r) => r.j), 'jsonb parsed, its numbers exact');
    // Parameters: each mistake names the parameter.
    await refused(t, runCustomReport(sql, { name: 'pnl_by_day', params: { from: D1, to: D2 } }), 'CUSTOM_REPORT_PARAM', /needs a value for :account/, 'missing');
    await refused(t, runCustomReport(sql, { name: 'pnl_by_day', params: { from: D1, to: D2, account: ACCOUNT, acount: 'x' } }), 'CUSTOM_REPORT_PARAM', /has no parameter acount \(its parameters: :from, :to, :account\)/, 'unknown');
    await refused(t, runCustomReport(sql, { name: 'pnl_by_day', params: { from: 'yesterday-ish', to: D2, account: ACCOUNT } }), 'CUSTOM_REPORT_PARAM', /parameter :from = "yesterday-ish" is not a valid date/, 'bad value');
    await refused(t, runCustomReport(sql, { name: 'nope', params: {} }), 'CUSTOM_REPORT_UNKNOWN', /no custom report named "nope"/, 'unknown report');
    await refused(t, runCustomReport(sql, { name: 'pnl_by_day', params: { from: D1, to: D2, account: ACCOUNT }, maxRows: 0 }), 'CUSTOM_REPORT_LIMIT', /--max-rows/, 'row cap 0');
});
t.test('definitions are versioned ledger events: who, when, the previous text', async (t) => {
    const { sql } = await testDb(t);
    const v1 = await defineCustomReport(sql, { name: 'fees', sqlText: 'select account, sum(commission) as fees from reports.fills group by account', actor: 'alice' });
    const v2 = await defineCustomReport(sql, { name: 'fees', sqlText: 'select account, sum(commission) as fees, count(*) as fills from reports.fills group by account', description: 'Fees and fills', actor: 'bob' });
    t.same([v1.version, v2.version], [1, 2]);
    const s = await showCustomReport(sql, 'fees');
    t.same([s.version, s.definedBy, s.description], [2, 'bob', 'Fees and fills'], 'the latest version');
    t.same(s.versions.map((x) => [x.version, x.definedBy]), [[1, 'alice'], [2, 'bob']], 'and every version, who saved it');
    t.equal(s.versions[1].previousSha256, s.versions[0].sha256, 'version 2 names the text it replaced');
    t.equal(s.versions[0].previousSha256, null);
    t.ok(s.versions[0].definedAt < s.versions[1].definedAt, 'and when');
    t.match(s.versions[0].sql, /^select account, sum\(commission\) as fees from/, 'the previous text is kept');
    // the actor is personal data (source user): stored as a token, read in the clear through privacy.reveal
    const ev = await sql `select stream, source, event_type, entity_type, entity_id, privacy.reveal(actor) as actor, actor as stored_actor, payload from ledger.events where event_type = 'report_defined' order by seq`;
    t.match(ev[0].stored_actor, /^pii:v1:/);
    t.match(ev, [
        { stream: 'reports', source: 'user', event_type: 'report_defined', entity_type: 'report', entity_id: 'fees', actor: 'alice', payload: { version: 1, parameters: [] } },
        { stream: 'reports', source: 'user', actor: 'bob', payload: { version: 2, previous_version: 1, description: 'Fees and fills' } },
    ]);
    const problems = await sql `select * from ledger.verify() where stream = 'reports' and reason is not null`;
    t.same(problems, [], 'the definitions chain verifies');
    t.same((await sql `select name, version from reports.custom_reports`).map((r) => [r.name, r.version]), [['fees', 2]]);
    // Bad names, reserved names, no actor: refused, nothing recorded.
    await refused(t, defineCustomReport(sql, { name: 'Fees', sqlText: 'select 1 as a', actor: 'a' }), 'CUSTOM_REPORT_NAME', /lower-case/, 'upper case');
    await refused(t, defineCustomReport(sql, { name: 'my-report', sqlText: 'select 1 as a', actor: 'a' }), 'CUSTOM_REPORT_NAME', /lower-case/, 'hyphen');
    await refused(t, defineCustomReport(sql, { name: 'daily', sqlText: 'select 1 as a', actor: 'a' }).catch((e) => { throw new BlotterError('DB', e.message); }), 'DB', /daily is the name of a built-in report/, 'a catalog name');
    await refused(t, defineCustomReport(sql, { name: 'x', sqlText: 'select 1 as a', actor: ' ' }), 'CUSTOM_REPORT_ACTOR', /actor/, 'no actor');
    await refused(t, defineCustomReport(sql, { name: 'x', sqlText: 'select nope from reports.fills', actor: 'a' }), 'CUSTOM_SQL_INVALID', /column "nope" does not exist/, 'does not compile');
    await refused(t, defineCustomReport(sql, { name: 'x', sqlText: 'select 1 as a, 2 as a', actor: 'a' }), 'CUSTOM_SQL_INVALID', /column name a appears twice/, 'duplicate column');
    await refused(t, defineCustomReport(sql, { name: 'x', sqlText: 'select seq from reports.user_actions where payload = :p', actor: 'a' }), 'CUSTOM_SQL_PARAM', /parameter :p would be of type oid 3802; parameters may be text, numbers/, 'a parameter of another type');
    await refused(t, defineCustomReport(sql, { name: 'x', sqlText: 'select * from reports.nope', actor: 'a' }), 'CUSTOM_SQL_SCHEMA', /reports\.nope is not a report blotter_bi may read/, 'unknown report view');
    t.equal((await sql `select count(*)::int as n from ledger.events where event_type = 'report_defined'`)[0].n, 2, 'nothing recorded by the refusals');
});
t.test('roles: blotter_bi reads definitions but may not define or run unchecked SQL; the agent may', async (t) => {
    const tdb = await testDb(t);
    await defineCustomReport(tdb.sql, { name: 'fees', sqlText: 'select account, sum(commission) as fees from reports.fills group by account', actor: 'alice' });
    const bi = await loginAs(t, tdb, 'blotter_bi', 'bi_custom');
    t.same((await bi `select name, version from reports.custom_reports`).map((r) => r.name), ['fees'], 'bi lists custom reports');
    await t.rejects(bi `select * from reports.define_custom_report('x', 'select 1', null, '{}', 'bi')`, { code: '42501' }, 'bi may not define');
    await t.rejects(bi.begin('read only', (tx) => tx `select reports.run_custom_query('select 1', '{}', 10)`), { code: '42501' }, 'bi may not call the database fence directly');
    const agent = await loginAs(t, tdb, 'blotter_agent', 'agent_custom');
    const v = await defineCustomReport(agent, { name: 'fees', sqlText: 'select count(*) as n from reports.fills', actor: 'agent-cli' });
    t.equal(v.version, 2, 'blotter_agent defines');
    const doc = await runCustomReport(agent, { name: 'fees', params: {} });
    t.same(doc.tables[0].rows, [{ n: 0 }], 'and runs');
    t.same([doc.meta.ledgerThroughSeq, doc.meta.freshness, doc.meta.chain], [null, [], []], 'a login that may not read the facts gets none, not an error');
});
// Layer 1: through the API, each escape is refused before it reaches the database, with a
// message saying what and where. Nothing is recorded.
const ESCAPES = [
    ['data-modifying CTE (DELETE)', 'with d as (delete from reports.settings returning *) select * from d', 'CUSTOM_SQL_NOT_SELECT', /data-modifying statement \(DELETE\).*line 1, column 12/],
    ['data-modifying CTE (UPDATE)', 'with u as (update reports.settings set value = 1 returning key) select key from u', 'CUSTOM_SQL_NOT_SELECT', /data-modifying statement \(UPDATE\)/],
    ['data-modifying CTE (INSERT), nested', 'select * from reports.settings where key in (with i as (insert into reports.settings values (\'x\', 1, \'x\') returning key) select key from i)', 'CUSTOM_SQL_NOT_SELECT', /INSERT/],
    ['multiple statements', 'select 1 as a; drop table reports.settings', 'CUSTOM_SQL_MULTIPLE', /more than one statement.*line 1, column 14/],
    ['second statement after a line comment', 'select 1 as a -- harmless\n; delete from reports.settings', 'CUSTOM_SQL_MULTIPLE', /more than one statement.*line 2, column 1/],
    ['second statement after a block comment hiding a semicolon', 'select 1 as a /* ; */ ; select * from ledger.events', 'CUSTOM_SQL_MULTIPLE', /more than one statement/],
    ['a nested comment left open to hide the rest', 'select 1 as a /* /* */ ; delete from reports.settings', 'CUSTOM_SQL_LEX', /block comment is never closed \(comments nest/],
    ['SELECT ... INTO', 'select * into reports.stolen from reports.settings', 'CUSTOM_SQL_INTO', /SELECT \.\.\. INTO creates a table.*column 10/],
    ['FOR UPDATE', 'select * from reports.settings for update', 'CUSTOM_SQL_LOCKING', /FOR UPDATE locks rows/],
    ['FOR NO KEY UPDATE', 'select * from reports.settings for no key update', 'CUSTOM_SQL_LOCKING', /FOR NO locks rows/],
    ['pg_read_file', "select pg_read_file('/etc/passwd') as f", 'CUSTOM_SQL_FUNCTION', /function pg_read_file\(\) is not on the allowlist.*column 8/],
    ['pg_ls_dir', "select * from pg_ls_dir('.') as f", 'CUSTOM_SQL_', /pg_ls_dir/],
    ['dblink', "select dblink('dbname=blotter', 'select seq from ledger.events') as r", 'CUSTOM_SQL_FUNCTION', /dblink\(\) is not on the allowlist/],
    ['lo_import', "select lo_import('/etc/passwd') as oid", 'CUSTOM_SQL_FUNCTION', /lo_import\(\) is not on the allowlist/],
    ['set_config (role)', "select set_config('role', 'postgres', false) as r", 'CUSTOM_SQL_FUNCTION', /set_config\(\) is not on the allowlist/],
    ['pg_sleep', 'select pg_sleep(3600) as s', 'CUSTOM_SQL_FUNCTION', /pg_sleep\(\) is not on the allowlist/],
    ['nextval', "select nextval('ledger.events_seq_seq') as n", 'CUSTOM_SQL_FUNCTION', /nextval\(\) is not on the allowlist/],
    ['query_to_xml over another schema', "select query_to_xml('select * from ledger.events', true, false, '') as x", 'CUSTOM_SQL_FUNCTION', /query_to_xml\(\)/],
    ['current_setting', "select current_setting('data_directory') as d", 'CUSTOM_SQL_FUNCTION', /current_setting\(\)/],
    ['ledger by qualified name', 'select * from ledger.events', 'CUSTOM_SQL_SCHEMA', /ledger\.events is outside schema reports.*column 15/],
    ['recon in a subquery', 'select * from reports.fills where account in (select account from recon.breaks)', 'CUSTOM_SQL_SCHEMA', /recon\.breaks is outside schema reports/],
    ['ops in a join', 'select f.account from reports.fills f join ops.logs l on true', 'CUSTOM_SQL_SCHEMA', /ops\.logs is outside/],
    ['graphile_worker in a CTE', 'with j as (select * from graphile_worker.jobs) select count(*) as n from j', 'CUSTOM_SQL_SCHEMA', /graphile_worker\.jobs is outside/],
    ['public', 'select * from public.anything', 'CUSTOM_SQL_SCHEMA', /public\.anything is outside/],
    ['information_schema', 'select table_name from information_schema.tables', 'CUSTOM_SQL_SCHEMA', /information_schema\.tables is outside/],
    ['pg_catalog qualified', 'select rolname, rolpassword from pg_catalog.pg_authid', 'CUSTOM_SQL_SCHEMA', /pg_catalog\.pg_authid is outside/],
    ['pg_catalog through the search path (unqualified)', 'select rolname from pg_roles', 'CUSTOM_SQL_SCHEMA', /pg_roles is a system catalog/],
    ['search_path: a CTE named like a catalog', 'with pg_authid as (select 1 as a) select * from pg_authid', 'CUSTOM_SQL_SCHEMA', /a CTE may not be named pg_authid/],
    ['search_path: SET first', 'set search_path = ledger; select * from events', 'CUSTOM_SQL_', /SET|more than one statement/],
    ['search_path: set_config in the query', "select set_config('search_path', 'ledger', true) as s, (select count(*) from events) as n", 'CUSTOM_SQL_FUNCTION', /set_config/],
    ['an unqualified name that is no report', 'select * from events', 'CUSTOM_SQL_SCHEMA', /events is not a report blotter_bi may read/],
    ['pg_catalog function qualified', 'select pg_catalog.pg_read_file(\'/etc/passwd\') as f', 'CUSTOM_SQL_FUNCTION', /pg_catalog\.pg_read_file\(\) is outside schema reports/],
    ['quoted identifiers', 'select * from "ledger"."events"', 'CUSTOM_SQL_QUOTED', /quoted identifier "ledger".*column 15/],
    ['quoted identifier spelling reports', 'select * from "reports".trades', 'CUSTOM_SQL_QUOTED', /quoted identifier "reports"/],
    ['Unicode escape identifier', 'select * from U&"\\006c\\0065dger".events', 'CUSTOM_SQL_UNICODE', /Unicode escapes \(U&"\.\.\.\) are not allowed/],
    ['Unicode escape string', "select U&'\\0041' as a", 'CUSTOM_SQL_UNICODE', /Unicode escapes/],
    ['cast to regclass (reads the catalog)', "select 'ledger.events'::regclass::oid as o", 'CUSTOM_SQL_CAST', /a cast to regclass/],
    ['COPY', "copy (select * from reports.fills) to '/tmp/fills.csv'", 'CUSTOM_SQL_NOT_SELECT', /starts with COPY/],
    ['DO block', 'do $$ begin perform pg_sleep(1); end $$', 'CUSTOM_SQL_NOT_SELECT', /starts with DO/],
    ['EXECUTE', 'execute stolen_plan', 'CUSTOM_SQL_NOT_SELECT', /starts with EXECUTE/],
    ['positional parameter', 'select * from reports.fills where account = $1', 'CUSTOM_SQL_POSITIONAL', /positional parameter \$1/],
    ['a reports function that writes', "select * from reports.refresh('me')", 'CUSTOM_SQL_FUNCTION', /reports\.refresh\(\) writes or runs other SQL/],
    ['the database fence itself', "select * from reports.run_custom_query('select * from ledger.events', '{}', 10)", 'CUSTOM_SQL_FUNCTION', /run_custom_query\(\) writes or runs other SQL/],
    ['OPERATOR(schema.op)', 'select 1 operator(pg_catalog.+) 1 as a', 'CUSTOM_SQL_OPERATOR', /OPERATOR\(schema\.op\)/],
    ['valid PostgreSQL the checker cannot parse', 'select key from reports.settings group by grouping sets ((key), ())', 'CUSTOM_SQL_UNSUPPORTED', /could not parse this query at line 1, column \d+\. It may be valid PostgreSQL/],
];
t.test(`layer 1: ${ESCAPES.length} escape attempts, each refused by the parser fence with what and where`, async (t) => {
    const { sql } = await testDb(t);
    for (const [label, text, code, message] of ESCAPES) {
        const err = await defineCustomReport(sql, { name: 'escape', sqlText: text, actor: 'mallory' }).then(() => null, (e) => e);
        if (!(err instanceof BlotterError)) {
            t.fail(`${label}: not refused (${String(err)})`);
            continue;
        }
        t.ok(err.code.startsWith(code), `${label}: ${err.code}`);
        t.match(err.message, message, `${label}: ${err.message}`);
    }
    t.equal((await sql `select count(*)::int as n from ledger.events where event_type = 'report_defined'`)[0].n, 0, 'none was saved');
});
t.test('very large results and long queries are stopped at run time', async (t) => {
    const { sql } = await testDb(t);
    await defineCustomReport(sql, { name: 'big', sqlText: 'select g as n from generate_series(1, :n) g', actor: 'alice' });
    await refused(t, runCustomReport(sql, { name: 'big', params: { n: '1000000' }, maxRows: 1000 }), 'CUSTOM_REPORT_TOO_MANY_ROWS', /returns more than 1000 rows; narrow it or raise --max-rows/, 'a million rows, cap 1000');
    const ok = await runCustomReport(sql, { name: 'big', params: { n: '1000' }, maxRows: 1000 });
    t.equal(ok.tables[0].rows.length, 1000, 'exactly the cap is fine');
    await defineCustomReport(sql, { name: 'slow', sqlText: 'select count(*) as n from generate_series(1, 100000000) a', actor: 'alice' });
    await refused(t, runCustomReport(sql, { name: 'slow', params: {}, timeoutMs: 300 }), 'CUSTOM_REPORT_TIMEOUT', /ran longer than 300 ms \(statement_timeout\)/, 'a long query');
});
// Layer 2 alone: the text goes straight to reports.run_custom_query (no parser), from the
// test's superuser session, the strongest login there is. The database must refuse anyway.
t.test('layer 2: with the parser bypassed, the database refuses escapes on its own (even from a superuser session)', async (t) => {
    const { sql } = await testDb(t);
    const run = (text, o = {}) => runQueryUnsafe(sql, text, [], { maxRows: o.maxRows ?? 100, timeoutMs: o.timeoutMs ?? 5_000 });
    const [who] = (await run('select current_user as u, session_user as s, (select rolsuper from pg_roles where rolname = session_user) as su')).map((j) => JSON.parse(j));
    t.same(who, ['blotter_custom', (await sql `select session_user as s`)[0].s, 'true'], 'the query runs as blotter_custom although the session is a superuser');
    // a sequence readers can see, to prove nextval is stopped by the read-only transaction itself
    await sql `create sequence reports.custom_test_seq`;
    await sql `grant usage, select on sequence reports.custom_test_seq to blotter_bi`;
    // graphile-worker makes its schema when the agent starts; here as it would, privileges and all
    await sql `create schema if not exists graphile_worker`;
    await sql `create table if not exists graphile_worker.jobs (id bigint)`;
    const dblink = (await sql `select count(*)::int as n from pg_available_extensions where name = 'dblink'`)[0].n === 1;
    if (dblink)
        await sql `create extension if not exists dblink schema public`;
    const cases = [
        ['set_config role', "select set_config('role', 'postgres', false)", /cannot set parameter "role" within security-definer function/],
        ['set_config session_authorization', "select set_config('session_authorization', 'postgres', false)", /cannot set parameter "session_authorization" within security-definer function/],
        ['RESET ROLE', 'reset role', /cannot open RESET query as cursor/],
        ['SET ROLE through query_to_xml', "select query_to_xml('set role postgres', true, false, '')", /SET is not allowed in a non-volatile function/],
        ['multiple statements', 'select 1; select 2', /cannot open multi-query plan as cursor/],
        ['SELECT INTO', 'select * into reports.stolen from reports.settings', /cannot open SELECT INTO query as cursor/],
        ['data-modifying CTE', 'with d as (delete from reports.settings returning *) select * from d', /read-only transaction|not allowed in a non-volatile function|permission denied/],
        ['FOR UPDATE', 'select * from reports.settings for update', /SELECT FOR UPDATE is not allowed in a non-volatile function|read-only transaction/],
        ['pg_read_file', "select pg_read_file('/etc/passwd')", /permission denied for function pg_read_file/],
        ['pg_ls_dir', "select pg_ls_dir('.')", /permission denied for function pg_ls_dir/],
        ['lo_import', "select lo_import('/etc/passwd')", /permission denied for function lo_import/],
        ['dblink', dblink ? "select * from public.dblink('dbname=' || current_database(), 'select 1') as t(a int)" : "select * from dblink('dbname=x', 'select 1') as t(a int)",
            dblink ? /password or GSSAPI delegated credentials required|password is required/ : /function dblink\(unknown, unknown\) does not exist/],
        ['query_to_xml on ledger', "select query_to_xml('select * from ledger.events', true, false, '')", /permission denied for schema ledger/],
        ['nextval on a ledger sequence', "select nextval('ledger.events_seq_seq')", /permission denied for schema ledger/],
        ['nextval on a readable sequence', "select nextval('reports.custom_test_seq')", /cannot execute nextval\(\) in a read-only transaction/],
        ['pg_sleep beyond the timeout', 'select pg_sleep(30)', /ran longer than 300 ms/, { timeoutMs: 300 }],
        ['lifting the timeout from inside', "select set_config('statement_timeout', '0', false), pg_sleep(30)", /ran longer than 300 ms/, { timeoutMs: 300 }],
        ['ledger', 'select * from ledger.events', /permission denied for schema ledger/],
        ['recon', 'select * from recon.breaks', /permission denied for schema recon/],
        ['ops', 'select * from ops.logs', /permission denied for schema ops/],
        ['graphile_worker', 'select * from graphile_worker.jobs', /permission denied for schema graphile_worker/],
        ['pg_authid', 'select rolpassword from pg_catalog.pg_authid', /permission denied for table pg_authid/],
        ['COPY', "copy reports.settings to '/tmp/settings.csv'", /cannot open COPY query as cursor/],
        ['DO', 'do $$ begin perform 1; end $$', /cannot open DO query as cursor/],
        ['EXECUTE', 'execute stolen_plan', /cannot open EXECUTE query as cursor/],
        ['a writing reports function', "select * from reports.refresh('me')", /permission denied for function refresh/],
        ['the fence calling itself', "select * from reports.run_custom_query('select 1', '{}', 10)", /permission denied for function run_custom_query/],
        ['very large result', 'select * from generate_series(1, 1000000)', /returns more than 100 rows/, { maxRows: 100 }],
    ];
    for (const [label, text, message, o] of cases) {
        const err = await run(text, o).then(() => null, (e) => e);
        if (!(err instanceof BlotterError)) {
            t.fail(`${label}: not refused by the database (${String(err)})`);
            continue;
        }
        t.match(err.message, message, `${label}: ${err.message}`);
    }
    // search_path set from inside does not outlive the call: the next run still means reports.
    await run("select set_config('search_path', 'ledger, reports', false)");
    t.same((await run('select count(*) from settings')).length, 1, 'the next run resolves settings in reports');
    await refused(t, run('select count(*) from events'), 'CUSTOM_REPORT_FAILED', /relation "events" does not exist/, 'and not in ledger');
    // A session-level advisory lock the query takes is let go when the run ends.
    await run('select pg_advisory_lock(4242)');
    const other = await sql.reserve();
    t.equal((await other `select pg_try_advisory_lock(4242) as ok`)[0].ok, true, 'no lock left behind');
    await other `select pg_advisory_unlock_all()`;
    other.release();
    // The function insists on the transaction it was promised.
    await t.rejects(sql `select reports.run_custom_query('select 1', '{}', 10)`, /only in a READ ONLY transaction/, 'outside a read-only transaction');
    await t.rejects(sql.begin('read only', (tx) => tx `select reports.run_custom_query('select 1', '{}', 10)`), /only with a statement_timeout/, 'without a statement_timeout');
});
