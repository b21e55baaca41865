// Chain status: the daily task records a verification as an event (as the agent's role),
// reports.chain_status shows each stream's result and what was appended since; a row
// edited behind the triggers' back (as a superuser) shows as a problem.
import pino from 'pino';
import postgres from 'postgres';
import t from 'tap';
import { run } from "../agent/jobs/verify_chain.js";
import { testDb } from "./helpers/db.js";
import { botFill, ibFill, put } from "./helpers/recon.js";
t.test('verify_chain records the outcome; chain_status reads it; tampering shows', async (t) => {
    const { sql, url } = await testDb(t);
    // as the agent runs it: its connections act as blotter_agent
    const agent = postgres(url, { max: 1, onnotice: () => { }, connection: { role: 'blotter_agent' } });
    t.teardown(() => agent.end({ timeout: 5 }));
    await put(sql, [ibFill('0000ab01.00000001.01.01'), ibFill('0000ab01.00000002.01.01'), botFill('0000ab01.00000001.01.01')]);
    const lines = [];
    const log = pino({ level: 'info' }, { write: (s) => { lines.push(JSON.parse(s)); } });
    await run({ sql: agent, log, timeoutMs: 60_000 })({}, {});
    t.match(lines.at(-1), { level: 30, msg: 'chain verified' });
    await put(sql, [botFill('0000ab01.00000002.01.01')]);
    const st = await sql `select stream, ok, rows_checked::int, rows_since::int, verified_at is not null as verified from reports.chain_status order by stream`;
    t.same(st, [
        { stream: 'bot', ok: true, rows_checked: 1, rows_since: 1, verified: true },
        { stream: 'ib:DU1234567', ok: true, rows_checked: 2, rows_since: 0, verified: true },
    ], 'per stream: verified, and one bot row since');
    // Edit a row behind the triggers' back, as only a superuser can.
    await sql.begin(async (tx) => {
        await tx `set local session_replication_role = replica`;
        await tx `update ledger.events set payload = jsonb_set(payload, '{price}', '"1.00"') where stream = 'bot' and stream_seq = 1`;
    });
    await run({ sql: agent, log, timeoutMs: 60_000 })({}, {});
    t.match(lines.at(-1), { level: 50, msg: /found problems/ });
    const [bad] = await sql `select ok, first_bad_stream_seq::int, reason from reports.chain_status where stream = 'bot'`;
    t.same(bad, { ok: false, first_bad_stream_seq: 1, reason: 'hash mismatch' });
    const [n] = await sql `select count(*)::int as n from ledger.events where stream = 'verify' and event_type = 'chain_verified'`;
    t.equal(n.n, 2, 'each verification is an event in the chain');
});
