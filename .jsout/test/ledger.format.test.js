// The test vectors of docs/ledger-format.md hold for both implementations: the SQL the
// trigger uses and the TypeScript `blotter verify` uses. The vectors are read from the doc
// itself, so the doc cannot drift from the code.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { canonicalBytes, quoteNullable, rowHash, PG_EPOCH_US, GENESIS_HASH } from "../agent/ledger/format.js";
import { ROOT, testDb } from "./helpers/db.js";
const doc = fs.readFileSync(path.join(ROOT, 'docs', 'ledger-format.md'), 'utf8');
const block = /## Test vectors[\s\S]*?```json\n([\s\S]*?)\n```/.exec(doc);
const vectors = JSON.parse(block[1]);
function us(iso) {
    // RFC 3339 with up to 6 fractional digits, to exact microseconds since the Unix epoch.
    const m = /^(.*?)(?:\.(\d{1,6}))?Z$/.exec(iso);
    return BigInt(Date.parse(m[1] + 'Z')) * 1000n + BigInt((m[2] ?? '').padEnd(6, '0'));
}
t.ok(vectors.length >= 3, 'the doc holds at least three vectors');
t.test('TypeScript reproduces every vector', async (t) => {
    for (const v of vectors) {
        const row = {
            stream: v.stream, streamSeq: BigInt(v.stream_seq), recordedAtUs: us(v.recorded_at), occurredAtUs: us(v.occurred_at),
            source: v.source, eventType: v.event_type, entityType: v.entity_type, entityId: v.entity_id, account: v.account,
            actor: v.actor, sessionId: v.session_id, idempotencyKey: v.idempotency_key, payload: v.payload,
        };
        t.equal(canonicalBytes(row).toString('hex'), v.canonical_hex, `${v.name}: canonical bytes`);
        t.equal(rowHash(Buffer.from(v.prev_hash, 'hex'), row).toString('hex'), v.hash, `${v.name}: hash`);
    }
    t.equal(vectors[1].prev_hash, vectors[0].hash, 'the second vector chains onto the first');
});
t.test('SQL reproduces every vector, whatever the session settings', async (t) => {
    const { sql } = await testDb(t);
    for (const settings of [
        { TimeZone: 'UTC', DateStyle: 'ISO, MDY', extra_float_digits: '1' },
        { TimeZone: 'Asia/Kolkata', DateStyle: 'SQL, DMY', extra_float_digits: '-3' },
    ]) {
        await sql.begin(async (tx) => {
            for (const [k, v] of Object.entries(settings))
                await tx `select set_config(${k}, ${v}, true)`;
            for (const v of vectors) {
                const [r] = await tx `
          select encode(c, 'hex') as canonical, encode(sha256(decode(${v.prev_hash}, 'hex') || c), 'hex') as hash
            from (select ledger.canonical_bytes(${v.stream}, ${v.stream_seq}::bigint, ${v.recorded_at}::text::timestamptz,
                    ${v.occurred_at}::text::timestamptz, ${v.source}, ${v.event_type}, ${v.entity_type}, ${v.entity_id},
                    ${v.account}, ${v.actor}, ${v.session_id}, ${v.idempotency_key}, (${v.payload}::text)::jsonb) as c) x`;
                t.equal(r.canonical, v.canonical_hex, `${v.name} (${settings.TimeZone})`);
                t.equal(r.hash, v.hash);
            }
        });
    }
});
t.test('the trigger stores exactly the hash of the vectors', async (t) => {
    const { sql } = await testDb(t);
    // As superuser, recorded_at can be given, so the first vector can be replayed as a real insert.
    const v = vectors[0];
    await sql `insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, payload)
            values (${v.stream}, ${v.recorded_at}::text::timestamptz, ${v.occurred_at}::text::timestamptz, ${v.source}, ${v.event_type}, (${v.payload}::text)::jsonb)`;
    const [r] = await sql `select encode(hash, 'hex') as hash, encode(prev_hash, 'hex') as prev from ledger.events`;
    t.same(r, { hash: v.hash, prev: GENESIS_HASH.toString('hex') });
});
t.test('quoteNullable matches PostgreSQL quote_nullable on awkward text', async (t) => {
    const { sql } = await testDb(t);
    const samples = [null, '', "'", "''", '\\', "\\'", 'a,b', 'NULL', 'E\'x\'', 'tab\there', 'line\nbreak', 'Zürich €', '😀', ' lead'];
    for (const s of samples) {
        const [r] = await sql `select quote_nullable(${s}::text) as q`;
        t.equal(quoteNullable(s), r.q, JSON.stringify(s));
    }
    t.equal(PG_EPOCH_US, BigInt(Date.UTC(2000, 0, 1)) * 1000n);
});
