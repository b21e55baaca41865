// npm test: the whole tap suite against a real PostgreSQL, once per server available:
// the embedded PostgreSQL 18, then PostgreSQL 15 when its binaries are on the machine
// (BLOTTER_TEST_PG15_BIN, default /usr/lib/postgresql/15/bin). With DATABASE_URL set, one
// run against that server instead (the role needs CREATEDB and CREATEROLE).
// Each run migrates a template database once; every test file clones it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { migrate } from '../agent/db/migrate.ts';
import { embeddedBinDir, makeTempHome, startServer, stopServer } from '../agent/db/server.ts';

const TEMPLATE = 'blotter_template';
const COVERAGE_FLOOR_LINES = 80;

type Server = { label: string; binDir?: string; url?: string };

function servers(): Server[] {
  if (process.env.DATABASE_URL) return [{ label: 'DATABASE_URL', url: process.env.DATABASE_URL }];
  const list: Server[] = [{ label: 'embedded PostgreSQL 18' }];
  const pg15 = process.env.BLOTTER_TEST_PG15_BIN ?? '/usr/lib/postgresql/15/bin';
  if (fs.existsSync(path.join(pg15, 'postgres'))) list.push({ label: 'PostgreSQL 15', binDir: pg15 });
  else process.stdout.write(`# PostgreSQL 15 not found at ${pg15}: the suite runs on the embedded server only\n`);
  return list;
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

function runTap(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; pass: number; fail: number; linesPct: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve('node_modules/tap/dist/esm/run.mjs'), ...args], {
      env, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const summary = [...out.matchAll(/^# \{ total: \d+(.*)\}$/gm)].pop()?.[1] ?? '';
      const num = (k: string) => Number(new RegExp(`${k}: (\\d+)`).exec(summary)?.[1] ?? 0);
      const lines = /^Lines\s*:\s*([\d.]+)%/m.exec(out);
      resolve({ code: code ?? 1, pass: num('pass'), fail: num('fail'), linesPct: lines ? Number(lines[1]) : null });
    });
  });
}

const tapArgs = process.argv.slice(2);
// An interrupted run still stops the server it started.
let currentHome: string | undefined;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    const home = currentHome;
    void (home ? stopServer(home).catch(() => {}) : Promise.resolve()).finally(() => process.exit(130));
  });
}
let passed = 0;
let failed = 0;
let exitCode = 0;
const list = servers();
for (const [i, server] of list.entries()) {
  process.stdout.write(`# ---- suite on ${server.label} ----\n`);
  let home: string | undefined;
  let adminUrl = server.url;
  try {
    if (!adminUrl) {
      home = makeTempHome('blotter-test-');
      currentHome = home;
      // Tests never need durability across an OS crash; fsync off keeps them fast.
      const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' };
      adminUrl = (await startServer({ home, binDir: server.binDir, settings })).url;
    }
    await prepareTemplate(adminUrl);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BLOTTER_TEST_ADMIN_URL: adminUrl,
      BLOTTER_TEST_TEMPLATE: TEMPLATE,
      BLOTTER_TEST_PG_BIN: server.binDir ?? await embeddedBinDir(),
      BLOTTER_TEST_SERVER: server.label,
    };
    delete env.DATABASE_URL;
    // Coverage is measured on the first run; later runs repeat the suite on another server.
    const coverage = ['--allow-incomplete-coverage', i === 0 ? '--coverage-report=text-summary' : '--coverage-report=none'];
    const r = await runTap(env, [...coverage, ...tapArgs]);
    passed += r.pass;
    failed += r.fail;
    if (r.code !== 0) exitCode = 1;
    if (r.fail === 0 && r.code !== 0) failed += 1; // tap failed without a failing test (a crash)
    process.stdout.write(`# ${server.label}: ${r.pass} passed, ${r.fail} failed (tap exit ${r.code})\n`);
    if (i === 0 && tapArgs.length === 0) {
      if (r.linesPct === null) {
        process.stdout.write('# coverage summary missing\n');
        exitCode = 1;
      } else if (r.linesPct < COVERAGE_FLOOR_LINES) {
        process.stdout.write(`# line coverage ${r.linesPct}% is below the floor of ${COVERAGE_FLOOR_LINES}%\n`);
        exitCode = 1;
      }
    }
  } catch (err) {
    process.stdout.write(`# suite on ${server.label} could not run: ${(err as Error).message}\n`);
    failed += 1;
    exitCode = 1;
  } finally {
    if (home) {
      await stopServer(home).catch(() => {});
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = exitCode || (failed > 0 ? 1 : 0);
