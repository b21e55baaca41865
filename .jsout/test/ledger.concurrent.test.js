// Four connections appending to one stream at once yield one valid, gapless chain: the
// stream's advisory lock serialises writers, and each reads the head its predecessor left.
import t from 'tap';
import postgres from 'postgres';
import { appendBatch } from "../agent/ledger/copy.js";
import { verifyLedger } from "../agent/ledger/verify.js";
import { testDb } from "./helpers/db.js";
const { url, sql } = await testDb(t);
const WRITERS = 4;
const BATCHES = 25;
const PER_BATCH = 8;
function ev(writer, b, i, stream) {
    return {
        stream, occurredAt: new Date().toISOString(), source: 'bot', eventType: 'tick', entityType: null,
        entityId: null, account: null, actor: `w${writer}`, sessionId: null,
        idempotencyKey: `${stream}-w${writer}-b${b}-i${i}`, payload: JSON.stringify({ writer, b, i }),
    };
}
t.test('four writers, one stream, COPY batches', async (t) => {
    const conns = [...Array(WRITERS).keys()].map(() => postgres(url, { max: 1, onnotice: () => { } }));
    t.teardown(() => Promise.all(conns.map((c) => c.end({ timeout: 5 }))));
    const results = await Promise.all(conns.map(async (c, w) => {
        let appended = 0;
        for (let b = 0; b < BATCHES; b++) {
            const r = await appendBatch(c, [...Array(PER_BATCH).keys()].map((i) => ev(w, b, i, 'hot')));
            appended += r.appended;
        }
        return appended;
    }));
    t.same(results, Array(WRITERS).fill(BATCHES * PER_BATCH));
    const [stats] = await sql `select count(*)::int as n, min(stream_seq)::int as lo, max(stream_seq)::int as hi,
                                   count(distinct stream_seq)::int as d from ledger.events where stream = 'hot'`;
    const total = WRITERS * BATCHES * PER_BATCH;
    t.same(stats, { n: total, lo: 1, hi: total, d: total }, 'gapless and unique');
    // Each writer's batch of 8 stays contiguous: the lock is held for the whole transaction.
    const runs = await sql `select actor, stream_seq from ledger.events where stream = 'hot' order by stream_seq`;
    let contiguous = true;
    for (let i = 0; i < runs.length; i += PER_BATCH) {
        if (new Set(runs.slice(i, i + PER_BATCH).map((r) => r.actor)).size !== 1)
            contiguous = false;
    }
    t.ok(contiguous, 'every batch occupies consecutive positions');
    t.same((await sql `select * from ledger.verify('hot')`)[0].reason, null);
    t.ok((await verifyLedger(sql, { stream: 'hot' }))[0].ok);
});
t.test('four writers, single-row inserts, two streams each in opposite orders (no deadlock)', async (t) => {
    const conns = [...Array(WRITERS).keys()].map(() => postgres(url, { max: 1, onnotice: () => { } }));
    t.teardown(() => Promise.all(conns.map((c) => c.end({ timeout: 5 }))));
    await Promise.all(conns.map(async (c, w) => {
        for (let b = 0; b < 20; b++) {
            // appendBatch sorts by stream, so every writer locks a then b whatever order it sent.
            const batch = w % 2 === 0 ? [ev(w, b, 0, 'pair-a'), ev(w, b, 1, 'pair-b')] : [ev(w, b, 0, 'pair-b'), ev(w, b, 1, 'pair-a')];
            await appendBatch(c, batch);
            await c `insert into ledger.events (stream, occurred_at, source, event_type, payload) values ('single', now(), 'bot', 'x', ${c.json({ w, b })})`;
        }
    }));
    const rows = await sql `select stream, count(*)::int as n, max(stream_seq)::int as m from ledger.events where stream in ('pair-a', 'pair-b', 'single') group by stream order by 1`;
    t.same(rows.map((r) => [r.stream, r.n, r.m]), [['pair-a', 80, 80], ['pair-b', 80, 80], ['single', 80, 80]]);
    t.ok((await sql `select * from ledger.verify()`).every((r) => r.reason === null));
});
