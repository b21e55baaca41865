// Copies of one archive, each changed the way an attacker might (an edited file, an edited
// row with the manifest re-hashed, a deleted row, swapped files, a forged manifest, a bad
// signature, a removed month, garbage in place of a file): every one is caught offline.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { setup, tempDir } from "./helpers/archive.js";
// Many CLI runs (each loads DuckDB): minutes on a busy machine.
t.setTimeout(600_000);
// Copies of one archive, each changed the way an attacker might; every one is caught
// offline, with the kind of problem named.
t.test('a tampered archive is caught offline: edited row, deleted row, swapped files, forged manifest, bad signature', async (t) => {
    const { cli, home } = await setup(t);
    const dir = path.join(home, 'archive');
    const key = path.join(home, 'sign.key');
    t.equal((await cli(['digest', '--keygen', '--out', key])).code, 0);
    t.equal((await cli(['archive', '--to', dir, '--sign', key])).code, 0);
    t.equal((await cli(['verify-archive', dir, '--offline', '--public-key', `${key}.pub`])).code, 0);
    const { openDuck } = await import("../agent/archive/parquet.js");
    const { sha256File } = await import("../agent/archive/store.js");
    const copy = () => {
        const d = tempDir(t, 'blotter-tamper-');
        fs.cpSync(dir, d, { recursive: true });
        return d;
    };
    const rewrite = async (d, month, select, fixManifest) => {
        const file = path.join(d, 'ledger_events', month, `ledger_events-${month}.parquet`);
        const duck = await openDuck({ tempDir: d });
        await duck.con.run(`copy (${select.replace('FILE', `read_parquet('${file}')`)}) to '${file}.new' (format parquet)`);
        duck.close();
        fs.renameSync(`${file}.new`, file);
        if (fixManifest) {
            const mf = path.join(d, 'ledger_events', month, 'manifest.json');
            const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
            const sha = await sha256File(file);
            Object.assign(m.files[0], { sha256: sha, plain_sha256: sha, bytes: fs.statSync(file).size, plain_bytes: fs.statSync(file).size });
            fs.writeFileSync(mf, JSON.stringify(m, null, 2) + '\n');
        }
    };
    const check = async (d, extra = []) => cli(['verify-archive', d, '--offline', ...extra]);
    let d = copy();
    await rewrite(d, '2018-02', `select * replace (case when stream = 'a' and stream_seq = 50 then '{"i": 999}' else payload end as payload) from FILE`, false);
    let r = await check(d);
    t.equal(r.code, 1);
    t.match(r.stdout, /ledger_events 2018-02: file: ledger_events\/2018-02\/ledger_events-2018-02.parquet: \d+ bytes, sha256/, 'edited file, manifest untouched');
    d = copy();
    await rewrite(d, '2018-02', `select * replace (case when stream = 'a' and stream_seq = 50 then '{"i": 999}' else payload end as payload) from FILE`, true);
    r = await check(d);
    t.equal(r.code, 1);
    t.match(r.stdout, /ledger_events 2018-02 stream a stream_seq 50: hash mismatch/, 'edited row, manifest re-hashed: the row\'s own hash gives it away');
    d = copy();
    await rewrite(d, '2018-02', `select * from FILE where not (stream = 'a' and stream_seq = 55)`, true);
    r = await check(d);
    t.match(r.stdout, /stream a stream_seq 56: gap: stream_seq 56 follows 54/, 'deleted row');
    d = copy();
    const f1 = path.join(d, 'ledger_events', '2018-01', 'ledger_events-2018-01.parquet');
    const f3 = path.join(d, 'ledger_events', '2018-03', 'ledger_events-2018-03.parquet');
    fs.renameSync(f1, `${f1}.x`);
    fs.renameSync(f3, f1);
    fs.renameSync(`${f1}.x`, f3);
    r = await check(d);
    t.match(r.stdout, /ledger_events 2018-01: file: .*the manifest says/, 'swapped files');
    d = copy();
    const mf = path.join(d, 'ledger_events', '2018-03', 'manifest.json');
    const forged = JSON.parse(fs.readFileSync(mf, 'utf8'));
    forged.streams[0].last_hash = 'f'.repeat(64);
    fs.writeFileSync(mf, JSON.stringify(forged, null, 2) + '\n');
    r = await check(d);
    t.match(r.stdout, /ledger_events 2018-03 stream a: manifest: stream a: last_hash differs between the manifest and the file/, 'forged manifest');
    r = await check(d, ['--public-key', `${key}.pub`]);
    t.match(r.stdout, /ledger_events 2018-03: signature: .*the signature does not match manifest.json/, 'and its signature no longer holds');
    d = copy();
    fs.rmSync(path.join(d, 'ledger_events', '2018-02'), { recursive: true });
    r = await check(d);
    t.match(r.stdout, /2018-03: months: 2018-03 follows 2018-02, but the archive's month before it is 2018-01 \(a month is missing\)/, 'a whole month removed');
    t.match(r.stdout, /gap/, 'and the streams show the hole');
    // garbage in place of a month's file, its manifest forged to match
    d = copy();
    const junk = path.join(d, 'ledger_events', '2018-03', 'ledger_events-2018-03.parquet');
    fs.writeFileSync(junk, Buffer.alloc(4096, 7));
    const mj = path.join(d, 'ledger_events', '2018-03', 'manifest.json');
    const jm = JSON.parse(fs.readFileSync(mj, 'utf8'));
    const jsha = await sha256File(junk);
    Object.assign(jm.files[0], { sha256: jsha, plain_sha256: jsha, bytes: 4096, plain_bytes: 4096 });
    fs.writeFileSync(mj, JSON.stringify(jm, null, 2) + '\n');
    r = await check(d);
    t.equal(r.code, 1);
    t.match(r.stdout, /ledger_events 2018-03: file: .*not a readable Parquet file/, 'an unreadable file is a finding, not a crash');
    // nothing there is not "intact"
    const empty = tempDir(t, 'blotter-empty-archive-');
    r = await check(empty);
    t.equal(r.code, 2);
    t.match(r.stderr, /no archive at .*: no <family>\/<YYYY-MM>\/manifest.json there .*\[ARCHIVE_EMPTY\]/);
});
