// npm run fuzz -- [--n 100000] [--seed S] [--concurrency 6] [--url URL --token T --database-url DB]
// Sends N generated bodies to an agent and checks what it answered against the ledger
// (scripts/fuzz-lib.ts). By default it starts its own: a throwaway embedded PostgreSQL and
// `blotter start` as a child process, with small limits so 413s are cheap to reach. The
// seed is printed: `--seed S` sends the same bodies again. Exit 1 on any violation.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { makeTempHome, startServer, stopServer } from '../agent/db/server.ts';
import { listening } from './agent-child.ts';
import { runFuzz, type FuzzReport } from './fuzz-lib.ts';

const CLI = path.resolve(import.meta.dirname, '..', 'agent', 'cli.ts');
// What bin/blotter.js loads first (agent/db/pg-hotfix.ts): the child runs the .ts directly.
const HOTFIX = path.resolve(import.meta.dirname, '..', 'agent', 'db', 'pg-hotfix.ts');
const TOKEN = 'fuzz-token-0123456789abcdef';
export const FUZZ_LIMITS = { maxItems: 500, maxBody: 1024 * 1024 };

// The agent's environment for a fuzz run: small limits, a spool quota small enough that a
// burst can reach the designed 503, duplicate checks given time (a busy machine must not
// turn a duplicate into accepted-then-dropped).
export function fuzzAgentEnv(url: string, home: string, token: string): Record<string, string> {
  return {
    DATABASE_URL: url,
    BLOTTER_HOME: home,
    BLOTTER_INGEST_PORT: '0',
    BLOTTER_INGEST_TOKEN: token,
    BLOTTER_INGEST_MAX_ITEMS_PER_REQUEST: String(FUZZ_LIMITS.maxItems),
    BLOTTER_INGEST_MAX_BODY: String(FUZZ_LIMITS.maxBody),
    BLOTTER_INGEST_DUPLICATE_CHECK_MS: '5000',
    BLOTTER_SPOOL_QUOTA: '4MB',
    BLOTTER_LOGGING_HANDLERS_CONSOLE_ENABLED: 'false',
    BLOTTER_JOBS_ENABLED: 'false',
    BLOTTER_WRITER_BATCH_WAIT_MS: '5',
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { n: { type: 'string' }, seed: { type: 'string' }, concurrency: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, 'database-url': { type: 'string' },
      'max-items': { type: 'string' }, 'max-body': { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('usage: npm run fuzz -- [--n 100000] [--seed S] [--concurrency 6] [--url http://127.0.0.1:7600 --token T --database-url URL [--max-items N --max-body BYTES]] [--keep]\n');
    return 0;
  }
  const n = Number(values.n ?? 100_000);
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const concurrency = Number(values.concurrency ?? 6);
  process.stdout.write(`fuzz: seed ${seed} (replay with --seed ${seed})\n`);
  const progress = (line: string) => process.stderr.write(line + '\n');
  let report: FuzzReport;
  if (values.url) {
    if (!values.token || !values['database-url']) throw new Error('--url needs --token and --database-url (the ledger the agent writes to)');
    const u = new URL(values.url);
    const sql = postgres(values['database-url'], { max: 2, onnotice: () => {} });
    try {
      report = await runFuzz({ n, seed, host: u.hostname, port: Number(u.port || 80), token: values.token, sql, concurrency, progress, tag: `fz${seed}-${Date.now().toString(36)}`,
        maxItems: Number(values['max-items'] ?? 10_000), maxBody: Number(values['max-body'] ?? 16 * 1024 * 1024) });
    } finally {
      await sql.end({ timeout: 5 });
    }
  } else {
    const home = makeTempHome('blotter-fuzz-');
    const server = await startServer({ home, binDir: process.env.BLOTTER_PG_BIN || undefined });
    const sql = postgres(server.url, { max: 2, onnotice: () => {} });
    const env = { ...process.env, ...fuzzAgentEnv(server.url, home, TOKEN) };
    const child = spawn(process.execPath, ['--import', HOTFIX, CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const started = listening(child);
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    try {
      const port = await started.port;
      report = await runFuzz({ n, seed, port, token: TOKEN, sql, concurrency, progress, alive: () => !exited, ...FUZZ_LIMITS });
      if (exited) process.stderr.write(`agent output:\n${started.output().slice(-5000)}\n`);
      const rejected = path.join(home, 'spool', 'rejected.ndjson');
      if (fs.existsSync(rejected)) process.stderr.write(`spool/rejected.ndjson:\n${fs.readFileSync(rejected, 'utf8').slice(0, 5000)}\n`);
    } finally {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await sql.end({ timeout: 2 });
      await stopServer(home);
      if (values.keep) process.stderr.write(`fuzz: kept ${home} (agent logs in ${path.join(home, 'logs')})\n`);
      else fs.rmSync(home, { recursive: true, force: true });
    }
  }
  for (const v of report.violations) process.stderr.write(`violation: ${v}\n`);
  process.stderr.write(`statuses: ${JSON.stringify(report.statuses)}\n`);
  process.stdout.write(report.summary + '\n');
  return report.violations.length ? 1 : 0;
}

if (import.meta.main) process.exitCode = await main();
