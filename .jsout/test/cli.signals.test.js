// A signal sent to what the user started reaches the agent, which drains and exits:
// through `npm start` and `npm run blotter -- start` (npm runs the script through sh, which
// does not pass signals on unless it execs), through a shell that dies without passing it
// on (npx: the agent notices it was orphaned), and through bin/blotter.js re-running itself
// under the project's Node 24. A Ctrl-C that arrives twice (terminal and npm) still drains.
// Method: real processes on a test database; each case posts events, signals the outermost
// process, and then requires every process under it gone and every event in the ledger.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t, {} from 'tap';
import { agentEnv, childAgent, get, order, post, tempHome, until } from "./helpers/agent.js";
import { BIN, ROOT, testDb } from "./helpers/db.js";
// Every live process under pid (children, grandchildren, ...).
function descendants(pid) {
    const parentOf = new Map();
    for (const d of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(d))
            continue;
        try {
            const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
            parentOf.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
        }
        catch {
            // Gone meanwhile.
        }
    }
    const out = [];
    const walk = (p) => {
        for (const [child, parent] of parentOf)
            if (parent === p)
                out.push(child), walk(child);
    };
    walk(pid);
    return out;
}
function alive(pid) {
    try {
        process.kill(pid, 0);
        return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    }
    catch {
        return false;
    }
}
function launch(t, command, args, env) {
    return new Promise((resolve, reject) => {
        const proc = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
        // Whatever happens, nothing started here outlives the test.
        const all = new Set();
        const collect = setInterval(() => { for (const p of descendants(proc.pid))
            all.add(p); }, 100);
        t.teardown(() => {
            clearInterval(collect);
            for (const p of [proc.pid, ...all])
                if (alive(p))
                    process.kill(p, 'SIGKILL');
        });
        let out = '';
        const onData = (d) => {
            out += d.toString();
            const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
            if (m)
                resolve({ proc, port: Number(m[1]), output: () => out, exited });
        };
        proc.stdout.on('data', onData);
        proc.stderr.on('data', onData);
        void exited.then((e) => reject(new Error(`exited (${e.code ?? e.signal}) before listening: ${out}`)));
        setTimeout(() => reject(new Error(`did not start: ${out}`)), 60_000).unref();
    });
}
async function load(t, port, n) {
    const r = await post(port, '/v1/events', Array.from({ length: n }, (_, i) => order(i)));
    t.equal(r.status, 202);
    return r.body.items.map((i) => i.idempotency_key).sort();
}
async function written(sql) {
    return (await sql `select idempotency_key as k from ledger.events order by 1`).map((r) => r.k);
}
const GONE_MS = 30_000;
for (const [name, args] of [['npm start', ['start']], ['npm run blotter -- start', ['run', 'blotter', '--', 'start']]]) {
    t.test(`SIGTERM to ${name} reaches the agent, which drains before npm exits`, async (t) => {
        const { url, sql } = await testDb(t);
        const home = tempHome(t);
        const s = await launch(t, 'npm', [...args], agentEnv(url, home));
        t.equal((await get(s.port, '/v1/health')).status, 200, 'the agent answers');
        const acked = await load(t, s.port, 50);
        const under = descendants(s.proc.pid);
        t.ok(under.length > 0, `processes under npm: ${under.join(', ')}`);
        s.proc.kill('SIGTERM');
        const e = await s.exited;
        t.same(e, { code: 0, signal: null }, `npm exits 0 once the agent has: ${s.output().slice(-400)}`);
        t.same(under.filter(alive), [], 'nothing npm started is left when npm exits');
        t.same(await written(sql), acked, 'every acknowledged event was written');
        t.match(fs.readFileSync(path.join(home, 'logs', 'blotter.1.log'), 'utf8'), /"msg":"agent stopped"/);
    });
}
t.test('a shell that dies of the signal without passing it on (as under npx): the orphaned agent drains', async (t) => {
    const { url, sql } = await testDb(t);
    const home = tempHome(t);
    // `; true` keeps any sh from exec-ing node in its place.
    const s = await launch(t, 'sh', ['-c', `"${process.execPath}" "${BIN}" start; true`], { ...agentEnv(url, home), npm_lifecycle_event: 'npx' });
    const acked = await load(t, s.port, 20);
    const under = descendants(s.proc.pid);
    s.proc.kill('SIGTERM');
    await s.exited;
    await until(async () => under.filter(alive).length === 0, GONE_MS);
    t.pass('the agent is gone');
    t.same(await written(sql), acked, 'every acknowledged event was written');
    t.match(s.output(), /the process that started the agent \(pid \d+\) is gone: draining and stopping/);
});
t.test('Ctrl-C delivered twice at once (terminal and npm) drains, it does not kill', async (t) => {
    const { url, sql } = await testDb(t);
    const home = tempHome(t);
    const child = await childAgent(url, home, { BLOTTER_WRITER_BATCH_SIZE: '10', BLOTTER_WRITER_BATCH_WAIT_MS: '50' });
    const acked = await load(t, child.port, 200);
    const exit = new Promise((r) => child.proc.once('exit', (code, signal) => r([code, signal])));
    child.proc.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 20));
    child.proc.kill('SIGINT');
    t.same(await exit, [0, null], 'exits 0 after draining');
    t.same(await written(sql), acked);
});
// The system's own Node, when it is older than the project's: bin/blotter.js runs itself
// again under node_modules/.bin/node and passes signals and the exit code through.
const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => fs.existsSync(p));
const systemMajor = systemNode ? Number(/^v(\d+)/.exec(execFileSync(systemNode, ['--version'], { encoding: 'utf8' }))?.[1]) : NaN;
t.test('under an older system Node, bin/blotter.js re-runs itself with the project Node', { skip: !(systemMajor < 24) && `no Node older than 24 here (${systemNode ?? 'none'})` }, async (t) => {
    const { url, sql } = await testDb(t);
    const home = tempHome(t);
    const usage = spawn(systemNode, [BIN, 'verify', '--bogus'], { env: process.env });
    t.equal(await new Promise((r) => usage.once('exit', r)), 2, 'the exit code comes through');
    const s = await launch(t, systemNode, [BIN, 'start'], agentEnv(url, home));
    const acked = await load(t, s.port, 20);
    s.proc.kill('SIGTERM');
    t.same(await s.exited, { code: 0, signal: null });
    t.same(await written(sql), acked, 'the agent under it drained');
});
