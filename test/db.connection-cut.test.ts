// A database connection cut in the middle of a transaction costs that transaction, never
// the process. postgres.js 3.4.9 wrote sql.begin's ROLLBACK to a connection whose socket
// was gone and threw from a setImmediate, which ends Node (porsager/postgres#1208): the
// chaos run saw the agent die when PostgreSQL restarted or a connection was cut under the
// writer's COPY. agent/db/pg-hotfix.ts patches the driver as it loads (this suite loads it
// as bin/blotter.js does, through tap's node-arg). Method: a transaction through a TCP
// proxy that cuts every connection; once in this process (patched), once in a child
// process without the patch (the defect, kept visible so a fixed release is noticed).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import t from 'tap';
import { applied, patchConnectionSource } from '../agent/db/pg-hotfix.ts';
import { PgProxy } from '../scripts/chaos-proxy.ts';
import { ROOT, testDb } from './helpers/db.ts';

const { url, sql: direct } = await testDb(t);

// Cut once the transaction's query is running (a fixed delay raced the connection's
// start-up on a loaded machine: cut before the query, nothing was in flight to fail).
async function cutWhenRunning(proxy: PgProxy): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [r] = await direct`select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(5)%' and state = 'active'`;
    if (r!.n > 0) {
      proxy.cut();
      return;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('the query never ran');
}

async function proxied(t: { teardown: (fn: () => unknown) => void }): Promise<{ proxy: PgProxy; url: string }> {
  const u = new URL(url);
  const proxy = new PgProxy(Number(u.port));
  u.port = String(await proxy.listen());
  t.teardown(() => proxy.close());
  return { proxy, url: u.toString() };
}

t.test('the hotfix applies to the installed postgres.js', async (t) => {
  const source = fs.readFileSync(path.join(ROOT, 'node_modules', 'postgres', 'src', 'connection.js'), 'utf8');
  t.ok(patchConnectionSource(source), 'the lines it patches are there (a release that changed them needs a new look)');
  t.ok(applied, 'and it was applied to the driver this process loaded');
});

t.test('a transaction whose connection is cut rejects, and the same pool goes on', async (t) => {
  const { proxy, url: viaProxy } = await proxied(t);
  const sql = postgres(viaProxy, { max: 1, onnotice: () => {}, fetch_types: false });
  t.teardown(() => sql.end({ timeout: 1 }));
  const tx = sql.begin(async (tx) => {
    await tx`select pg_sleep(5)`;
  });
  await cutWhenRunning(proxy);
  await t.rejects(tx, { code: 'CONNECTION_CLOSED' });
  // The connection is made anew, not left believing a write is scheduled.
  const [row] = await sql`select 41 + 1 as n`;
  t.equal(row!.n, 42, 'the next query on the same pool is answered');
  const again = await sql.begin(async (tx) => (await tx`select 'ok' as s`)[0]!.s);
  t.equal(again, 'ok', 'and so is the next transaction');
});

t.test('without the hotfix the same cut ends the process (the defect it works around)', async (t) => {
  const { proxy, url: viaProxy } = await proxied(t);
  const script = `
    import postgres from 'postgres';
    const sql = postgres(${JSON.stringify(viaProxy)}, { max: 1, onnotice: () => {}, fetch_types: false });
    process.stdout.write('ready\\n');
    await sql.begin(async (tx) => { await tx\`select pg_sleep(5)\`; }).catch((e) => process.stdout.write('rejected ' + e.code + '\\n'));
    await new Promise((r) => setTimeout(r, 300));
    process.stdout.write('survived\\n');
    await sql.end({ timeout: 1 });`;
  // Not spawnSync: the proxy runs in this process's event loop.
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = { stdout: '', stderr: '' };
  proc.stdout.on('data', (d) => {
    child.stdout += d;
    if (child.stdout.includes('ready')) setTimeout(() => proxy.cut(), 500);
  });
  proc.stderr.on('data', (d) => { child.stderr += d; });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  await new Promise((r) => proc.once('close', r));
  clearTimeout(timer);
  t.notOk(child.stdout.includes('survived'), `postgres.js still crashes (if this fails, a release fixed porsager/postgres#1208: remove agent/db/pg-hotfix.ts): ${child.stdout}`);
  t.match(child.stderr, /Cannot read properties of null \(reading 'write'\)/);
});
