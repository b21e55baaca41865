// Who may do what with the review console's people and reviews, in the database itself,
// and `blotter users` at the command line. The console's role reads like an auditor but
// reviews only through console.review_break, naming an enabled reviewer (a viewer, a
// disabled or unknown person is refused there too), and cannot call recon.review_break;
// a reviewer's login cannot call the console's function; nobody but the owner reads
// password hashes or adds people. `users add|list|reset|disable` work and refuse bad
// input naming it; every change is an event whose actor is the person and which carries
// no hash. With console.enabled off (the default) /console is not served. Then, over plain
// HTTP against an agent with the console on, the escape attempts of a security review:
// markup in break keys, accounts, payloads and search inputs comes back escaped; a
// malformed cookie from another application on the host, a NUL or an out-of-range seq is
// bad input, not a 500 naming the database's error; an oversized form is refused without
// reading it and the connection closed; a session does not outlive a password reset
// (even one that re-enables a disabled person); guesses at the current password on the
// password page count against the sign-in limit, and so do guesses sent all at once;
// at most two reports are made and one stream verified at once (then 503); every page
// carries the security headers; with the console off, nothing of it answers.
import net from 'node:net';
import t from 'tap';
import { hashPassword } from '../agent/console/password.ts';
import { addUser } from '../agent/console/users.ts';
import { get, inProcessAgent, until } from './helpers/agent.ts';
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
  for (const path of ['/console/sign-in', '/console/static/console.css', '/console/breaks?state=all', '/console/reports/run?report=daily&format=csv']) {
    const x = await get(agent.port, path, null);
    t.same([x.status, x.headers.get('content-type'), x.headers.get('set-cookie')], [401, 'application/json', null], `${path}: nothing of the console`);
  }
  const p = await fetch(`http://127.0.0.1:${agent.port}/console/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=rita&password=x' });
  t.equal(p.status, 401, 'nor a sign-in');
});

t.test('escape attempts over HTTP, with the console on', async (t) => {
  const X = `x"><script>alert(1)</script><img src=x onerror=alert(2)>'`;
  const evil = botFill(X, { qty: '7', at: hourAgo });
  (evil.payload as Record<string, unknown>).client_order_id = X;
  await put(sql, [evil, { ...botFill('acct.01', { at: hourAgo }), account: 'ACC<b>"&' }]);
  await sql`select * from recon.reconcile(${ACCOUNT}, null, 'all')`;
  const agent = await inProcessAgent(t, url, { BLOTTER_CONSOLE_ENABLED: 'true', BLOTTER_CONSOLE_SIGN_IN_ATTEMPTS: '3' });
  const base = `http://127.0.0.1:${agent.port}`;
  const PW = 'correct horse battery';
  for (const [name, role] of [['hal', 'reviewer'], ['ida', 'viewer'], ['kim', 'reviewer']] as const) {
    await addUser(sql, name, role);
    await sql`select console.change_password(${name}, ${await hashPassword(PW)})`;
  }
  const form = 'application/x-www-form-urlencoded';
  const req = async (path: string, o: RequestInit = {}) => {
    const r = await fetch(base + path, { redirect: 'manual', ...o });
    return { status: r.status, headers: r.headers, cookies: r.headers.getSetCookie(), text: await r.text() };
  };
  const signIn = async (name: string, password: string) => {
    const pre = (await req('/console/sign-in')).cookies[0]!.split(';')[0]!;
    const r = await req('/console/sign-in', { method: 'POST', headers: { cookie: pre, 'content-type': form }, body: new URLSearchParams({ _csrf: pre.split('=')[1]!, name, password }) });
    return { status: r.status, cookie: r.cookies.find((c) => c.startsWith('blotter_session='))?.split(';')[0] ?? '' };
  };
  const csrfOf = async (cookie: string) => /name="_csrf" value="([^"]+)"/.exec((await req('/console', { headers: { cookie } })).text)?.[1] ?? '';
  const { cookie } = await signIn('hal', PW);
  t.ok(cookie, 'signed in');
  const as = (path: string) => req(path, { headers: { cookie } });
  const raw = /<script|<img |<b>/;

  await t.test('markup in values and inputs comes back escaped', async (t) => {
    const id = `execution.missing_at_broker:${X}`;
    for (const path of ['/console', '/console/breaks?state=all', `/console/breaks/view?id=${encodeURIComponent(id)}`, `/console/breaks/view?id=${encodeURIComponent('<script>')}`,
      `/console/audit?order=${encodeURIComponent(X)}`, `/console/audit?account=${encodeURIComponent(X)}&type=${encodeURIComponent('<img src=x>')}`,
      `/console/audit?from=${encodeURIComponent('"><b>')}`, `/console/reports/run?report=${encodeURIComponent('<script>')}`,
      `/console/reports/run?report=order-trail&order=${encodeURIComponent(X)}&format=html`, `/console/nothing<script>`]) {
      const r = await as(path);
      t.notMatch(r.text, raw, `${path} (${r.status}): no markup of ours`);
    }
    const page = (await as(`/console/breaks/view?id=${encodeURIComponent(id)}`)).text;
    t.match(page, 'x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;', 'the key is shown, escaped');
    const csv = await as(`/console/reports/run?report=daily&format=csv&account=${encodeURIComponent('a"\r\nX-Evil: 1/../x')}`);
    t.match(csv.headers.get('content-disposition'), /^attachment; filename="daily_a-X-Evil-1-..-x[^"]*\.csv"$/, 'the file name: safe characters only');
    t.equal(csv.headers.get('x-evil'), null);
  });

  await t.test('security headers on every page; nothing at /console without a session', async (t) => {
    for (const path of ['/console', '/console/breaks', '/console/audit', '/console/reports', '/console/no-such']) {
      const h = (await as(path)).headers;
      t.match(h.get('content-security-policy'), /default-src 'none'.*frame-ancestors 'none'/, path);
      t.same([h.get('x-content-type-options'), h.get('x-frame-options'), h.get('cache-control'), h.get('referrer-policy')], ['nosniff', 'DENY', 'no-store', 'same-origin'], path);
    }
    const anon = await req('/console/breaks?state=all');
    t.same([anon.status, anon.headers.get('location')], [303, '/console/sign-in'], 'signed out: sent to sign in, no data');
  });

  await t.test('bad input is refused as such, never a 500 with the database\'s message', async (t) => {
    let r = await req('/console', { headers: { cookie: `other_app=%E0%A4%A; ${cookie}` } });
    t.equal(r.status, 200, 'another application\'s malformed cookie does not take the console down');
    r = await as(`/console/audit?account=${encodeURIComponent('a\0b')}`);
    t.same([r.status, /NUL/.test(r.text), /invalid byte sequence/.test(r.text)], [400, true, false], 'a NUL in a search');
    r = await as(`/console/breaks/view?id=${encodeURIComponent('a\0b')}`);
    t.equal(r.status, 400);
    r = await as('/console/audit/event?seq=9999999999999999999');
    t.same([r.status, /out of range/.test(r.text)], [400, false], 'a seq past bigint');
    t.equal((await signIn('a\0b', 'x')).status, 401, 'a name no person can have: a failed sign-in');
  });

  await t.test('an oversized form is not read: 413, and the connection closes', async (t) => {
    const csrf = await csrfOf(cookie);
    let r = await req('/console/audit/verify', { method: 'POST', headers: { cookie, 'content-type': form }, body: `_csrf=${csrf}&seq=1&x=${'a'.repeat(20_000)}` });
    t.same([r.status, r.headers.get('connection')], [413, 'close']);
    // Streamed without a length: the server stops reading and hangs up long before 64 MiB.
    const sock = net.connect(agent.port, '127.0.0.1');
    sock.on('error', () => {});
    let closed = false;
    let answer = '';
    sock.on('data', (d) => { answer += d; });
    const gone = new Promise<void>((resolve) => sock.on('close', () => { closed = true; resolve(); }));
    sock.write(`POST /console/audit/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nContent-Type: ${form}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const body = Buffer.alloc(1 << 20, 97);
    const chunk = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]);
    let sent = 0;
    while (!closed && sent < 64) {
      sent++;
      if (!sock.write(chunk)) await Promise.race([new Promise((resolve) => sock.once('drain', resolve)), gone]);
    }
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 2000))]);
    sock.destroy();
    t.ok(closed && sent < 64, `closed after ${sent} MiB`);
    t.match(answer, /^HTTP\/1\.1 413 /);
  });

  await t.test('a password reset ends the sessions, even one left idle while disabled', async (t) => {
    const k = await signIn('kim', PW);
    t.equal((await req('/console', { headers: { cookie: k.cookie } })).status, 200);
    await sql`select console.disable_user('kim')`;
    // The session is not used while kim is disabled; then a DBA gives kim a new password.
    await sql`select console.reset_user('kim', ${await hashPassword('a new one-time pass')})`;
    const r = await req('/console', { headers: { cookie: k.cookie } });
    t.same([r.status, r.headers.get('location')], [303, '/console/sign-in'], 'the old session does not come back');
    const k2 = await signIn('kim', PW);
    t.equal(k2.status, 401, 'nor does the old password');
  });

  await t.test('guesses at the current password count against the sign-in limit', async (t) => {
    const i = await signIn('ida', PW);
    const csrf = await csrfOf(i.cookie);
    const change = (current: string) => req('/console/password', { method: 'POST', headers: { cookie: i.cookie, 'content-type': form },
      body: new URLSearchParams({ _csrf: csrf, current, password: 'another long pass', again: 'another long pass' }) });
    for (let n = 0; n < 3; n++) t.equal((await change(`guess ${n}`)).status, 400);
    const r = await change(PW);
    t.same([r.status, /Too many wrong passwords/.test(r.text)], [429, true], 'blocked, even for the right one');
    t.equal((await signIn('ida', PW)).status, 429, 'and the sign-in of that name is blocked too');
  });

  await t.test('guesses sent all at once are limited as if sent one by one', async (t) => {
    const pre = (await req('/console/sign-in')).cookies[0]!.split(';')[0]!;
    const guess = (n: number) => req('/console/sign-in', { method: 'POST', headers: { cookie: pre, 'content-type': form },
      body: new URLSearchParams({ _csrf: pre.split('=')[1]!, name: 'hal', password: `guess ${n}` }) }).then((r) => r.status);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, n) => guess(n)));
    t.ok(answers.filter((s) => s === 401).length <= 3, `at most 3 checked (${answers.join(' ')})`);
    t.ok(answers.filter((s) => s === 429).length >= 9, 'the rest refused unchecked');
  });

  await t.test('reports are made two at a time, by everyone together: a third waits its turn (503)', async (t) => {
    // The two first are held on a lock the test takes on what the daily report reads (a
    // refresh, not yet committed, of the materialized view).
    await sql.begin(async (tx) => {
      await tx`refresh materialized view reports.daily_summary`;
      const held = [as('/console/reports/run?report=daily&format=csv'), as('/console/reports/run?report=daily&format=html')];
      await until(async () => (await sql`select count(*)::int as n from pg_catalog.pg_locks where not granted and relation = 'reports.daily_summary'::regclass`)[0]!.n >= 2);
      const third = await as('/console/reports/run?report=daily&format=csv');
      t.same([third.status, third.headers.get('retry-after')], [503, '5']);
      return held;
    }).then(async (held) => {
      const [a, b] = await Promise.all(held.slice(0, 2));
      t.same([a!.status, b!.status], [200, 200], 'the two held ones finish once the lock goes');
    });
    t.equal((await as('/console/reports/run?report=daily&format=csv')).status, 200, 'and the next one runs');
  });

  await t.test('one stream is verified at a time: a second click meanwhile is told 503', async (t) => {
    const csrf = await csrfOf(cookie);
    const [{ seq }] = await sql`select seq::text as seq from ledger.events where stream = 'bot' order by seq limit 1` as unknown as [{ seq: string }];
    const verify = () => req('/console/audit/verify', { method: 'POST', headers: { cookie, 'content-type': form }, body: new URLSearchParams({ _csrf: csrf, seq }) });
    const first = await sql.begin(async (tx) => {
      await tx`lock table ledger.checkpoints in access exclusive mode`;
      const held = verify();
      await until(async () => (await sql`select count(*)::int as n from pg_catalog.pg_locks where not granted and relation = 'ledger.checkpoints'::regclass`)[0]!.n >= 1);
      const second = await verify();
      t.same([second.status, second.headers.get('retry-after')], [503, '5']);
      return [held];
    });
    const r = await first[0]!;
    t.same([r.status, /verified: \d+ rows/.test(r.text)], [200, true], 'the first finishes once the lock goes');
    t.equal((await verify()).status, 200, 'and the next one runs');
  });
});
