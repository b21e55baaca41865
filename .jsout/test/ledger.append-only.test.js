// The journal is append-only for every role, the owner and a superuser included, and each
// role holds only the privileges it needs.
import t from 'tap';
import { testDb } from "./helpers/db.js";
const { sql } = await testDb(t);
await sql `insert into ledger.events (stream, occurred_at, source, event_type, idempotency_key, payload)
          values ('ao', now(), 'bot', 'x', 'ao-1', '{"a": 1}'), ('ao', now(), 'bot', 'x', 'ao-2', '{"a": 2}')`;
const [part] = await sql `select tableoid::regclass::text as p from ledger.events limit 1`;
async function as(role, fn) {
    return sql.begin(async (tx) => {
        if (role)
            await tx.unsafe(`set local role ${role}`);
        return fn(tx);
    });
}
for (const role of [null, 'blotter_owner', 'blotter_agent']) {
    const who = role ?? 'superuser';
    t.test(`${who}: UPDATE, DELETE and TRUNCATE are refused`, async (t) => {
        const refused = role === 'blotter_agent' ? /permission denied|append-only/ : /append-only/;
        await t.rejects(as(role, (tx) => tx `update ledger.events set payload = '{}'`), { message: refused });
        await t.rejects(as(role, (tx) => tx `delete from ledger.events where stream = 'ao'`), { message: refused });
        await t.rejects(as(role, (tx) => tx `truncate ledger.events`), { message: refused });
        await t.rejects(as(role, (tx) => tx.unsafe(`truncate ${part.p}`)), { message: refused }, 'one partition');
        await t.rejects(as(role, (tx) => tx `truncate ledger.events_default`), { message: refused }, 'the default partition');
        await t.rejects(as(role, (tx) => tx `delete from ledger.idempotency_keys`), { message: refused });
        await t.rejects(as(role, (tx) => tx `delete from ledger.streams`), { message: refused });
        await t.rejects(as(role, (tx) => tx `update ledger.idempotency_keys set seq = 0`), { message: refused });
    });
}
t.test('the refusal names the table and says what to do instead', async (t) => {
    const err = await as(null, (tx) => tx `delete from ledger.events`).catch((e) => e);
    t.match(err.message, /^DELETE on ledger\.events_\w+ is not allowed: the ledger is append-only$/);
    t.equal(err.code, '42501');
    t.match(err.hint, /correcting event/);
});
t.test('blotter_agent can append but not choose positions, hashes or times, nor read', async (t) => {
    await as('blotter_agent', (tx) => tx `insert into ledger.events (stream, occurred_at, source, event_type, payload) values ('agent', now(), 'bot', 'x', '{}')`);
    t.equal((await sql `select count(*)::int as n from ledger.events where stream = 'agent'`)[0].n, 1);
    for (const col of ['stream_seq', 'hash', 'prev_hash', 'recorded_at', 'seq']) {
        const value = col === 'recorded_at' ? '2020-01-01' : col.endsWith('hash') ? '\\x00' : '1';
        await t.rejects(as('blotter_agent', (tx) => tx.unsafe(`insert into ledger.events (stream, occurred_at, source, event_type, payload, ${col}) values ('agent', now(), 'bot', 'x', '{}', $1)`, [value])), { message: /permission denied/ }, `cannot set ${col}`);
    }
    await t.rejects(as('blotter_agent', (tx) => tx `select * from ledger.events`), { message: /permission denied/ });
    await t.rejects(as('blotter_agent', (tx) => tx `insert into ledger.streams values ('x', 1, '\\x00', now())`), { message: /permission denied/ });
    await t.rejects(as('blotter_agent', (tx) => tx `insert into ledger.idempotency_keys values ('x', 1)`), { message: /permission denied/ });
    t.same((await as('blotter_agent', (tx) => tx `select count(*)::int as n from ledger.streams`))[0].n >= 1, true, 'reads heads');
});
t.test('blotter_auditor reads and verifies; blotter_bi and blotter_reviewer see nothing of the ledger', async (t) => {
    const rows = await as('blotter_auditor', (tx) => tx `select * from ledger.verify()`);
    t.ok(rows.every((r) => r.reason === null));
    await t.rejects(as('blotter_auditor', (tx) => tx `insert into ledger.events (stream, occurred_at, source, event_type, payload) values ('x', now(), 'bot', 'x', '{}')`), { message: /permission denied/ });
    for (const role of ['blotter_bi', 'blotter_reviewer']) {
        await t.rejects(as(role, (tx) => tx `select count(*) from ledger.events`), { message: /permission denied/ }, role);
    }
});
t.test('the re-runnable files really re-run: functions and policies applied twice change nothing', async (t) => {
    const { migrate } = await import("../agent/db/migrate.js");
    const { url } = await testDb(t);
    const before = await (await import('postgres')).default(url, { max: 1, onnotice: () => { } });
    t.teardown(() => before.end({ timeout: 5 }));
    const r1 = await migrate({ url });
    const r2 = await migrate({ url });
    t.same([r1.applied, r2.applied], [[], []]);
    await before `insert into ledger.events (stream, occurred_at, source, event_type, payload) values ('rerun', now(), 'bot', 'x', '{}')`;
    const triggers = await before `select tgname from pg_trigger where tgrelid = 'ledger.events'::regclass and not tgisinternal order by 1`;
    t.same(triggers.map((r) => r.tgname), ['_100_append_only', '_100_begin_statement', '_110_no_truncate', '_150_personal_data', '_200_chain',
        '_250_enqueue_recon_after_fill', '_260_request_reports_refresh', '_300_end_statement']);
});
