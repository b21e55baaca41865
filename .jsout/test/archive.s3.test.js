// The S3 archive store against a real S3-compatible server (s3rver, started here on a free
// port over a temporary directory): files round-trip byte for byte, small ones in one
// PutObject and large ones in parts; list pages through more than 1000 names and returns
// them relative to the store's prefix, sorted; a missing key is ARCHIVE_MISSING; a bad
// key, a closed port, a server that never answers and a flaky one each end within a
// bounded time and number of attempts; no secret ever reaches a location or a message.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import t, {} from 'tap';
import { openStore, S3Store } from "../agent/archive/s3.js";
import { DirStore, sha256File } from "../agent/archive/store.js";
import { BlotterError } from "../agent/errors.js";
import { startS3rver } from "./helpers/s3.js";
const BUCKET = 'blotter-archive';
const KEY_ID = 'S3RVER';
const SECRET = 'S3RVER';
const MiB = 1024 * 1024;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-s3-'));
const server = await startS3rver(path.join(dir, 'server'));
const { port } = server;
const endpoint = `http://127.0.0.1:${port}`;
const raw = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET }, requestChecksumCalculation: 'WHEN_REQUIRED' });
await raw.send(new CreateBucketCommand({ Bucket: BUCKET }));
t.teardown(async () => {
    raw.destroy();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
});
const base = {
    location: `s3://${BUCKET}/ledger/prod`,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: KEY_ID,
    secretAccessKey: SECRET,
    retryBaseMs: 20,
    retryMaxMs: 100,
};
function store(t, extra = {}) {
    const s = new S3Store({ ...base, ...extra });
    t.teardown(() => s.close());
    return s;
}
// A file of SIZE random bytes, written in 1 MiB pieces.
function randomFile(name, size) {
    const f = path.join(dir, name);
    const fd = fs.openSync(f, 'w');
    for (let done = 0; done < size; done += MiB)
        fs.writeSync(fd, crypto.randomBytes(Math.min(MiB, size - done)));
    fs.closeSync(fd);
    return f;
}
async function refusal(p) {
    try {
        await p;
    }
    catch (err) {
        if (err instanceof BlotterError)
            return err;
        throw err;
    }
    throw new Error('expected a BlotterError');
}
t.test('files round-trip: one PutObject when small, a multipart upload when large', async (t) => {
    const s = store(t, { multipartThresholdBytes: 5 * MiB, partBytes: 5 * MiB });
    t.equal(s.location, `s3://${BUCKET}/ledger/prod`);
    const small = path.join(dir, 'small.json');
    fs.writeFileSync(small, '{"month":"2026-01"}\n');
    await s.put('manifests/2026-01/manifest.json', small);
    t.ok(await s.exists('manifests/2026-01/manifest.json'));
    t.notOk(await s.exists('manifests/2026-01/other.json'));
    const back = path.join(dir, 'small.back');
    await s.get('manifests/2026-01/manifest.json', back);
    t.equal(fs.readFileSync(back, 'utf8'), '{"month":"2026-01"}\n');
    const empty = path.join(dir, 'empty');
    fs.writeFileSync(empty, '');
    await s.put('events/2026-01/empty.parquet', empty);
    await s.get('events/2026-01/empty.parquet', back);
    t.equal(fs.statSync(back).size, 0, 'an empty file too');
    // 12 MiB in 5 MiB parts: three parts, the last short
    const size = 12 * MiB + 12345;
    const big = randomFile('big.parquet', size);
    let t0 = performance.now();
    await s.put('events/2026-01/events-2026-01.parquet', big);
    const putMs = performance.now() - t0;
    const bigBack = path.join(dir, 'big.back');
    t0 = performance.now();
    await s.get('events/2026-01/events-2026-01.parquet', bigBack);
    const getMs = performance.now() - t0;
    t.equal(await sha256File(bigBack), await sha256File(big), 'the multipart object is the file, byte for byte');
    t.same(await s.list('events/2026-01'), [
        { name: 'events/2026-01/empty.parquet', bytes: 0 },
        { name: 'events/2026-01/events-2026-01.parquet', bytes: size },
    ]);
    // the same file in one PutObject (the default threshold is 64 MiB)
    const single = store(t);
    t0 = performance.now();
    await single.put('events/2026-02/events-2026-02.parquet', big);
    const singleMs = performance.now() - t0;
    await single.get('events/2026-02/events-2026-02.parquet', bigBack);
    t.equal(await sha256File(bigBack), await sha256File(big), 'the single-put object too');
    const mb = size / 1e6;
    t.comment(`s3rver, ${mb.toFixed(1)} MB: multipart put ${(mb / (putMs / 1000)).toFixed(0)} MB/s, single put ${(mb / (singleMs / 1000)).toFixed(0)} MB/s, get ${(mb / (getMs / 1000)).toFixed(0)} MB/s`);
    // put replaces
    fs.writeFileSync(small, '{"month":"2026-01","v":2}\n');
    await s.put('manifests/2026-01/manifest.json', small);
    await s.get('manifests/2026-01/manifest.json', back);
    t.equal(fs.readFileSync(back, 'utf8'), '{"month":"2026-01","v":2}\n');
});
t.test('get of a missing key is ARCHIVE_MISSING naming bucket and key, and leaves no file', async (t) => {
    const s = store(t);
    const dest = path.join(dir, 'missing.back');
    const err = await refusal(s.get('events/1999-01/nothing.parquet', dest));
    t.equal(err.code, 'ARCHIVE_MISSING');
    t.match(err.message, `s3://${BUCKET}/ledger/prod/events/1999-01/nothing.parquet is missing`);
    t.match(err.message, /NoSuchKey/);
    t.notOk(fs.existsSync(dest));
    t.same(fs.readdirSync(dir).filter((f) => f.startsWith('missing.back')), [], 'no temporary file left either');
    t.equal((await refusal(s.put('../escape', path.join(dir, 'small.json')))).code, 'ARCHIVE_NAME', 'names that leave the prefix are refused');
    t.equal((await refusal(s.put('events/2026-03/x.parquet', path.join(dir, 'no-such-file')))).code, 'ARCHIVE_WRITE', 'a missing local file');
});
t.test('list: a directory prefix, names relative to the store, sorted, more than one page', async (t) => {
    const s = store(t);
    const putRaw = (key) => raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    // neighbours that must not appear: another month sharing the string prefix, another
    // store's prefix sharing the string prefix, a folder marker (alone: s3rver's files
    // cannot hold a key that is also a directory)
    await Promise.all(['ledger/prod/many/2026-010/x.parquet', 'ledger/prodx/many/2026-01/y.parquet', 'ledger/prod/markers/2026-01/', 'other/z'].map(putRaw));
    const names = Array.from({ length: 1003 }, (_, i) => `many/2026-01/part-${String(i).padStart(5, '0')}.parquet`);
    // 64 at a time: fast, and few enough for s3rver, which writes each object as two files
    for (let i = 0; i < names.length; i += 64)
        await Promise.all(names.slice(i, i + 64).map((n) => putRaw(`ledger/prod/${n}`)));
    const t0 = performance.now();
    const listed = await s.list('many/2026-01/');
    t.comment(`listed ${listed.length} names in ${(performance.now() - t0).toFixed(0)} ms`);
    t.equal(listed.length, 1003, 'two pages of ListObjectsV2 (1000 a page)');
    t.same(listed.map((f) => f.name), [...names].sort());
    t.same(await s.list('many/2026-01'), listed, 'with or without the trailing slash');
    t.same((await s.list('many')).map((f) => f.name).slice(0, 1)[0], 'many/2026-01/part-00000.parquet');
    t.ok((await s.list('many')).some((f) => f.name === 'many/2026-010/x.parquet'));
    t.same(await s.list('nothing/here'), []);
    t.same(await s.list('markers'), [], 'a folder marker is not a file');
    const rooted = store(t, { location: `s3://${BUCKET}` });
    t.ok((await rooted.list('')).some((f) => f.name === 'other/z'), 'a store at the bucket root sees the whole bucket');
    const capped = store(t, { listLimit: 1000 });
    const err = await refusal(capped.list('many'));
    t.equal(err.code, 'ARCHIVE_READ');
    t.match(err.message, /more than 1000 names \(listLimit\)/);
    t.equal((await refusal(s.list('../up'))).code, 'ARCHIVE_NAME');
});
t.test('faults end within a bounded time and number of attempts', async (t) => {
    // An unknown key: a refusal, not worth a retry; the secret is never in the message.
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const bad = store(t, { accessKeyId: 'AKIANOSUCHKEY', secretAccessKey: secret, attempts: 4 });
    let t0 = performance.now();
    const denied = await refusal(bad.put('events/2026-01/x.parquet', path.join(dir, 'small.json')));
    t.equal(denied.code, 'ARCHIVE_WRITE');
    t.match(denied.message, `writing ${path.join(dir, 'small.json')} to s3://${BUCKET}/ledger/prod/events/2026-01/x.parquet at ${endpoint}: InvalidAccessKeyId (HTTP 403)`);
    t.notMatch(denied.message, /after \d+ attempts/, 'a refusal is not retried');
    t.notOk(denied.message.includes(secret));
    t.notOk(bad.location.includes(secret));
    t.equal((await refusal(bad.list(''))).code, 'ARCHIVE_READ');
    t.equal((await refusal(bad.exists('events/2026-01/x.parquet'))).code, 'ARCHIVE_READ', 'exists: a 403 is an error, not "missing"');
    t.ok(performance.now() - t0 < 5000);
    // A closed port: connection refused, retried three times, then reported.
    const closed = await new Promise((resolve) => {
        const srv = net.createServer().listen(0, '127.0.0.1', () => {
            const p = srv.address().port;
            srv.close(() => resolve(p));
        });
    });
    const refused = store(t, { endpoint: `http://127.0.0.1:${closed}`, attempts: 3 });
    t0 = performance.now();
    const down = await refusal(refused.get('events/2026-01/x.parquet', path.join(dir, 'down.back')));
    t.equal(down.code, 'ARCHIVE_READ');
    t.match(down.message, new RegExp(`at http://127.0.0.1:${closed}: .*ECONNREFUSED.* \\(after 3 attempts\\)`));
    t.ok(performance.now() - t0 < 5000, 'refused connections: bounded');
    // A server that accepts and never answers: the idle timeout ends each attempt.
    const sockets = [];
    const hole = net.createServer((c) => sockets.push(c));
    await new Promise((r) => hole.listen(0, '127.0.0.1', r));
    t.teardown(() => {
        for (const c of sockets)
            c.destroy();
        hole.close();
    });
    const silent = store(t, { endpoint: `http://127.0.0.1:${hole.address().port}`, attempts: 2, socketTimeoutMs: 300 });
    t0 = performance.now();
    const hung = await refusal(silent.list('events'));
    const hungMs = performance.now() - t0;
    t.equal(hung.code, 'ARCHIVE_READ');
    t.match(hung.message, /timeout|timed out/i);
    t.match(hung.message, /after 2 attempts/);
    t.ok(hungMs >= 550 && hungMs < 3000, `a silent server: two 300 ms attempts (${hungMs.toFixed(0)} ms)`);
});
t.test('transient faults are retried, up to the limit', async (t) => {
    // A proxy in front of s3rver that answers 503 SlowDown to the first FAILS requests.
    let fails = 0;
    let seen = 0;
    const proxy = http.createServer((req, res) => {
        seen++;
        if (fails > 0) {
            fails--;
            req.resume();
            res.writeHead(503, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
            return;
        }
        const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
        });
        req.pipe(up);
    });
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
    t.teardown(() => proxy.close());
    const s = store(t, { endpoint: `http://127.0.0.1:${proxy.address().port}`, attempts: 3 });
    const f = path.join(dir, 'flaky.json');
    fs.writeFileSync(f, '{"flaky":true}\n');
    fails = 2;
    await s.put('flaky/2026-01/a.json', f);
    t.equal(seen, 3, 'two 503s, then the upload');
    const back = path.join(dir, 'flaky.back');
    await s.get('flaky/2026-01/a.json', back);
    t.equal(fs.readFileSync(back, 'utf8'), '{"flaky":true}\n');
    fails = 3;
    seen = 0;
    const err = await refusal(s.get('flaky/2026-01/a.json', back));
    t.equal(err.code, 'ARCHIVE_READ');
    t.match(err.message, /SlowDown \(HTTP 503\).*\(after 3 attempts\)/);
    t.equal(seen, 3, 'no fourth attempt');
});
t.test('locations and options never carry secrets; openStore picks the store', async (t) => {
    const leaky = await refusal(Promise.resolve().then(() => new S3Store({ ...base, location: `s3://AKIAX:${SECRET}topsecret@${BUCKET}/x` })));
    t.equal(leaky.code, 'ARCHIVE_LOCATION');
    t.notMatch(leaky.message, /topsecret/);
    const ep = await refusal(Promise.resolve().then(() => new S3Store({ ...base, endpoint: 'http://user:topsecret@127.0.0.1:9000' })));
    t.equal(ep.code, 'ARCHIVE_CONFIG');
    t.notMatch(ep.message, /topsecret/);
    t.equal((await refusal(Promise.resolve().then(() => new S3Store({ ...base, secretAccessKey: undefined })))).code, 'ARCHIVE_CONFIG', 'a key id without its secret');
    t.equal((await refusal(Promise.resolve().then(() => new S3Store({ ...base, partBytes: MiB })))).code, 'ARCHIVE_CONFIG', 'parts below S3\'s 5 MiB');
    t.equal((await refusal(Promise.resolve().then(() => new S3Store({ ...base, location: 's3://x' })))).code, 'ARCHIVE_LOCATION');
    const { location: _l, ...s3 } = base;
    const viaOpen = openStore(`s3://${BUCKET}/ledger/prod/`, s3);
    t.ok(viaOpen instanceof S3Store);
    t.equal(viaOpen.location, `s3://${BUCKET}/ledger/prod`);
    viaOpen.close();
    t.ok(openStore(path.join(dir, 'archive')) instanceof DirStore);
    t.equal((await refusal(Promise.resolve().then(() => openStore(`s3://${BUCKET}/x`)))).code, 'ARCHIVE_CONFIG', 's3:// without S3 options');
});
