// The ingest path end to end: an agent (`blotter start`, a child process) on a fresh
// embedded database, driven over loopback HTTP from this process with batches of 500
// events. Reports sustained throughput (acknowledged, then committed and chained), ack
// latency at a fixed offered load of 5,000 events/s, the agent's peak RSS, and the cost
// of one logger call in the hot path.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { loadConfig } from '../agent/config.ts';
import { makeTempHome, startServer, stopServer } from '../agent/db/server.ts';
import { DbLogSink } from '../agent/log/db-sink.ts';
import { createLoggers } from '../agent/log/logger.ts';

const TOKEN = 'bench-token-0123456789';
const CLI = path.resolve(import.meta.dirname, '..', 'agent', 'cli.ts');

function batch(start: number, size: number): string {
  const items = [];
  for (let i = start; i < start + size; i++) {
    items.push({
      event_type: 'execution', occurred_at: '2026-11-26T14:30:00.000001Z', account: 'DU1234567', idempotency_key: `bench:exec:${i}`,
      payload: { exec_id: `0000e0d5.${i}.01.01`, client_order_id: String(i >> 2), contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 }, side: 'BUY', quantity: String((i % 500) + 1), price: '187.25' },
    });
  }
  return JSON.stringify(items);
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 });
function send(port: number, body: string): Promise<{ status: number; ms: number; timing: string }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/events', method: 'POST', agent: keepAlive,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - t0) / 1e6, timing: String(res.headers['server-timing'] ?? '') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { n: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' } }, strict: false });
  const n = Number(values.n ?? 200_000);
  const latencySeconds = Number(values.seconds ?? 20);
  const size = 500;
  const home = makeTempHome('blotter-bench-ingest-');
  const server = await startServer({ home, binDir: process.env.BLOTTER_PG_BIN || undefined });
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const env = { ...process.env, DATABASE_URL: server.url, BLOTTER_HOME: home, BLOTTER_INGEST_PORT: '0', BLOTTER_INGEST_TOKEN: TOKEN, BLOTTER_LOGGING_HANDLERS_CONSOLE_ENABLED: 'false', BLOTTER_JOBS_ENABLED: 'false' };
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const on = (d: Buffer) => {
        out += d;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      };
      child.stdout.on('data', on);
      child.stderr.on('data', on);
      child.on('exit', (c) => reject(new Error(`agent exited ${c}: ${out}`)));
    });
    const committed = async () => Number((await sql`select coalesce(sum(stream_seq), 0)::bigint::text as n from ledger.streams`)[0]!.n);

    // Warm-up, not measured.
    for (let i = 0; i < 4; i++) await send(port, batch(-(i + 1) * size, size));
    const base = await committed();

    // Sustained: as fast as the agent acknowledges, 4 requests in flight.
    const bodies = Array.from({ length: Math.ceil(n / size) }, (_, b) => batch(b * size, size));
    const t0 = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        let r = await send(port, body);
        while (r.status === 503) {
          await new Promise((res) => setTimeout(res, 50));
          r = await send(port, body);
        }
        if (r.status !== 202) throw new Error(`status ${r.status}`);
      }
    }));
    const ackedS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (process.env.BENCH_DEBUG) {
      const h = await new Promise<string>((resolve) => http.get({ host: '127.0.0.1', port, path: '/v1/health', headers: { authorization: `Bearer ${TOKEN}` } }, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }));
      process.stderr.write(`after blast: ${JSON.stringify(JSON.parse(h).memory)} peak ${peakRssMb(child.pid!)}MB\n`);
    }
    while ((await committed()) < base + bodies.length * size) await new Promise((r) => setTimeout(r, 20));
    const totalS = Number(process.hrtime.bigint() - t0) / 1e9;

    // Latency at a fixed offered load: 10 requests of 500 a second = 5,000 events/s.
    const lat: number[] = [];
    const start = Date.now();
    let k = 0;
    const inflight: Promise<void>[] = [];
    while (Date.now() - start < latencySeconds * 1000) {
      const body = batch(10_000_000 + k * size, size);
      inflight.push(send(port, body).then((r) => {
        if (r.status === 202) lat.push(r.ms);
        if (process.env.BENCH_DEBUG && k % 20 === 0) process.stderr.write(`${r.ms.toFixed(1)}ms ${r.timing}\n`);
      }));
      k++;
      const due = start + k * 100;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
    await Promise.all(inflight);
    const rss = peakRssMb(child.pid!);

    // One logger call with the shipped sinks (file and database) in this process.
    const logHome = makeTempHome('blotter-bench-log-');
    const cfg = loadConfig({ env: {} }).logging;
    cfg.handlers.console.enabled = false;
    const sink = new DbLogSink({ batchSize: cfg.handlers.database.batch_size, flushMs: cfg.handlers.database.flush_ms, queueMax: cfg.handlers.database.queue_max });
    sink.attach(sql);
    const logs = await createLoggers({ config: cfg, home: logHome, dbSink: sink });
    const log = logs.category('execution');
    const calls = 20_000;
    let spent = 0n;
    for (let round = 0; round < 10; round++) {
      const l0 = process.hrtime.bigint();
      for (let i = 0; i < calls / 10; i++) log.info({ exec_id: '0000e0d5.1.01.01', qty: '100', px: '187.25' }, 'fill');
      spent += process.hrtime.bigint() - l0;
      await new Promise((r) => setTimeout(r, 5));
    }
    await logs.close();
    fs.rmSync(logHome, { recursive: true, force: true });

    return {
      case: 'ingest',
      n: bodies.length * size,
      batch: size,
      events_per_s: Math.round((bodies.length * size) / totalS),
      acked_events_per_s: Math.round((bodies.length * size) / ackedS),
      ack_p50_ms: Number(pct(lat, 50).toFixed(2)),
      ack_p99_ms: Number(pct(lat, 99).toFixed(2)),
      latency_samples: lat.length,
      rss_mb: rss,
      logger_call_us: Number((Number(spent) / 1000 / calls).toFixed(2)),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await sql.end({ timeout: 2 });
    await stopServer(home);
    fs.rmSync(home, { recursive: true, force: true });
  }
}
