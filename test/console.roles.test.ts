// Who may do what with the review console's people and reviews, in the database itself,
// and `blotter users` at the command line. The console's role reads like an auditor but
// reviews only through console.review_break, naming an enabled reviewer (a viewer, a
// disabled or unknown person is refused there too), and cannot call recon.review_break;
// a reviewer's login cannot call the console's function; nobody but the owner reads
// password hashes or adds people. `users add|list|reset|disable` work and refuse bad
// input naming it; every change is an event whose actor is the person and which carries
// no hash. With console.enabled off (the default) /console is not served.
import t from 'tap';
import { addUser } from '../agent/console/users.ts';
import { get, inProcessAgent } from './helpers/agent.ts';
import { loginAs, runCli, testDb } from './helpers/db.ts';
import { ACCOUNT, botFill, put } from './helpers/recon.ts';

const db = await testDb(t);
const { url, sql } = db;
const hourAgo = new Date(Date.now() - 3600_000).toISOString();
await put(sql, [botFill('lost.01', { qty: '5', at: hourAgo }), botFill('lost.02', { qty: '6', at: hourAgo })]);
await sql`select * from recon.reconcile(${ACCOUNT}, null, 'all')`;
const [b1, b2] = (await sql`select break_id from recon.breaks order by break_id`).map((r) => r.break_id as string);
const env = { DATABASE_URL: url };

t.test('blotter users: add, list, reset, disable; bad input refused, naming it', async (t) => {
  let r = await runCli(['users', 'add', 'rita', '--role', 'reviewer'], { env });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^user rita added as reviewer\none-time password: [A-Za-z0-9_-]{20}\n$/);
  r = await runCli(['users', 'add', 'rita', '--role', 'viewer'], { env });
  t.equal(r.code, 2);
  t.match(r.stderr, /user rita already exists.*\[USER_EXISTS\]/);
  r = await runCli(['users', 'add', 'Bad Name', '--role', 'viewer'], { env });
  t.same([r.code, /NAME "Bad Name"/.test(r.stderr)], [2, true]);
  r = await runCli(['users', 'add', 'zed', '--role', 'root'], { env });
  t.same([r.code, /--role must be one of viewer, reviewer, admin/.test(r.stderr)], [2, true]);
  r = await runCli(['users', 'add', 'zed'], { env });
  t.same([r.code, /needs --role/.test(r.stderr)], [2, true]);
  t.equal((await sql`select count(*)::int as n from console.users where name = 'zed'`)[0]!.n, 0, 'nothing added by a refusal');

  await addUser(sql, 'vera', 'viewer');
  r = await runCli(['users', 'list', '--json'], { env });
  const list = JSON.parse(r.stdout).users as { name: string; role: string; must_change_password: boolean }[];
  t.same(list.map((u) => [u.name, u.role, u.must_change_password]), [['rita', 'reviewer', true], ['vera', 'viewer', true]]);
  t.notMatch(r.stdout, /scrypt/, 'never a hash');

  const before = (await sql`select password_hash from console.users where name = 'vera'`)[0]!.password_hash;
  await sql`update console.users set must_change_password = false where name = 'vera'`;
  r = await runCli(['users', 'reset', 'vera'], { env });
  t.match(r.stdout, /new one-time password: [A-Za-z0-9_-]{20}/);
  const after = (await sql`select password_hash, must_change_password from console.users where name = 'vera'`)[0]!;
  t.not(after.password_hash, before);
  t.equal(after.must_change_password, true, 'to be replaced at the next sign-in');
  r = await runCli(['users', 'reset', 'nobody'], { env });
  t.same([r.code, /no user nobody/.test(r.stderr)], [2, true]);

  await addUser(sql, 'gone', 'reviewer');
  r = await runCli(['users', 'disable', 'gone'], { env });
  t.equal(r.code, 0);
  t.same(await sql`select * from console.user_for_sign_in('gone')`, [], 'a disabled person cannot sign in');
  r = await runCli(['users', 'disable', 'gone'], { env });
  t.same([r.code, /no enabled user gone/.test(r.stderr)], [2, true]);

  const events = await sql`select event_type, source, privacy.reveal(actor) as actor, payload::text as payload from ledger.events where stream = 'console' order by seq`;
  t.same(events.map((e) => [e.event_type, e.source, e.actor]), [
    ['console_user_added', 'user', 'rita'], ['console_user_added', 'user', 'vera'], ['console_user_reset', 'user', 'vera'],
    ['console_user_added', 'user', 'gone'], ['console_user_disabled', 'user', 'gone'],
  ]);
  t.ok(events.every((e) => !/scrypt/.test(e.payload as string)), 'no event carries a hash');
});

t.test('the console role: reads, reviews only in a named reviewer\'s name', async (t) => {
  const c = await loginAs(t, db, 'blotter_console', 'console_login');
  t.ok((await c`select count(*)::int as n from recon.breaks`)[0]!.n >= 2, 'reads breaks (as an auditor does)');
  t.ok((await c`select count(*)::int as n from ledger.events`)[0]!.n > 0, 'reads the ledger');
  await t.rejects(c`select recon.review_break(${b1!}, 'resolve', 'x')`, { code: '42501' }, 'not a reviewer: recon.review_break refused');
  await t.rejects(c`select * from console.users`, { code: '42501' }, 'the table of hashes is not readable');
  await t.rejects(c`select console.add_user('mallory', 'admin', 'scrypt$1$1$1$AA==$AA==')`, { code: '42501' }, 'cannot add people');
  await t.rejects(c`select console.review_break('vera', ${b1!}, 'acknowledge', null)`, { code: '42501', message: /vera is a viewer/ }, 'a viewer refused');
  await t.rejects(c`select console.review_break('gone', ${b1!}, 'acknowledge', null)`, { code: '42501' }, 'a disabled person refused');
  await t.rejects(c`select console.review_break('nobody', ${b1!}, 'acknowledge', null)`, { code: '42501' }, 'an unknown person refused');
  await t.rejects(c`select console.review_break('rita', ${b1!}, 'resolve', '  ')`, { code: '22023' }, 'resolve without a note refused');
  await t.rejects(c`select console.review_break('rita', 'no:such', 'acknowledge', null)`, { code: 'P0002' });
  t.equal((await c`select console.review_break('rita', ${b1!}, 'acknowledge', 'looking')`)[0]!.review_break, 'acknowledged');
  const [h] = await c`select actor, via, db_role, db_user, note, what from recon.break_history where break_id = ${b1!} and event_type = 'recon_break_review'`;
  t.same({ ...h }, { actor: 'console:rita', via: 'console', db_role: 'blotter_console', db_user: `console_login_${process.pid}`, note: 'looking', what: 'acknowledge' },
    'both identities: the person, and the role and login the database saw');
  const [x] = await c`select * from console.user_for_sign_in('rita')`;
  t.match(x!.password_hash, /^scrypt\$/, 'the console (only) reads the hash it checks');
});

t.test('a reviewer\'s login: its own name, never the console\'s function', async (t) => {
  const r = await loginAs(t, db, 'blotter_reviewer', 'reviewer_login');
  await t.rejects(r`select console.review_break('rita', ${b2!}, 'acknowledge', null)`, { code: '42501' });
  await t.rejects(r`select * from console.user_for_sign_in('rita')`, { code: '42501' });
  t.equal((await r`select recon.review_break(${b2!}, 'escalate', 'over to compliance')`)[0]!.review_break, 'escalated');
  const [h] = await r`select actor, via, db_role from recon.break_history where break_id = ${b2!} and event_type = 'recon_break_review'`;
  t.same({ ...h }, { actor: `reviewer_login_${process.pid}`, via: null, db_role: null });
  const a = await loginAs(t, db, 'blotter_auditor', 'auditor_login');
  t.same((await a`select name from console.user_list order by name`).map((u) => u.name), ['gone', 'rita', 'vera'], 'auditors see who may sign in');
  await t.rejects(a`select * from console.users`, { code: '42501' }, 'but no hash');
});

t.test('console.enabled off (the default): /console is not served', async (t) => {
  const agent = await inProcessAgent(t, url);
  const r = await get(agent.port, '/console', null);
  t.equal(r.status, 401, 'the bearer-token API answers, as for any unknown route');
  t.notMatch(r.text, /<html/);
});
