// `blotter recon run` and `blotter breaks`: what a person at the command line sees and
// which exit code a script gets. Scenarios are put into a real PostgreSQL as the relay and
// the bot write them; the command runs as a child process. Proves: a clean run exits 0, a
// run with breaks exits 1 and says each in plain words, --json keeps exact numbers, --as-of
// repeats a run, bad input is a usage error that writes nothing; a reviewer lists, shows,
// acknowledges, escalates and resolves breaks (a resolve without a note is refused before
// SQL), and a login that is only in blotter_agent is refused by the database itself.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { runCli, testDb } from "./helpers/db.js";
import { ACCOUNT, botFill, botPositions, ibFill, ibPositions, put } from "./helpers/recon.js";
const { url, sql } = await testDb(t);
const env = { DATABASE_URL: url };
const offline = { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none' };
const hourAgo = new Date(Date.now() - 3600_000).toISOString();
const count = async (type) => (await sql `select count(*)::int as n from ledger.events where event_type = ${type}`)[0].n;
// A login of its own, in the given group roles only (roles are the cluster's: dropped after).
async function login(t, ...groups) {
    const name = `u_${groups[0]}_${randomBytes(3).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await sql.unsafe(`create role ${name} login password '${password}' in role ${groups.join(', ')}`);
    t.teardown(() => sql.unsafe(`drop role if exists ${name}`).catch(() => { }));
    const u = new URL(url);
    u.username = name;
    u.password = password;
    return { name, url: u.toString() };
}
t.test('help: recon and breaks answer --help per subcommand; a wrong subcommand is one line', async (t) => {
    const cases = [
        [['recon', '--help'], /^usage: blotter recon run/],
        [['recon', 'run', '-h'], /^usage: blotter recon run \[--account A\] \[--as-of T\]/],
        [['breaks', '--help'], /^usage: blotter breaks list\|show\|ack\|resolve\|escalate/],
        [['breaks', 'resolve', '--help'], /^usage: blotter breaks resolve ID --note N/],
        [['help', 'breaks', 'list'], /^usage: blotter breaks list/],
        [['--help'], /\n {2}recon {6}reconcile[^\n]*\n {2}breaks {5}list, show/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args, { env: offline })));
    runs.forEach((r, i) => {
        t.equal(r.code, 0, cases[i][0].join(' '));
        t.match(r.stdout, cases[i][1], cases[i][0].join(' '));
    });
    const wrong = await Promise.all([runCli(['breaks'], { env: offline }), runCli(['recon', 'go'], { env: offline }), runCli(['breaks', 'list', '--bogus'], { env: offline })]);
    t.same(wrong.map((r) => [r.code, r.stderr, r.stdout]), [
        [2, 'blotter breaks: expected list, show, ack, resolve or escalate (see blotter breaks --help)\n', ''],
        [2, 'blotter recon: expected run, not "go" (see blotter recon --help)\n', ''],
        [2, 'blotter breaks list: unknown option --bogus (valid: --account, --status, --all, --json, --config) (see blotter breaks list --help)\n', ''],
    ]);
});
t.test('no account to reconcile: said on stderr, exit 0', async (t) => {
    const r = await runCli(['recon', 'run'], { env });
    t.same([r.code, r.stdout], [0, '']);
    t.match(r.stderr, /^blotter: no accounts to reconcile/);
    const j = await runCli(['recon', 'run', '--json'], { env });
    t.same(JSON.parse(j.stdout), { ok: true, runs: [] });
    t.equal(await count('recon_run'), 0, 'no run recorded');
});
t.test('a clean account: exit 0, a table per entity, no open breaks', async (t) => {
    await put(sql, [
        botFill('clean.01', { at: hourAgo }), ibFill('clean.01', { at: hourAgo }),
        ...ibPositions('s1', [{ conId: '265598', qty: '100' }]), botPositions([{ conId: 265598, qty: '100' }]),
    ]);
    const r = await runCli(['recon', 'run', '--scope', 'executions'], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, new RegExp(`^${ACCOUNT}  as of \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z  scope executions  run [0-9a-f-]{36}\\n`));
    t.match(r.stdout, /\n {2}entity {5}compared {2}matched {2}within tolerance {2}corrected {2}pending {2}breaks {2}status\n {2}execution {9}1 {8}1 {17}0 {10}0 {8}0 {7}0 {2}ok\n/);
    t.match(r.stdout, /\n {2}no open breaks\n$/);
    const all = await runCli(['recon', 'run', '--account', ACCOUNT], { env });
    t.equal(all.code, 0, 'the default scope (manual) covers everything');
    t.match(all.stdout, /scope manual/);
    t.match(all.stdout, /\n {2}position {10}1 {8}1 .* ok\n/);
    t.match(all.stdout, /\n {2}cash {14}0 .* not compared\n/, 'a family with nothing from one side is not compared, not "ok"');
    t.match(all.stdout, /\n {2}pnl {15}0 .* nothing to compare\n/);
});
t.test('breaks: exit 1, each break in plain words; --json exact; --as-of repeats a run', async (t) => {
    await put(sql, [botFill('qty.01', { at: hourAgo, qty: '90' }), ibFill('qty.01', { at: hourAgo }), botFill('lost.01', { at: hourAgo, qty: '0.00000001' })]);
    const r = await runCli(['recon', 'run'], { env });
    t.equal(r.code, 1, r.stderr);
    t.match(r.stdout, /\n {2}execution {9}3 {8}1 .* 2 {2}breaks\n/);
    t.match(r.stdout, /\n {2}breaks: 2 opened, 0 updated, 0 cleared by this run\n {2}open breaks \(2\):\n/);
    t.match(r.stdout, /\n {4}medium {2}execution\.mismatch {11}qty\.01 {3}quantity: broker 100, bot 90 \(−10\)\n/, 'severity, category, key, what differs');
    t.match(r.stdout, /\n {4}low {5}execution\.missing_at_broker {2}lost\.01 {2}quantity: broker none, bot 0\.00000001\n/);
    const j = await runCli(['recon', 'run', '--scope', 'executions', '--json'], { env });
    t.equal(j.code, 1);
    t.equal(j.stdout.split('\n').length, 2, 'one JSON object');
    t.match(j.stdout, /"bot":0\.00000001,/, 'numbers as recorded, not through a double');
    const doc = JSON.parse(j.stdout);
    t.equal(doc.ok, false);
    const run = doc.runs[0];
    t.same([run.account, run.scope, run.discrepancies, run.breaks_opened], [ACCOUNT, 'executions', 2, 0]);
    t.same(run.entities.map((e) => e.entity), ['execution']);
    t.same(run.open_breaks.map((b) => b.break_id).sort(), ['execution.mismatch:qty.01', 'execution.missing_at_broker:lost.01']);
    // The as-of a run printed, given back: the same run (same id), nothing appended.
    const runs = await count('recon_run');
    const again = await runCli(['recon', 'run', '--scope', 'executions', '--json', '--as-of', run.as_of], { env });
    t.equal(JSON.parse(again.stdout).runs[0].run_id, run.run_id, 'the same run id');
    t.equal(await count('recon_run'), runs, 'nothing appended');
    // Before anything was recorded: nothing to compare, no discrepancy.
    const past = new Date(Date.now() - 86400_000).toISOString().replace('Z', '+00:00');
    const early = await runCli(['recon', 'run', '--scope', 'executions', '--as-of', past], { env });
    t.equal(early.code, 0, early.stderr);
    t.match(early.stdout, /\n {2}execution {9}0 /);
});
t.test('bad input: a usage error naming it, exit 2, nothing recorded', async (t) => {
    const runs = await count('recon_run');
    const cases = [
        [['--as-of', 'yesterday'], 'blotter recon run: --as-of must be an RFC 3339 timestamp such as 2026-11-26T21:00:00Z or 2026-11-26T16:00:00-05:00, not "yesterday" (see blotter recon run --help)'],
        [['--as-of', '2026-11-26T14:30:00'], 'not "2026-11-26T14:30:00"'],
        [['--as-of', '2026-02-30T14:30:00Z'], 'not "2026-02-30T14:30:00Z"'],
        [['--as-of', '2026-11-26T24:00:00Z'], 'not "2026-11-26T24:00:00Z"'],
        [['--as-of', '2999-01-01T00:00:00Z'], 'blotter recon run: recon.reconcile: as_of 2999-01-01 00:00:00+00 is in the future [PG 22023]'],
        [['--account', 'DU0000000'], `blotter recon run: no account "DU0000000" to reconcile (accounts: ${ACCOUNT}) [ACCOUNT_UNKNOWN]`],
        [['--scope', 'everything'], 'blotter recon run: recon.reconcile: unknown scope everything'],
        [['--as-of'], 'blotter recon run: option --as-of needs a value (see blotter recon run --help)'],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['recon', 'run', ...args], { env })));
    results.forEach((r, i) => {
        t.equal(r.code, 2, cases[i][0].join(' '));
        t.equal(r.stdout, '', cases[i][0].join(' '));
        t.ok(r.stderr.includes(cases[i][1]), `${cases[i][0].join(' ')}: ${r.stderr}`);
        t.equal(r.stderr.split('\n').length, 2, 'one line');
    });
    t.equal(await count('recon_run'), runs, 'no run recorded');
    const down = await runCli(['breaks', 'list'], { env: offline });
    t.equal(down.code, 2, 'no database: 2');
});
t.test('a reviewer lists, shows, acknowledges, escalates and resolves; the actor is their login', async (t) => {
    const reviewer = await login(t, 'blotter_reviewer');
    const as = { DATABASE_URL: reviewer.url };
    const id = 'execution.mismatch:qty.01';
    const [list, listJson, show] = await Promise.all([
        runCli(['breaks', 'list'], { env: as }), runCli(['breaks', 'list', '--json', '--account', ACCOUNT], { env: as }), runCli(['breaks', 'show', id], { env: as })
    ]);
    t.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    t.match(lines[0], /^severity {2}status {2}account {4}first seen {12}break {32}what differs$/);
    t.match(list.stdout, new RegExp(`\\nmedium {4}open {4}${ACCOUNT}  \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  execution\\.mismatch:qty\\.01 +quantity: broker 100, bot 90 \\(−10\\)\\n`));
    t.equal(lines.length, 3, 'a header and two breaks');
    const json = JSON.parse(listJson.stdout);
    t.same(json.breaks.map((b) => b.break_id).sort(), [id, 'execution.missing_at_broker:lost.01']);
    t.same(json.breaks.find((b) => b.break_id === id).detail.fields, [{ bot: 90, field: 'quantity', broker: 100, difference: -10 }]);
    t.equal(show.code, 0, show.stderr);
    t.match(show.stdout, new RegExp(`^break ${id}\\n {2}account {5}${ACCOUNT}\\n {2}status {6}open\\n {2}severity {4}medium\\n`));
    t.match(show.stdout, /\n {2}fields:\n {4}quantity: broker 100, bot 90 \(−10\)\n/);
    t.match(show.stdout, /\nhistory \(1\):\n {2}\S+Z {2}opened {7}severity medium {2}run [0-9a-f-]{36} {2}quantity: broker 100, bot 90 \(−10\)\n$/);
    const ack = await runCli(['breaks', 'ack', id, '--note', 'looking into it'], { env: as });
    t.same([ack.code, ack.stdout, ack.stderr], [0, `${id}: acknowledged\n`, '']);
    const reviews = await count('recon_break_review');
    const noNote = await Promise.all([runCli(['breaks', 'resolve', id], { env: as }), runCli(['breaks', 'resolve', id, '--note', '   '], { env: as })]);
    for (const r of noNote) {
        t.equal(r.code, 2);
        t.equal(r.stderr, 'blotter breaks resolve: resolve needs --note N saying why the break is resolved (see blotter breaks resolve --help)\n');
    }
    t.equal(await count('recon_break_review'), reviews, 'refused before SQL: nothing recorded');
    t.equal((await runCli(['breaks', 'escalate', id], { env: as })).stdout, `${id}: escalated\n`);
    t.equal((await runCli(['breaks', 'resolve', id, '--note', 'bot re-sent the fill'], { env: as })).stdout, `${id}: resolved\n`);
    // Everything after the resolve reads only: asked at once.
    const [again, unknownShow, unknownEscalate, open, all, resolved, none, badStatus, both, history, text] = await Promise.all([
        ['breaks', 'ack', id], ['breaks', 'show', 'nope:1'], ['breaks', 'escalate', 'nope:1'], ['breaks', 'list'], ['breaks', 'list', '--all'],
        ['breaks', 'list', '--status', 'resolved'], ['breaks', 'list', '--status', 'cleared'], ['breaks', 'list', '--status', 'closed'],
        ['breaks', 'list', '--status', 'open', '--all'], ['breaks', 'show', id, '--json'], ['breaks', 'show', id],
    ].map((args) => runCli(args, { env: as })));
    t.same([again.code, again.stderr], [2, `blotter breaks ack: break ${id} is already resolved [BREAK_STATE]\n`]);
    t.same([unknownShow, unknownEscalate].map((r) => [r.code, r.stderr]), [
        [2, 'blotter breaks show: no break "nope:1" (`blotter breaks list --all` lists every break by id) [BREAK_UNKNOWN]\n'],
        [2, 'blotter breaks escalate: no break "nope:1" (`blotter breaks list --all` lists every break by id) [BREAK_UNKNOWN]\n'],
    ]);
    t.notMatch(open.stdout, /qty\.01/, 'a resolved break is not listed by default');
    t.match(all.stdout, /\nmedium {4}resolved {2}/, '--all lists it');
    t.equal(resolved.stdout.trimEnd().split('\n').length, 2, '--status resolved: that one only');
    t.same([none.code, none.stdout, none.stderr], [0, '', 'blotter: no cleared breaks\n']);
    t.same([badStatus, both].map((r) => [r.code, r.stderr]), [
        [2, 'blotter breaks list: --status must be one of open, acknowledged, escalated, resolved, cleared (see blotter breaks list --help)\n'],
        [2, 'blotter breaks list: --status and --all: give one or the other (see blotter breaks list --help)\n'],
    ]);
    const h = JSON.parse(history.stdout);
    t.equal(h.break.status, 'resolved');
    t.equal(h.break.reviewed_by, reviewer.name);
    t.same(h.history.map((x) => [x.what, x.note]), [['opened', null], ['acknowledge', 'looking into it'], ['escalate', null], ['resolve', 'bot re-sent the fill']]);
    t.same(h.history.slice(1).map((x) => x.actor), [reviewer.name, reviewer.name, reviewer.name], 'the actor is the reviewer\'s own login');
    t.match(text.stdout, new RegExp(`\\n {2}reviewed {4}by ${reviewer.name} at \\S+Z: bot re-sent the fill\\n`));
    t.match(text.stdout, new RegExp(`\\n {2}\\S+Z {2}resolve {6}by ${reviewer.name} {2}"bot re-sent the fill"\\n$`));
});
t.test('a login only in blotter_agent: refused by the database, said plainly', async (t) => {
    const agent = await login(t, 'blotter_agent');
    const as = { DATABASE_URL: agent.url };
    const id = 'execution.missing_at_broker:lost.01';
    const reviews = await count('recon_break_review');
    const [ack, escalate, resolve, list, run] = await Promise.all([
        ['breaks', 'ack', id], ['breaks', 'escalate', id], ['breaks', 'resolve', id, '--note', 'the agent may not'], ['breaks', 'list'],
        ['recon', 'run', '--scope', 'executions'],
    ].map((args) => runCli(args, { env: as })));
    t.same([ack, escalate, resolve].map((r) => [r.code, r.stdout, r.stderr]), ['ack', 'escalate', 'resolve'].map((sub) => [2, '', `blotter breaks ${sub}: permission denied: your database user must be a member of blotter_reviewer [NOT_REVIEWER]\n`]));
    t.equal(await count('recon_break_review'), reviews, 'nothing recorded');
    t.equal((await sql `select status from recon.breaks where break_id = ${id}`)[0].status, 'open');
    t.same([list.code, list.stderr], [2, 'blotter breaks list: permission denied: your database user must be a member of blotter_reviewer or blotter_auditor to read breaks [NOT_REVIEWER]\n']);
    // The agent's role runs reconciliations: the run stands, its breaks are not listed.
    t.equal(run.code, 1, run.stderr);
    t.match(run.stdout, /\n {2}open breaks: not listed \(permission denied: your database user must be a member of blotter_reviewer or blotter_auditor to read breaks\)\n$/);
});
