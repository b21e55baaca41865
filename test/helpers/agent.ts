// An agent for tests: in this process (for API tests) or as a child `blotter start` (for
// kill -9), on a test database, with its own spool and log directory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAgent, type AgentHandle } from '../../agent/agent.ts';
import { loadConfig } from '../../agent/config.ts';
import { CLI, NODE_ARGS } from './db.ts';

type T = { teardown: (fn: () => unknown) => void };

export const TOKEN = 'test-token-0123456789abcdef';

export function agentEnv(url: string, home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: url,
    BLOTTER_HOME: home,
    BLOTTER_INGEST_PORT: '0',
    BLOTTER_INGEST_TOKEN: TOKEN,
    BLOTTER_LOGGING_HANDLERS_CONSOLE_ENABLED: 'false',
    BLOTTER_JOBS_ENABLED: 'false',
    BLOTTER_WRITER_BATCH_WAIT_MS: '5',
    // Tests assert duplicate and conflict answers: a busy CI machine must not turn them
    // into the accepted-then-dropped answer a 200 ms lookup gives up with.
    BLOTTER_INGEST_DUPLICATE_CHECK_MS: '5000',
    ...extra,
  };
}

export function tempHome(t: T): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-agent-'));
  fs.chmodSync(home, 0o755);
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  return home;
}

export async function inProcessAgent(t: T, url: string, extra: Record<string, string> = {}): Promise<AgentHandle & { home: string }> {
  const home = tempHome(t);
  const env = agentEnv(url, home, extra);
  const agent = await startAgent(loadConfig({ env }), { home, env });
  t.teardown(() => agent.stop());
  return { ...agent, home };
}

export type Child = { proc: ChildProcess; port: number; output: () => string };

// `blotter start` as a child process; resolves once it listens.
export function childAgent(url: string, home: string, extra: Record<string, string> = {}): Promise<Child> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...agentEnv(url, home, extra) };
    for (const k of Object.keys(env)) if (k.startsWith('BLOTTER_TEST_')) delete env[k];
    const proc = spawn(process.execPath, [...NODE_ARGS, CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ proc, port: Number(m[1]), output: () => out });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`agent exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`agent did not start: ${out}`)), 60_000).unref();
  });
}

export async function post(port: number, route: string, body: unknown, opts: { token?: string | null; type?: string; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/json' };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  const res = await fetch(`http://127.0.0.1:${port}${route}`, { method: 'POST', headers, body: opts.raw ?? JSON.stringify(body) });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

export async function get(port: number, route: string, token: string | null = TOKEN) {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export function order(i: number, extra: Record<string, unknown> = {}) {
  return {
    event_type: 'order_submitted', occurred_at: '2026-11-26T14:30:00.000001Z', account: 'DU1234567', idempotency_key: `order-${i}`,
    payload: { client_order_id: String(i), contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 }, side: 'BUY', quantity: '100', order_type: 'LMT', limit_price: '187.25', tif: 'DAY' },
    ...extra,
  };
}

export async function until(fn: () => Promise<boolean>, timeoutMs = 20_000, stepMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error('condition not met in time');
}
