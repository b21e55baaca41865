// Tampering done as a superuser with triggers bypassed (session_replication_role = replica)
// is caught by both verifiers: ledger.verify() in SQL and `blotter verify` in TypeScript,
// and a rewritten tail by a digest written beforehand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli, testDb } from "./helpers/db.js";
const { url, sql } = await testDb(t);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-tamper-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
async function fill(stream, n) {
    await sql `insert into ledger.events (stream, occurred_at, source, event_type, payload)
            select ${stream}, now(), 'bot', 'fill', jsonb_build_object('i', i, 'px', '101.25') from generate_series(1, ${n}) i`;
}
// Runs tampering SQL with every trigger off, as only a superuser can.
async function tamper(statements) {
    await sql.begin(async (tx) => {
        await tx `set local session_replication_role = replica`;
        await statements(tx);
    });
}
async function both(stream, digest) {
    const sqlRow = (await sql `select * from ledger.verify(${stream})`)[0];
    const cli = await runCli(['verify', '--stream', stream, '--json', ...(digest ? ['--digest', digest] : [])], { env: { DATABASE_URL: url } });
    const ts = JSON.parse(cli.stdout).streams[0];
    return { sqlRow, ts, code: cli.code };
}
t.test('intact streams verify, exit 0', async (t) => {
    for (const s of ['pay', 'del', 'tail', 'head', 'link', 'rechain'])
        await fill(s, 6);
    const r = await runCli(['verify'], { env: { DATABASE_URL: url } });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /chain intact/);
});
const digestFile = path.join(dir, 'digest.json');
t.test('a digest is written before the tampering', async (t) => {
    const r = await runCli(['digest', '--out', digestFile], { env: { DATABASE_URL: url } });
    t.equal(r.code, 0, r.stderr);
    const d = JSON.parse(fs.readFileSync(digestFile, 'utf8'));
    t.equal(d.format, 'blotter-digest/1');
    t.same(d.streams.map((s) => [s.stream, s.streamSeq]).sort(), [['del', '6'], ['head', '6'], ['link', '6'], ['pay', '6'], ['rechain', '6'], ['tail', '6']]);
    t.equal((await sql `select count(*)::int as n from ledger.digests`)[0].n, 6, 'also recorded in ledger.digests');
});
t.test('a changed payload: hash mismatch at that row', async (t) => {
    await tamper((tx) => tx `update ledger.events set payload = '{"i": 3, "px": "999.00"}' where stream = 'pay' and stream_seq = 3`);
    const r = await both('pay');
    t.same([r.sqlRow.first_bad_stream_seq, r.sqlRow.reason], ['3', 'hash mismatch'], 'SQL');
    t.same([r.ts.firstBadStreamSeq, r.ts.reason, r.ts.ok], ['3', 'hash mismatch', false], 'TypeScript');
    t.equal(r.code, 1, 'exit 1 when tampered');
});
t.test('a deleted middle row: gap at the missing stream_seq', async (t) => {
    await tamper((tx) => tx `delete from ledger.events where stream = 'del' and stream_seq = 3`);
    const r = await both('del');
    t.same([r.sqlRow.first_bad_stream_seq, r.sqlRow.reason, r.sqlRow.rows_checked], ['3', 'gap', '5'], 'SQL');
    t.same([r.ts.firstBadStreamSeq, r.ts.reason, r.ts.rowsChecked], ['3', 'gap', 5], 'TypeScript');
    t.equal(r.code, 1);
});
t.test('a removed tail with the head rewritten: only the digest catches it', async (t) => {
    await tamper(async (tx) => {
        await tx `delete from ledger.events where stream = 'tail' and stream_seq > 4`;
        await tx `update ledger.streams s set stream_seq = 4, hash = e.hash from ledger.events e
              where s.stream = 'tail' and e.stream = 'tail' and e.stream_seq = 4`;
    });
    const plain = await both('tail');
    t.same([plain.sqlRow.reason, plain.ts.ok, plain.code], [null, true, 0], 'self-consistent without a digest');
    const r = await both('tail', digestFile);
    t.same([r.ts.firstBadStreamSeq, r.ts.reason], ['6', 'digest mismatch']);
    t.match(r.ts.detail, /names stream_seq 6, the stream ends at 4/);
    t.equal(r.code, 1);
});
t.test('a head row that disagrees with the last row: head mismatch', async (t) => {
    await tamper((tx) => tx `update ledger.streams set hash = sha256('x') where stream = 'head'`);
    const r = await both('head');
    t.same([r.sqlRow.first_bad_stream_seq, r.sqlRow.reason], ['6', 'head mismatch'], 'SQL');
    t.same([r.ts.firstBadStreamSeq, r.ts.reason], ['6', 'head mismatch'], 'TypeScript');
});
t.test('a row re-hashed onto a forged prev_hash: broken link', async (t) => {
    await tamper((tx) => tx `update ledger.events e set prev_hash = sha256('forged'),
      hash = sha256(sha256('forged') || ledger.canonical_bytes(e.stream, e.stream_seq, e.recorded_at, e.occurred_at,
        e.source, e.event_type, e.entity_type, e.entity_id, e.account, e.actor, e.session_id, e.idempotency_key, e.payload))
      where stream = 'link' and stream_seq = 2`);
    const r = await both('link');
    t.same([r.sqlRow.first_bad_stream_seq, r.sqlRow.reason], ['2', 'broken link'], 'SQL');
    t.same([r.ts.firstBadStreamSeq, r.ts.reason], ['2', 'broken link'], 'TypeScript');
});
t.test('a payload changed and the whole tail re-chained: the digest catches it', async (t) => {
    await tamper(async (tx) => {
        await tx `update ledger.events set payload = '{"i": 2, "px": "0.01"}' where stream = 'rechain' and stream_seq = 2`;
        // Recompute hashes 2..6 in order, then the head: a consistent forgery.
        for (let s = 2; s <= 6; s++) {
            await tx `update ledger.events e set prev_hash = p.hash,
          hash = sha256(p.hash || ledger.canonical_bytes(e.stream, e.stream_seq, e.recorded_at, e.occurred_at,
            e.source, e.event_type, e.entity_type, e.entity_id, e.account, e.actor, e.session_id, e.idempotency_key, e.payload))
        from ledger.events p where e.stream = 'rechain' and e.stream_seq = ${s} and p.stream = 'rechain' and p.stream_seq = ${s - 1}`;
        }
        await tx `update ledger.streams s set hash = e.hash from ledger.events e
              where s.stream = 'rechain' and e.stream = 'rechain' and e.stream_seq = 6`;
    });
    t.same((await both('rechain')).ts.ok, true, 'a full re-chain is self-consistent');
    const r = await both('rechain', digestFile);
    t.same([r.ts.firstBadStreamSeq, r.ts.reason], ['6', 'digest mismatch']);
});
t.test('the report covers every stream; text output names the first bad row', async (t) => {
    const r = await runCli(['verify'], { env: { DATABASE_URL: url } });
    t.equal(r.code, 1);
    t.match(r.stdout, /TAMPERED pay: 6 rows, first bad stream_seq 3: hash mismatch/);
    t.match(r.stdout, /TAMPERED del: 5 rows, first bad stream_seq 3: gap/);
    t.match(r.stdout, /chain TAMPERED/);
    const rows = await sql `select stream, reason from ledger.verify() order by stream`;
    t.same(rows.map((x) => [x.stream, x.reason]), [['del', 'gap'], ['head', 'head mismatch'], ['link', 'broken link'], ['pay', 'hash mismatch'], ['rechain', null], ['tail', null]]);
});
