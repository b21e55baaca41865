// A backup taken while the ledger takes writes restores into a fresh home whose chain
// verifies and which holds every event acknowledged before the backup's "consistent
// through" time. Method: a real embedded server under its own BLOTTER_HOME; two writers
// append batches through the code `blotter append` runs (COPY into the ledger, one
// transaction a batch), each batch's idempotency keys noted once its commit returned;
// `blotter backup` runs as a child process in the middle of that; `blotter restore` puts
// it into a new home; `blotter verify` there must pass and every noted key acknowledged
// before consistentThrough must be present. Keys acknowledged later may or may not be:
// nothing is asserted about them but that the chain holding them verifies.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import postgres from 'postgres';
import { makeTempHome } from "../agent/db/server.js";
import { parseAnyEventLine } from "../agent/ingest/vocabulary.js";
import { appendNdjson } from "../agent/ledger/append.js";
import { eventLine, runCli } from "./helpers/db.js";
// Two servers, a bulk load and a restore: minutes on a loaded machine.
t.setTimeout(600_000);
const root = makeTempHome('blotter-backup-load-');
const home = path.join(root, 'home');
const restored = path.join(root, 'restored');
const out = path.join(root, 'backup-1');
const env = { BLOTTER_HOME: home, BLOTTER_PG_BIN: process.env.BLOTTER_TEST_PG_BIN, DATABASE_URL: '', BLOTTER_DATABASE_URL: '' };
const restoredEnv = { ...env, BLOTTER_HOME: restored };
t.teardown(async () => {
    await runCli(['db', 'stop'], { env });
    await runCli(['db', 'stop'], { env: restoredEnv });
    fs.rmSync(root, { recursive: true, force: true });
});
// Appends batches until stopped; returns every acknowledged batch with the time its commit
// returned. A failed batch fails the test: the load must be real.
function writer(url, name, line, batch) {
    const sql = postgres(url, { max: 1, onnotice: () => { } });
    const acks = [];
    let stopping = false;
    const done = (async () => {
        for (let n = 0; !stopping && n < 100_000; n++) {
            const keys = Array.from({ length: batch }, (_, i) => `${name}:${n}:${i}`);
            const r = await appendNdjson(sql, Readable.from(keys.map((k, i) => line(k, i) + '\n')), { parse: parseAnyEventLine });
            if (r.appended !== batch)
                throw new Error(`${name} batch ${n}: appended ${r.appended} of ${batch}`);
            acks.push({ keys, at: Date.now() });
        }
    })().finally(() => sql.end({ timeout: 5 }));
    return { acks, stop: async () => { stopping = true; await done; } };
}
t.test('backup under write load, restore into a fresh home: verify passes, every acknowledged event is there', async (t) => {
    t.equal((await runCli(['db', 'start'], { env })).code, 0);
    const m = await runCli(['migrate'], { env });
    t.equal(m.code, 0, m.stderr);
    const url = (await runCli(['db', 'url'], { env })).stdout.trim();
    // Some bulk first, so that copying the data directory takes a while under the load.
    const bulk = Array.from({ length: 20_000 }, (_, i) => eventLine({ source: 'system', event_type: 'backup_bulk', stream: 'bulk', idempotency_key: `bulk:${i}`, payload: { i, pad: 'x'.repeat(200) } })).join('\n');
    t.match((await runCli(['append', '-'], { env, input: bulk })).stdout, /appended 20000/);
    const bot = writer(url, 'bot', (k) => eventLine({ idempotency_key: k, payload: { signal_id: k, strategy: 'load', features: { k } } }), 5);
    const sys = writer(url, 'sys', (k, i) => eventLine({ source: 'system', event_type: 'backup_load', stream: 'load', idempotency_key: k, payload: { i } }), 20);
    let consistentThrough = NaN;
    try {
        while (bot.acks.length < 20 || sys.acks.length < 20)
            await new Promise((r) => setTimeout(r, 10));
        const b = await runCli(['backup', '--out', out, '--json'], { env, timeoutMs: 120_000 });
        t.equal(b.code, 0, b.stderr);
        const r = JSON.parse(b.stdout);
        t.comment(`backup: ${r.files} files, ${(r.bytes / 1048576).toFixed(1)} MiB, ${r.walSegments} WAL segments, ${r.seconds.toFixed(2)} s`);
        t.equal(r.heads, 3, 'the heads of bot, bulk and load are recorded');
        // A little more load after the backup, which the restore may or may not hold.
        await new Promise((res) => setTimeout(res, 200));
        consistentThrough = Date.parse(r.consistentThrough);
    }
    finally {
        await bot.stop();
        await sys.stop();
    }
    const acks = [...bot.acks, ...sys.acks];
    const before = acks.filter((a) => a.at < consistentThrough).flatMap((a) => a.keys);
    const after = acks.filter((a) => a.at >= consistentThrough).flatMap((a) => a.keys);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'backup.json'), 'utf8'));
    const during = acks.filter((a) => a.at >= Date.parse(manifest.startedAt) && a.at < consistentThrough).length;
    t.ok(during > 0, `batches were acknowledged while the backup ran (${during})`);
    t.ok(after.length > 0, 'and after it');
    const src = postgres(url, { max: 1, onnotice: () => { } });
    t.teardown(() => src.end({ timeout: 5 }));
    t.same(await src `select slot_name from pg_replication_slots`, [], 'the backup left no replication slot behind');
    const rs = await runCli(['restore', '--from', out, '--home', restored, '--json'], { env, timeoutMs: 120_000 });
    t.equal(rs.code, 0, rs.stderr);
    t.equal(JSON.parse(rs.stdout).heads, 3);
    const v = await runCli(['verify'], { env: restoredEnv, timeoutMs: 120_000 });
    t.equal(v.code, 0, v.stdout + v.stderr);
    t.match(v.stdout, /ok {7}bulk: 20000 rows/);
    t.match(v.stdout, /chain intact/);
    t.equal((await runCli(['db', 'start'], { env: restoredEnv })).code, 0);
    const dst = postgres((await runCli(['db', 'url'], { env: restoredEnv })).stdout.trim(), { max: 1, onnotice: () => { } });
    t.teardown(() => dst.end({ timeout: 5 }));
    const present = new Set((await dst `select idempotency_key from ledger.events where stream in ('bot', 'load')`).map((x) => x.idempotency_key));
    const lost = before.filter((k) => !present.has(k));
    t.same(lost.slice(0, 10), [], `all ${before.length} events acknowledged before consistentThrough are restored`);
    t.comment(`${after.filter((k) => present.has(k)).length} of ${after.length} events acknowledged later are there too`);
    const [bulk2] = await dst `select count(*)::int as n from ledger.events where stream = 'bulk'`;
    t.equal(bulk2.n, 20_000);
    // The restored home is a working one: it takes new events.
    t.match((await runCli(['append', '-'], { env: restoredEnv, input: eventLine({ idempotency_key: 'after-restore' }) })).stdout, /appended 1/);
    t.equal((await runCli(['verify'], { env: restoredEnv })).code, 0);
});
