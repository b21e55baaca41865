// npm test: the tap suite against a real PostgreSQL, once per server available: the whole
// suite on the embedded PostgreSQL 18, then the database-facing files again on PostgreSQL
// 15 when its binaries are on the machine (BLOTTER_TEST_PG15_BIN, default
// /usr/lib/postgresql/15/bin). With DATABASE_URL set, one run against that server instead
// (the role needs CREATEDB and CREATEROLE). Both servers start, and both templates are
// migrated, before the first test runs; every test file clones its server's template.
//
// `npm test -- FILE...` runs those files (on both servers when they are database-facing);
// other arguments go to tap as they are. BLOTTER_TEST_JOBS sets how many files run at once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { migrate } from '../agent/db/migrate.ts';
import { embeddedBinDir, makeTempHome, startServer, stopServer } from '../agent/db/server.ts';

const TEMPLATE = 'blotter_template';
const COVERAGE_FLOOR_LINES = 80;
const TEST_DIR = 'test';
// Most test files wait on PostgreSQL and on child processes, not on the CPU: run several
// per core.
const JOBS = Number(process.env.BLOTTER_TEST_JOBS) || Math.max(4, 3 * os.availableParallelism());

// A file is database-facing when it uses the server under test: a cloned database, the
// admin URL, or the server's binaries. The rest (pure units, and `blotter demo`, which
// always runs on its own embedded 18) prove nothing more on a second server.
const DATABASE_FACING = /\b(testDb|adminUrl|inProcessAgent|childAgent)\s*\(|BLOTTER_TEST_(ADMIN_URL|PG_BIN|TEMPLATE)\b/;

type Server = { label: string; binDir?: string; url?: string; allFiles: boolean };
type Ready = Server & { adminUrl: string; home?: string; binDirResolved: string };

function servers(): Server[] {
  if (process.env.DATABASE_URL) return [{ label: 'DATABASE_URL', url: process.env.DATABASE_URL, allFiles: true }];
  const list: Server[] = [{ label: 'embedded PostgreSQL 18', allFiles: true }];
  const pg15 = process.env.BLOTTER_TEST_PG15_BIN ?? '/usr/lib/postgresql/15/bin';
  if (fs.existsSync(path.join(pg15, 'postgres'))) list.push({ label: 'PostgreSQL 15', binDir: pg15, allFiles: false });
  else process.stdout.write(`# PostgreSQL 15 not found at ${pg15}: the suite runs on the embedded server only\n`);
  return list;
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.relative('.', path.join(e.parentPath, e.name)))
    .sort();
}

// The files named on the command line (directories expanded), and everything else for tap.
function splitArgs(args: string[]): { files: string[]; options: string[] } {
  const files: string[] = [];
  const options: string[] = [];
  for (const a of args) {
    if (!a.startsWith('-') && fs.existsSync(a)) files.push(...(fs.statSync(a).isDirectory() ? testFiles(a) : [a]));
    else options.push(a);
  }
  return { files, options };
}

function databaseFacing(file: string): boolean {
  return DATABASE_FACING.test(fs.readFileSync(file, 'utf8'));
}

async function prepareTemplate(adminUrl: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${TEMPLATE} with (force)`);
    await admin.unsafe(`create database ${TEMPLATE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const u = new URL(adminUrl);
  u.pathname = `/${TEMPLATE}`;
  await migrate({ url: u.toString() });
}

const HOME_PREFIX = 'blotter-test-';
const OWNER_FILE = 'owner.pid';
const homes = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Servers left by a run that was killed outright (SIGKILL gives no chance to clean up):
// each test home names the run that owns it, and one whose run is gone is stopped here.
async function sweepOrphans(): Promise<void> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(HOME_PREFIX)) continue;
    const home = path.join(os.tmpdir(), name);
    const file = path.join(home, OWNER_FILE);
    const owner = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : NaN;
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue;
    process.stdout.write(`# stopping the server left by an earlier run (pid ${owner}) under ${home}\n`);
    await tearDown(home);
  }
}

async function bringUp(server: Server): Promise<Ready> {
  let home: string | undefined;
  let adminUrl = server.url;
  try {
    if (!adminUrl) {
      home = makeTempHome(HOME_PREFIX);
      homes.add(home);
      fs.writeFileSync(path.join(home, OWNER_FILE), String(process.pid));
      // Tests never need durability across an OS crash; fsync off keeps them fast.
      const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' };
      adminUrl = (await startServer({ home, binDir: server.binDir, settings })).url;
    }
    await prepareTemplate(adminUrl);
    return { ...server, adminUrl, home, binDirResolved: server.binDir ?? await embeddedBinDir() };
  } catch (err) {
    if (home) await tearDown(home);
    throw err;
  }
}

async function tearDown(home: string): Promise<void> {
  await stopServer(home).catch(() => {});
  fs.rmSync(home, { recursive: true, force: true });
  homes.delete(home);
}

// tap's output, passed through line by line; `drop` silences a line we expect and say
// better ourselves.
function runTap(env: NodeJS.ProcessEnv, args: string[], drop?: RegExp): Promise<{ code: number; pass: number; fail: number; linesPct: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve('node_modules/tap/dist/esm/run.mjs'), ...args], {
      env, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let partial = '';
    const write = (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (!drop?.test(line)) process.stdout.write(line + '\n');
    };
    child.stdout.on('data', (d: Buffer) => {
      write(d.toString());
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      write('\n');
      const summary = [...out.matchAll(/^# \{ total: \d+(.*)\}$/gm)].pop()?.[1] ?? '';
      const num = (k: string) => Number(new RegExp(`${k}: (\\d+)`).exec(summary)?.[1] ?? 0);
      const lines = /^Lines\s*:\s*([\d.]+)%/m.exec(out);
      resolve({ code: code ?? 1, pass: num('pass'), fail: num('fail'), linesPct: lines ? Number(lines[1]) : null });
    });
  });
}

// An interrupted run still stops the servers it started.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    void Promise.allSettled([...homes].map((h) => tearDown(h))).finally(() => process.exit(130));
  });
}

const started = Date.now();
const { files: named, options } = splitArgs(process.argv.slice(2));
const fullRun = named.length === 0 && options.length === 0;
let passed = 0;
let failed = 0;
let exitCode = 0;
const list = servers();
await sweepOrphans();
// Both servers start (and migrate their templates) at once, before any test runs.
const ready = list.map((s) => bringUp(s));
for (const p of ready) p.catch(() => {});
for (const [i, server] of list.entries()) {
  process.stdout.write(`# ---- suite on ${server.label} ----\n`);
  let r: Ready | undefined;
  try {
    r = await ready[i]!;
    let files = named;
    if (!server.allFiles) {
      const candidates = named.length ? named : testFiles(TEST_DIR);
      files = candidates.filter(databaseFacing);
      const skipped = candidates.filter((f) => !files.includes(f));
      if (skipped.length) process.stdout.write(`# not database-facing, run on the first server only: ${skipped.join(', ')}\n`);
      if (files.length === 0) {
        process.stdout.write(`# ${server.label}: no database-facing files to run\n`);
        continue;
      }
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BLOTTER_TEST_ADMIN_URL: r.adminUrl,
      BLOTTER_TEST_TEMPLATE: TEMPLATE,
      BLOTTER_TEST_PG_BIN: r.binDirResolved,
      BLOTTER_TEST_SERVER: server.label,
      // The suite starts hundreds of `blotter` processes: with Node's compile cache each
      // starts ~0.25 s sooner and ~35 MB smaller (as bin/blotter.js does for users).
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(os.tmpdir(), 'blotter-test-compile-cache'),
    };
    delete env.DATABASE_URL;
    // Coverage is measured on the first run, and its floor checked here (on lines) rather
    // than by tap, whose own thresholds (100% of everything) are set to zero so that a
    // passing run does not print errors. Later runs repeat files on another server.
    // (tap reports whatever lies in .tap/coverage even when told not to collect any, so a
    // later run reports nothing rather than the first run's figures again.)
    const zero = ['--statements=0', '--branches=0', '--functions=0', '--lines=0'];
    const coverage = i === 0 ? ['--coverage-report=text-summary', ...zero] : ['--disable-coverage', '--coverage-report=none', ...zero];
    const args = [`--jobs=${JOBS}`, ...coverage, ...options, ...(i === 0 ? named : files)];
    const t = await runTap(env, args, i === 0 ? undefined : /^# No coverage generated$/);
    passed += t.pass;
    failed += t.fail;
    if (t.code !== 0) exitCode = 1;
    if (t.fail === 0 && t.code !== 0) failed += 1; // tap failed without a failing test (a crash)
    process.stdout.write(`# ${server.label}: ${t.pass} passed, ${t.fail} failed (tap exit ${t.code})\n`);
    if (i === 0 && fullRun) {
      if (t.linesPct === null) {
        process.stdout.write('# coverage summary missing\n');
        exitCode = 1;
      } else if (t.linesPct < COVERAGE_FLOOR_LINES) {
        process.stdout.write(`# line coverage ${t.linesPct}% is below the floor of ${COVERAGE_FLOOR_LINES}%\n`);
        exitCode = 1;
      } else {
        process.stdout.write(`# line coverage ${t.linesPct}% (floor ${COVERAGE_FLOOR_LINES}%)\n`);
      }
    }
  } catch (err) {
    process.stdout.write(`# suite on ${server.label} could not run: ${(err as Error).message}\n`);
    failed += 1;
    exitCode = 1;
  } finally {
    if (r?.home) await tearDown(r.home);
  }
}
// A server that started but whose turn never came (a crash above) is stopped too.
await Promise.allSettled(ready);
await Promise.allSettled([...homes].map((h) => tearDown(h)));
process.stdout.write(`# suite time ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = exitCode || (failed > 0 ? 1 : 0);
