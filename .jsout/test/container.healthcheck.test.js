// The container's HEALTHCHECK (bin/healthcheck.js) passes against a live agent and fails,
// saying why, against a wrong token, nothing listening, or an agent that does not answer
// within the deadline; it finds the token in the agent's token file when none is
// configured, and --ready asks readiness. Method: run the script as the image does, with
// only the environment a container would give it, against an in-process agent.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import t from 'tap';
import { inProcessAgent, tempHome, TOKEN } from "./helpers/agent.js";
import { testDb } from "./helpers/db.js";
const SCRIPT = path.resolve(import.meta.dirname, '..', 'bin', 'healthcheck.js');
const { url } = await testDb(t);
const agent = await inProcessAgent(t, url);
function check(env, ...args) {
    return new Promise((resolve) => {
        execFile(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr });
        });
    });
}
t.test('a live agent passes, for liveness and readiness', async (t) => {
    const env = { BLOTTER_HOME: agent.home, BLOTTER_INGEST_PORT: String(agent.port), BLOTTER_INGEST_TOKEN: TOKEN };
    const live = await check(env);
    t.equal(live.code, 0, live.out);
    t.match(live.out, /^ok/);
    t.equal((await check(env, '--ready')).code, 0);
});
t.test('the token file under BLOTTER_HOME serves when no token is configured', async (t) => {
    const home = tempHome(t);
    fs.writeFileSync(path.join(home, 'ingest-token'), TOKEN + '\n', { mode: 0o600 });
    const r = await check({ BLOTTER_HOME: home, BLOTTER_INGEST_PORT: String(agent.port) });
    t.equal(r.code, 0, r.out);
});
t.test('a wrong token, nothing listening, or no answer in time: exit 1 with the reason', async (t) => {
    const wrong = await check({ BLOTTER_HOME: agent.home, BLOTTER_INGEST_PORT: String(agent.port), BLOTTER_INGEST_TOKEN: 'wrong' });
    t.equal(wrong.code, 1);
    t.match(wrong.out, /unhealthy: .*401/);
    const silent = http.createServer(() => { });
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = silent.address().port;
    const started = Date.now();
    const hung = await check({ BLOTTER_HOME: agent.home, BLOTTER_INGEST_PORT: String(port), BLOTTER_INGEST_TOKEN: TOKEN }, '--timeout-ms=500');
    t.equal(hung.code, 1);
    t.match(hung.out, /no answer within 500 ms/);
    t.ok(Date.now() - started < 10_000, 'gives up at its deadline');
    silent.closeAllConnections();
    silent.close();
    const gone = await check({ BLOTTER_HOME: agent.home, BLOTTER_INGEST_PORT: String(port), BLOTTER_INGEST_TOKEN: TOKEN });
    t.equal(gone.code, 1);
    t.match(gone.out, /unhealthy: /);
});
