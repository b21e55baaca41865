// The API under 5,000 generated bodies (fixed seed; `npm run fuzz` sends 100,000 with a
// fresh one): structure-aware mutations of valid events of every type, raw bytes, lying
// lengths and cut bodies. Proves: no 5xx but a designed 503, no crash or hang, every answer
// as the item was built (valid accepted, invalid rejected, refusals with their status),
// every accepted item in the ledger once with the content sent, nothing refused or
// rejected in it, duplicates and conflicts consistent with the content of their key, and
// an intact chain. Method: `blotter start` as a child process on this file's database,
// driven by scripts/fuzz-lib.ts, which compares its answers with the ledger.
import t from 'tap';
import { FUZZ_LIMITS, fuzzAgentEnv } from "../scripts/fuzz.js";
import { runFuzz } from "../scripts/fuzz-lib.js";
import { childAgent, TOKEN, tempHome } from "./helpers/agent.js";
import { testDb } from "./helpers/db.js";
const SEED = 20261126;
const N = 5000;
const { url, sql } = await testDb(t);
const home = tempHome(t);
const { BLOTTER_HOME: _home, DATABASE_URL: _url, BLOTTER_INGEST_TOKEN: _token, ...limits } = fuzzAgentEnv(url, home, TOKEN);
const agent = await childAgent(url, home, limits);
let exited = false;
agent.proc.on('exit', () => {
    exited = true;
});
t.teardown(async () => {
    if (exited)
        return;
    agent.proc.kill('SIGTERM');
    await new Promise((r) => agent.proc.once('exit', r));
});
t.test(`${N} generated bodies (seed ${SEED})`, async (t) => {
    const report = await runFuzz({ n: N, seed: SEED, port: agent.port, token: TOKEN, sql, alive: () => !exited, ...FUZZ_LIMITS });
    t.comment(report.summary);
    t.same(report.violations, [], 'no violation');
    t.equal(report.fiveHundreds, 0, 'no 5xx');
    t.equal(report.crashes, 0, 'the agent is alive');
    t.ok(report.accepted > N / 2 && report.rejected > N / 4, 'both sides of the door were exercised');
    if (report.violations.length)
        t.comment(`agent output:\n${agent.output().slice(-3000)}`);
});
