// The agent's lifecycle: graphile-worker runs in-process with the ensure_partitions cron
// task, and SIGTERM drains: every acknowledged event is in the ledger when it exits 0.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { childAgent, inProcessAgent, order, post, tempHome, until } from "./helpers/agent.js";
import { testDb } from "./helpers/db.js";
t.test('graphile-worker runs the ensure_partitions task, scheduled daily', async (t) => {
    const { url, sql } = await testDb(t);
    await inProcessAgent(t, url, { BLOTTER_JOBS_ENABLED: 'true', BLOTTER_JOBS_PARTITIONS_AHEAD: '6' });
    const [cron] = await sql `select count(*)::int as n from graphile_worker._private_known_crontabs where identifier = 'ensure_partitions'`;
    t.equal(cron.n, 1, 'the cron entry is registered');
    await sql `select graphile_worker.add_job('ensure_partitions', '{}'::json)`;
    await until(async () => (await sql `select count(*)::int as n from graphile_worker.jobs`)[0].n === 0, 20_000);
    const [n] = await sql `select count(*)::int as n from pg_inherits where inhparent = 'ledger.events'::regclass`;
    t.equal(n.n, 8, 'this month, six ahead and the default');
});
t.test('SIGTERM drains: acknowledged events are all written, exit 0', async (t) => {
    const { url, sql } = await testDb(t);
    const home = tempHome(t);
    // A slow writer, so events are still in the spool when the signal comes.
    const child = await childAgent(url, home, { BLOTTER_WRITER_BATCH_SIZE: '10', BLOTTER_WRITER_BATCH_WAIT_MS: '50' });
    const acked = [];
    for (let b = 0; b < 20; b++) {
        const r = await post(child.port, '/v1/events', Array.from({ length: 25 }, (_, i) => order(b * 25 + i)));
        t.equal(r.status, 202);
        acked.push(...r.body.items.map((i) => i.idempotency_key));
    }
    const exit = new Promise((resolve) => child.proc.once('exit', (code) => resolve(code)));
    child.proc.kill('SIGTERM');
    t.equal(await exit, 0, 'exits 0');
    const keys = (await sql `select idempotency_key as k from ledger.events order by 1`).map((r) => r.k);
    t.same(keys, acked.sort(), 'everything acknowledged was written before exit');
    const log = fs.readFileSync(path.join(home, 'logs', 'blotter.1.log'), 'utf8');
    t.match(log, /"msg":"agent stopping: draining"/);
    t.match(log, /"events":500,"msg":"agent stopped"/, 'the file sink has the last line');
});
t.test('a port already taken stops start-up cleanly, naming the port', async (t) => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', () => r()));
    t.teardown(() => new Promise((r) => blocker.close(() => r())));
    const port = blocker.address().port;
    const { url } = await testDb(t);
    const home = tempHome(t);
    const { runCli } = await import("./helpers/db.js");
    const { agentEnv } = await import("./helpers/agent.js");
    const r = await runCli(['start'], { env: agentEnv(url, home, { BLOTTER_INGEST_PORT: String(port) }), timeoutMs: 30_000 });
    t.equal(r.code, 2, `exits, does not hang: ${r.stderr.slice(0, 400)}`);
    t.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE \\[INGEST_LISTEN\\]`));
});
