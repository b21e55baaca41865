// Test databases: each test file gets its own database cloned from the migrated template
// that test/run.ts prepared, and drops it when done.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

type T = { teardown: (fn: () => unknown) => void };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The command's module itself; bin/blotter.js only checks the Node version, then loads it
// (spawning the .ts keeps the child process inside tap's coverage).
export const CLI = path.join(ROOT, 'agent', 'cli.ts');
export const BIN = path.join(ROOT, 'bin', 'blotter.js');
// What bin/blotter.js does first, for a child running the .ts directly: the postgres.js
// hotfix (agent/db/pg-hotfix.ts) must be registered before the driver loads.
export const NODE_ARGS = ['--import', path.join(ROOT, 'agent', 'db', 'pg-hotfix.ts')];

export function adminUrl(): string {
  const url = process.env.BLOTTER_TEST_ADMIN_URL;
  if (!url) throw new Error('BLOTTER_TEST_ADMIN_URL is not set: run the suite with `npm test`');
  return url;
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export type TestDb = { name: string; url: string; sql: postgres.Sql };

// A fresh migrated database for this test file.
export async function testDb(t: T, opts: { template?: boolean } = {}): Promise<TestDb> {
  const name = `t_${path.basename(process.argv[1] ?? 'x').replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`.toLowerCase();
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  const template = opts.template === false ? 'template0' : process.env.BLOTTER_TEST_TEMPLATE ?? 'blotter_template';
  await admin.unsafe(`create database ${name} template ${template}`);
  const url = withDatabase(adminUrl(), name);
  const sql = postgres(url, { max: 6, onnotice: () => {} });
  t.teardown(async () => {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  });
  return { name, url, sql };
}

export type CliResult = { code: number; stdout: string; stderr: string };

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; entry?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, opts.entry ?? CLI, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

// One NDJSON event line for tests.
export function eventLine(fields: Record<string, unknown>): string {
  return JSON.stringify({
    occurred_at: '2026-11-26T14:30:00.123456Z', source: 'bot', event_type: 'signal', payload: { signal_id: 'sig-1', strategy: 'test', features: { n: 1 } }, ...fields,
  });
}

// A login in one of blotter's roles (blotter_bi, ...), as a DBA would make one for a tool:
// connected, and dropped when the test ends.
export async function loginAs(t: T, db: TestDb, inRole: string, name: string): Promise<postgres.Sql> {
  const role = `${name}_${process.pid}`;
  await db.sql.unsafe(`create role ${role} login password 'test-pass' in role ${inRole}`);
  t.teardown(async () => { await db.sql.unsafe(`drop role if exists ${role}`).catch(() => {}); });
  const u = new URL(db.url);
  u.username = role;
  u.password = 'test-pass';
  const login = postgres(u.toString(), { max: 1, onnotice: () => {} });
  t.teardown(() => login.end({ timeout: 5 }));
  return login;
}
