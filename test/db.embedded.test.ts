// `blotter db start|stop|status|url` manage a real PostgreSQL under $BLOTTER_HOME: it
// survives restarts, a second start is a no-op, a stale pid after kill -9 is recovered,
// and it works as root (the server runs as an unprivileged account). A command that finds
// it stopped starts it, says so, and stops it again; `start` on an empty BLOTTER_HOME says
// loudly that it creates a new ledger; a home the server could not enter is refused
// before anything is created.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import postgres from 'postgres';
import { makeTempHome } from '../agent/db/server.ts';
import { until } from './helpers/agent.ts';
import { CLI, eventLine, NODE_ARGS, runCli } from './helpers/db.ts';

const home = makeTempHome('blotter-dbtest-');
const env: NodeJS.ProcessEnv = { BLOTTER_HOME: home, BLOTTER_PG_BIN: process.env.BLOTTER_TEST_PG_BIN, DATABASE_URL: '' };
t.teardown(async () => {
  await runCli(['db', 'stop'], { env });
  fs.rmSync(home, { recursive: true, force: true });
});

async function status() {
  const r = await runCli(['db', 'status', '--json'], { env });
  return { code: r.code, ...JSON.parse(r.stdout) };
}

t.test('before the first start', async (t) => {
  const s = await status();
  t.same([s.code, s.running], [3, false]);
  t.match(s.reason, /no cluster/);
  const v = await runCli(['verify'], { env });
  t.equal(v.code, 2, 'verify without a database is a usage/connection error');
  t.match(v.stderr, /no database: set DATABASE_URL, or run `blotter db start`/);
});

let firstPid = 0;
let port = 0;
t.test('start, then start again is a no-op', async (t) => {
  const r = await runCli(['db', 'start'], { env });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^started PostgreSQL \d+ on 127\.0\.0\.1:\d+/);
  const s = await status();
  t.same([s.code, s.running], [0, true]);
  firstPid = s.pid;
  port = s.port;
  const again = await runCli(['db', 'start'], { env });
  t.match(again.stdout, /already running/);
  t.equal((await status()).pid, firstPid, 'the same server');
  const mode = fs.statSync(path.join(home, 'pg', 'password')).mode & 0o777;
  t.equal(mode, 0o600, 'the password file is private');
});

t.test('migrate; data lands and survives a restart', async (t) => {
  const r = await runCli(['migrate'], { env });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /applied 000001_ledger\.sql/);
  t.notMatch(r.stdout + r.stderr, new RegExp(fs.readFileSync(path.join(home, 'pg', 'password'), 'utf8').trim()), 'no password in the output');
  const a = await runCli(['append', '-'], { env, input: eventLine({ idempotency_key: 'survivor' }) });
  t.match(a.stdout, /appended 1/);
  t.equal((await runCli(['db', 'stop'], { env })).stdout.trim(), 'stopped');
  t.same((await status()).running, false);
  t.equal((await runCli(['db', 'stop'], { env })).stdout.trim(), 'not running');
  t.equal((await runCli(['db', 'start'], { env })).code, 0);
  const s = await status();
  t.equal(s.port, port, 'the same port when it is free');
  const url = (await runCli(['db', 'url'], { env })).stdout.trim();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  t.teardown(() => sql.end({ timeout: 5 }));
  t.equal((await sql`select count(*)::int as n from ledger.events where idempotency_key = 'survivor'`)[0]!.n, 1);
});

t.test('kill -9 of the server: the stale pid is recovered on the next start', async (t) => {
  const s = await status();
  process.kill(s.pid, 'SIGKILL');
  // Its backends notice the postmaster is gone and exit; wait for them to let go.
  for (let i = 0; i < 50 && (await status()).running; i++) await new Promise((r) => setTimeout(r, 100));
  t.same((await status()).running, false);
  t.ok(fs.existsSync(path.join(home, 'pg', 'data', 'postmaster.pid')), 'the pid file was left behind');
  let r = await runCli(['db', 'start'], { env });
  for (let i = 0; i < 20 && r.code !== 0 && /shared memory|lock file/.test(r.stderr); i++) {
    await new Promise((res) => setTimeout(res, 250));
    r = await runCli(['db', 'start'], { env });
  }
  t.equal(r.code, 0, r.stderr);
  const v = await runCli(['verify', '--json'], { env });
  t.equal(JSON.parse(v.stdout).ok, true, 'crash recovery kept the chain whole');
});

t.test('a pid file naming a live process that is not postgres counts as stale', async (t) => {
  await runCli(['db', 'stop'], { env });
  fs.writeFileSync(path.join(home, 'pg', 'data', 'postmaster.pid'), `${process.pid}\n${home}\n`);
  t.same((await status()).running, false);
  const r = await runCli(['db', 'start'], { env });
  t.equal(r.code, 0, r.stderr);
  t.same((await status()).running, true);
});

t.test('DATABASE_URL is never managed by blotter db', async (t) => {
  const r = await runCli(['db', 'stop'], { env: { ...env, DATABASE_URL: 'postgres://u:p@127.0.0.1:5/x' } });
  t.equal(r.code, 2);
  t.match(r.stderr, /the database is postgres:\/\/u:\*\*\*@127\.0\.0\.1:5\/x, from DATABASE_URL: blotter db stop manages only the embedded server/);
  t.same((await status()).running, true, 'the embedded one was left alone');
  const u = await runCli(['db', 'url'], { env: { ...env, DATABASE_URL: 'postgres://u:p@127.0.0.1:5/x' } });
  t.equal(u.stdout.trim(), 'postgres://u:p@127.0.0.1:5/x');
  const bad = await runCli(['db', 'restart'], { env });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /expected start, stop, status or url, not "restart"/);
});

t.test('start on an empty BLOTTER_HOME says loudly that it creates a new ledger; a stopped one is started and stopped again', async (t) => {
  const parent = makeTempHome('blotter-fresh-');
  t.teardown(() => fs.rmSync(parent, { recursive: true, force: true }));
  const fresh = path.join(parent, 'typo');
  const freshEnv = { ...env, BLOTTER_HOME: fresh };
  t.teardown(() => runCli(['db', 'stop'], { env: freshEnv }));
  const agent = spawn(process.execPath, [...NODE_ARGS, CLI, 'start'], {
    env: { ...process.env, ...freshEnv, BLOTTER_INGEST_PORT: '0', BLOTTER_INGEST_TOKEN: 'x'.repeat(24), BLOTTER_JOBS_ENABLED: 'false', BLOTTER_LOGGING_HANDLERS_CONSOLE_ENABLED: 'false' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    agent.stderr!.on('data', (d) => {
      stderr += d;
      if (/listening on/.test(stderr)) resolve();
    });
    agent.once('exit', (code) => reject(new Error(`start exited ${code}: ${stderr}`)));
  });
  t.match(stderr, `blotter: NOTE: there is no database under BLOTTER_HOME=${fresh}: creating a NEW embedded PostgreSQL there, with an EMPTY ledger.`);
  t.match(stderr, /check BLOTTER_HOME \(or set DATABASE_URL \/ database\.url\)/);
  t.match(stderr, `blotter: database postgres://blotter:***@127.0.0.1:`);
  // Signalled once it answers, as a person would: not within its first milliseconds.
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
  await until(async () => (await fetch(`http://127.0.0.1:${port}/v1/health`, { headers: { authorization: `Bearer ${'x'.repeat(24)}` } })).status === 200);
  const exited = new Promise((r) => agent.once('exit', r));
  agent.kill('SIGTERM');
  t.equal(await exited, 0, `drained and exited 0: ${stderr}`);

  t.equal((await runCli(['db', 'stop'], { env: freshEnv })).stdout.trim(), 'stopped');
  const s = await runCli(['db', 'status'], { env: freshEnv });
  t.same([s.code, s.stdout], [3, `not running: the server under ${fresh}/pg is stopped\n`], 'the reason says why');
  const v = await runCli(['verify'], { env: freshEnv });
  t.equal(v.code, 0, v.stderr);
  t.match(v.stdout, /the ledger is empty\nchain intact/);
  t.match(v.stderr, `blotter: the embedded database under ${fresh} is stopped: starting it.\nblotter: stopped the embedded database under ${fresh} again.\n`);
  t.equal((await runCli(['db', 'status'], { env: freshEnv })).code, 3, 'verify left it stopped, as it found it');
  const again = await runCli(['migrate'], { env: freshEnv });
  t.notMatch(again.stderr, /NOTE/, 'no warning for a home that has a database');
});

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
t.test('a BLOTTER_HOME the server account cannot enter is refused before anything is created', { skip: !asRoot && 'only as root does PostgreSQL run as another account' }, async (t) => {
  const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-closed-')); // mode 0700
  t.teardown(() => fs.rmSync(closed, { recursive: true, force: true }));
  const closedEnv = { ...env, BLOTTER_HOME: path.join(closed, 'a', 'home') };
  for (const cmd of [['migrate'], ['db', 'start'], ['start']]) {
    const r = await runCli(cmd, { env: { ...closedEnv, BLOTTER_INGEST_TOKEN: 'x'.repeat(24) } });
    t.equal(r.code, 2, cmd.join(' '));
    t.match(r.stderr, new RegExp(`PostgreSQL runs as postgres and cannot enter ${closed} \\(mode 700\\).*\\[DB_HOME_NOT_TRAVERSABLE\\]`), cmd.join(' '));
    t.same(fs.readdirSync(closed), [], `${cmd.join(' ')}: nothing left behind`);
  }
});
