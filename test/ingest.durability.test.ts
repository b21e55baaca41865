// Nothing acknowledged is lost, nothing is doubled: stopping the database mid-stream only
// grows the spool (and, past its quota, the API answers 503 with Retry-After); killing the
// agent with SIGKILL while a client keeps sending and retrying leaves the ledger with
// exactly the set of events the client saw acknowledged. An agent started while its
// database is down (a sidecar next to a database still booting) accepts into the spool,
// then migrates and writes once the database answers.
import t from 'tap';
import postgres from 'postgres';
import { makeTempHome, startServer, stopServer } from '../agent/db/server.ts';
import { childAgent, get, inProcessAgent, order, post, tempHome, until } from './helpers/agent.ts';

// Four agent starts (three after kill -9) and its own PostgreSQL: on a CI machine running
// six files at once one run took 106 s, past tap's 120 s default for the whole file.
t.setTimeout(300_000);
const home = makeTempHome('blotter-durability-');
const binDir = process.env.BLOTTER_TEST_PG_BIN;
const server = await startServer({ home, binDir, settings: { fsync: 'off' } });
t.teardown(async () => {
  await stopServer(home);
  (await import('node:fs')).rmSync(home, { recursive: true, force: true });
});

async function database(name: string): Promise<{ url: string; sql: postgres.Sql }> {
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  const sql = postgres(u.toString(), { max: 2, onnotice: () => {} });
  t.teardown(() => sql.end({ timeout: 1 }));
  return { url: u.toString(), sql };
}

async function keysIn(sql: postgres.Sql): Promise<string[]> {
  return (await sql`select idempotency_key as k from ledger.events order by 1`).map((r) => r.k as string);
}

t.test('the database stops mid-stream and comes back: nothing lost, nothing doubled', async (t) => {
  const { url, sql } = await database('outage');
  const agent = await inProcessAgent(t, url, { BLOTTER_WRITER_RETRY_MAX_MS: '200', BLOTTER_WRITER_BATCH_SIZE: '20' });
  const acked = new Set<string>();
  let n = 0;
  const send = async (batch: number) => {
    const items = Array.from({ length: batch }, () => order(++n));
    const r = await post(agent.port, '/v1/events', items);
    t.equal(r.status, 202, `batch ending ${n} acknowledged`);
    for (const i of r.body.items) if (i.status === 'accepted') acked.add(i.idempotency_key);
  };
  for (let i = 0; i < 5; i++) await send(10);
  await until(async () => (await keysIn(sql)).length === 50);

  await stopServer(home);
  for (let i = 0; i < 5; i++) await send(10);
  await until(async () => JSON.parse((await get(agent.port, '/v1/health')).text).database.reachable === false);
  const h = JSON.parse((await get(agent.port, '/v1/health')).text);
  t.equal(h.status, 'degraded');
  t.ok(h.spool.bytes > 0, 'the spool holds what the database could not take');
  t.ok(h.writer.errors > 0);

  await startServer({ home, binDir });
  for (let i = 0; i < 3; i++) await send(10);
  // A retry of acknowledged events after the outage is a duplicate, not a second copy.
  const retry = await post(agent.port, '/v1/events', [order(55), order(56)]);
  t.same(retry.body.items.map((i: { status: string }) => i.status), ['duplicate', 'duplicate']);
  await until(async () => (await keysIn(sql)).length === acked.size, 30_000);
  t.same(await keysIn(sql), [...acked].sort(), 'exactly the acknowledged events');
  t.same((await sql`select count(*)::int as n, count(distinct idempotency_key)::int as d from ledger.events`)[0], { n: 130, d: 130 });
  t.ok((await sql`select * from ledger.verify()`).every((r) => r.reason === null), 'the chain verifies');
  await until(async () => JSON.parse((await get(agent.port, '/v1/health')).text).spool.bytes === 0);
});

t.test('a full spool answers 503 with Retry-After and writes nothing of that request', async (t) => {
  const { url, sql } = await database('quota');
  const agent = await inProcessAgent(t, url, { BLOTTER_SPOOL_QUOTA: '1MB', BLOTTER_WRITER_RETRY_MAX_MS: '200' });
  await stopServer(home);
  t.teardown(() => startServer({ home, binDir }).then(() => undefined));
  let status = 202;
  let i = 0;
  let r: Awaited<ReturnType<typeof post>> | null = null;
  const acked = new Set<string>();
  while (status === 202 && i < 10_000) {
    r = await post(agent.port, '/v1/events', Array.from({ length: 50 }, () => ({ ...order(++i), payload: { ...order(i).payload, notes: 'n'.repeat(1000) } })));
    status = r.status;
    if (status === 202) for (const it of r.body.items) acked.add(it.idempotency_key);
  }
  t.equal(status, 503);
  t.equal(r!.headers.get('retry-after'), '5');
  t.match(r!.body.error, /quota is 1048576/);
  // Alive but not ready: a liveness probe must not restart it, a readiness probe says wait.
  const live = await get(agent.port, '/v1/health');
  t.equal(live.status, 200, 'alive');
  t.equal(JSON.parse(live.text).ready, false);
  const ready = await get(agent.port, '/v1/health?ready');
  t.equal(ready.status, 503, '?ready: 503 while the spool is full');
  t.match(JSON.parse(ready.text).reasons.join('\n'), /spool nearly full/);
  await startServer({ home, binDir });
  await until(async () => (await keysIn(sql)).length === acked.size, 30_000);
  t.same(await keysIn(sql), [...acked].sort(), 'the refused request left nothing; every acknowledged event landed');
  await until(async () => (await get(agent.port, '/v1/health?ready')).status === 200, 10_000);
  t.pass('ready again once the spool drained');
});

t.test('kill -9 of the agent while a client sends and retries: exactly the acknowledged set', async (t) => {
  const { url, sql } = await database('killed');
  const agentHome = tempHome(t);
  let child = await childAgent(url, agentHome, { BLOTTER_WRITER_BATCH_SIZE: '50' });
  t.teardown(() => child.proc.kill('SIGKILL'));
  const acked = new Set<string>();
  const pending: Record<string, unknown>[][] = [];
  let next = 0;
  let kills = 0;
  const sendOne = async (batch: Record<string, unknown>[]): Promise<boolean> => {
    try {
      const r = await post(child.port, '/v1/events', batch);
      if (r.status !== 202 && r.status !== 200) return false;
      for (const it of r.body.items) {
        if (it.status === 'rejected') throw new Error(`rejected: ${JSON.stringify(it)}`);
        acked.add(it.idempotency_key);
      }
      return true;
    } catch (err) {
      if ((err as Error).message.startsWith('rejected')) throw err;
      return false; // connection refused or reset: the client retries the same batch
    }
  };
  const deadline = Date.now() + 60_000;
  while ((next < 2000 || pending.length) && Date.now() < deadline) {
    const batch = pending.shift() ?? Array.from({ length: 20 }, () => order(++next));
    const ok = await sendOne(batch);
    if (!ok) {
      pending.unshift(batch);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Kill it three times, at different points of the stream, and start it again.
    if (kills < 3 && next >= (kills + 1) * 500) {
      kills++;
      const inflight = post(child.port, '/v1/events', Array.from({ length: 20 }, () => order(++next))).catch(() => null);
      child.proc.kill('SIGKILL');
      const r = await inflight;
      if (r && r.status === 202) for (const it of r.body.items) acked.add(it.idempotency_key);
      else pending.push(Array.from({ length: 20 }, (_, k) => order(next - 19 + k)));
      await new Promise((res) => child.proc.once('exit', res));
      child = await childAgent(url, agentHome, { BLOTTER_WRITER_BATCH_SIZE: '50' });
    }
  }
  t.equal(kills, 3, 'killed three times');
  t.equal(pending.length, 0, 'every batch was eventually acknowledged');
  await until(async () => (await keysIn(sql)).length >= acked.size, 30_000);
  const keys = await keysIn(sql);
  t.equal(keys.length, acked.size, 'no event twice, none missing');
  t.same(keys, [...acked].sort(), 'exactly the acknowledged set');
  t.ok((await sql`select * from ledger.verify()`).every((r) => r.reason === null), 'the chain verifies');
  child.proc.kill('SIGTERM');
  await new Promise((res) => child.proc.once('exit', res));
});

t.test('the agent starts while its database is down; it migrates and writes once the database answers', async (t) => {
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database late');
  await admin.end();
  const u = new URL(server.url);
  u.pathname = '/late';
  await stopServer(home);
  t.teardown(() => startServer({ home, binDir }).then(() => undefined));
  const agent = await inProcessAgent(t, u.toString(), { BLOTTER_WRITER_RETRY_MAX_MS: '300' });
  const r = await post(agent.port, '/v1/events', [order(1), order(2)]);
  t.equal(r.status, 202, 'accepted into the spool with no database');
  const h = JSON.parse((await get(agent.port, '/v1/health')).text);
  t.equal(h.status, 'degraded');
  t.equal(h.database.state, 'waiting');
  t.match(h.reasons[0], /database unreachable: .*ECONNREFUSED|database unreachable/);
  t.match(h.reasons[0], /events are kept in the spool/);
  t.equal(h.ready, true, 'ready without a database: the spool takes events');
  t.equal((await get(agent.port, '/v1/health?ready')).status, 200);
  await startServer({ home, binDir });
  const sql = postgres(u.toString(), { max: 1, onnotice: () => {} });
  t.teardown(() => sql.end({ timeout: 1 }));
  await until(async () => JSON.parse((await get(agent.port, '/v1/health')).text).status === 'ok', 30_000);
  await until(async () => (await sql`select count(*)::int as n from ledger.orders`)[0]!.n === 2, 10_000);
  t.pass('migrated the empty database and wrote what the spool held');
  const dup = await post(agent.port, '/v1/events', [order(1)]);
  t.equal(dup.body.items[0].status, 'duplicate');
});

t.test('a database that answers but refuses (wrong password) still stops start-up', async (t) => {
  const u = new URL(server.url);
  u.password = 'wrong';
  await t.rejects(inProcessAgent(t, u.toString()), { code: '28P01' });
});
