// The chain holds: across monthly partitions, across several streams, through duplicates,
// rolled-back transactions and savepoints; both verifiers (SQL and TypeScript) agree.
import t from 'tap';
import { appendBatch } from "../agent/ledger/copy.js";
import { verifyLedger } from "../agent/ledger/verify.js";
import { testDb } from "./helpers/db.js";
function ev(stream, i, key = null) {
    return {
        stream, occurredAt: `2026-11-26T14:30:${String(i % 60).padStart(2, '0')}.000001Z`, source: 'bot', eventType: 'signal',
        entityType: null, entityId: `e${i}`, account: 'DU1', actor: null, sessionId: null, idempotencyKey: key,
        payload: JSON.stringify({ i, px: '123.456789' }),
    };
}
const { sql } = await testDb(t);
async function sqlVerify(stream) {
    return stream === undefined ? sql `select * from ledger.verify()` : sql `select * from ledger.verify(${stream})`;
}
t.test('several streams in one batch chain independently and gaplessly', async (t) => {
    const batch = [...Array(30).keys()].map((i) => ev(`s${i % 3}`, i));
    const r = await appendBatch(sql, batch);
    t.same(r, { appended: 30, duplicates: 0 });
    const rows = await sql `select stream, array_agg(stream_seq::int order by stream_seq) as seqs from ledger.events group by stream order by stream`;
    t.same(rows.map((x) => [x.stream, x.seqs]), [['s0', [...Array(10).keys()].map((i) => i + 1)], ['s1', [...Array(10).keys()].map((i) => i + 1)], ['s2', [...Array(10).keys()].map((i) => i + 1)]]);
    const first = await sql `select prev_hash from ledger.events where stream_seq = 1`;
    t.ok(first.every((x) => x.prev_hash.equals(Buffer.alloc(32))), 'first row of each stream links to the genesis hash');
    const heads = await sql `select stream, stream_seq::int as n from ledger.streams order by stream`;
    t.same(heads.map((h) => [h.stream, h.n]), [['s0', 10], ['s1', 10], ['s2', 10]]);
    t.ok((await sqlVerify()).every((x) => x.reason === null));
    t.ok((await verifyLedger(sql)).every((x) => x.ok));
});
t.test('interleaved streams within one statement and across statements of one transaction', async (t) => {
    await sql.begin(async (tx) => {
        await tx `insert into ledger.events (stream, occurred_at, source, event_type, payload)
             select 'mix' || (i % 4), now(), 'bot', 'tick', jsonb_build_object('i', i) from generate_series(1, 40) i`;
        await tx `insert into ledger.events (stream, occurred_at, source, event_type, payload)
             select 'mix' || (i % 4), now(), 'bot', 'tick', jsonb_build_object('i', i) from generate_series(41, 60) i`;
    });
    const counts = await sql `select stream, count(*)::int as n, max(stream_seq)::int as m from ledger.events where stream like 'mix%' group by stream order by 1`;
    t.same(counts.map((c) => [c.n, c.m]), [[15, 15], [15, 15], [15, 15], [15, 15]]);
    t.ok((await sqlVerify()).every((x) => x.reason === null));
    t.ok((await verifyLedger(sql)).every((x) => x.ok));
});
t.test('the chain holds across monthly partitions and the default partition', async (t) => {
    // recorded_at is the ledger's to assign; only the owner/superuser can backdate, as here.
    const months = ['2026-09-15', '2026-10-15', '2026-11-15', '2030-01-15'];
    for (const [i, m] of months.entries()) {
        await sql `insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, payload)
              values ('parts', ${m + 'T12:00:00Z'}, now(), 'system', 'tick', ${sql.json({ i })})`;
    }
    const parts = await sql `select tableoid::regclass::text as part from ledger.events where stream = 'parts' order by stream_seq`;
    t.same(parts.map((p) => p.part), ['ledger.events_default', 'ledger.events_default', 'ledger.events_202611', 'ledger.events_default']);
    t.same((await sqlVerify('parts'))[0].reason, null);
    t.same((await verifyLedger(sql, { stream: 'parts' }))[0].ok, true);
});
t.test('duplicates are dropped silently, before they take a chain position', async (t) => {
    const r1 = await appendBatch(sql, [ev('dup', 1, 'k1'), ev('dup', 2, 'k2'), ev('dup', 3, 'k1')]);
    t.same(r1, { appended: 2, duplicates: 1 }, 'a key repeated within one batch');
    const r2 = await appendBatch(sql, [ev('dup', 4, 'k2'), ev('dup', 5, 'k3'), ev('other', 6, 'k1')]);
    t.same(r2, { appended: 1, duplicates: 2 }, 'keys seen before, also on another stream');
    const rows = await sql `select stream_seq::int as s, idempotency_key as k from ledger.events where stream = 'dup' order by stream_seq`;
    t.same(rows.map((x) => [x.s, x.k]), [[1, 'k1'], [2, 'k2'], [3, 'k3']]);
    t.equal((await sql `select count(*)::int as n from ledger.events where stream = 'other'`)[0].n, 0);
    const r3 = await appendBatch(sql, [ev('dup', 7, 'k1')]);
    t.same(r3, { appended: 0, duplicates: 1 }, 'a batch of only duplicates');
    t.same((await sqlVerify('dup'))[0].reason, null);
});
t.test('a rolled-back transaction leaves no gap, nor does a rolled-back savepoint', async (t) => {
    await appendBatch(sql, [ev('rb', 1, 'rb1')]);
    await sql.begin(async (tx) => {
        await tx `insert into ledger.events (stream, occurred_at, source, event_type, idempotency_key, payload) values ('rb', now(), 'bot', 'x', 'rb2', '{}')`;
        throw new Error('abandon');
    }).catch((err) => t.equal(err.message, 'abandon'));
    await sql.begin(async (tx) => {
        await tx.savepoint(async (sp) => {
            await sp `insert into ledger.events (stream, occurred_at, source, event_type, idempotency_key, payload) values ('rb', now(), 'bot', 'x', 'rb3', '{}')`;
            throw new Error('undo savepoint');
        }).catch(() => { });
        await tx `insert into ledger.events (stream, occurred_at, source, event_type, idempotency_key, payload) values ('rb', now(), 'bot', 'x', 'rb4', '{}')`;
    });
    await appendBatch(sql, [ev('rb', 5, 'rb2')]);
    const rows = await sql `select stream_seq::int as s, idempotency_key as k from ledger.events where stream = 'rb' order by stream_seq`;
    t.same(rows.map((x) => [x.s, x.k]), [[1, 'rb1'], [2, 'rb4'], [3, 'rb2']], 'rolled-back keys are free again and seqs stay gapless');
    t.same((await sqlVerify('rb'))[0].reason, null);
    t.same((await verifyLedger(sql, { stream: 'rb' }))[0].ok, true);
});
t.test('the chain trigger refuses what would fork the chain', async (t) => {
    await t.rejects(sql.begin('isolation level repeatable read', (tx) => tx `insert into ledger.events (stream, occurred_at, source, event_type, payload) values ('iso', now(), 'bot', 'x', '{}')`), { message: /READ COMMITTED/ }, 'repeatable read would read a stale head');
    // A running head forged in a setting before the statement is ignored: the statement's
    // own nonce does not match it, so the head is read from ledger.streams.
    await appendBatch(sql, [ev('forge', 1)]);
    await sql.begin(async (tx) => {
        await tx `select set_config('blotter.run', ${'5:forge' + 'ab'.repeat(32) + '41'}, true)`;
        await tx `select set_config('blotter.c' || md5('forge'), ${'0'.repeat(32) + 'ab'.repeat(32) + '41:forge'}, true)`;
        await tx `insert into ledger.events (stream, occurred_at, source, event_type, payload) values ('forge', now(), 'bot', 'x', '{}')`;
    });
    const rows = await sql `select stream_seq::int as s from ledger.events where stream = 'forge' order by 1`;
    t.same(rows.map((x) => x.s), [1, 2]);
    t.same((await sqlVerify('forge'))[0].reason, null);
});
t.test('SQL and TypeScript verifiers agree on an intact ledger', async (t) => {
    const s = await sqlVerify();
    const ts = await verifyLedger(sql);
    t.same(ts.map((r) => [r.stream, r.rowsChecked, r.ok]), s.map((r) => [r.stream, Number(r.rows_checked), r.reason === null]));
});
