// Signed digests: a key pair made by blotter digest --keygen (the private key readable by its
// owner only, never overwritten), digests signed with it, by hand and by the digest_export
// task on its period; blotter verify --digest DIR --public-key checks every file's
// signature before its hashes: a digest edited after signing, one signed by another key,
// and an unsigned one are refused (exit 1), and a ledger whose tail was cut is caught.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { run as digestTask } from "../agent/jobs/digest_export.js";
import { runCli, testDb } from "./helpers/db.js";
import { put } from "./helpers/recon.js";
t.test('sign, export on schedule, verify a directory; edited, foreign and unsigned digests refused', async (t) => {
    const { sql, url } = await testDb(t);
    const env = { DATABASE_URL: url };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-digests-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const key = path.join(dir, 'signing.key');
    const kg = await runCli(['digest', '--keygen', '--out', key], { env });
    t.equal(kg.code, 0, kg.stderr);
    t.match(kg.stdout, /Ed25519 key pair: .*signing\.key .* and .*signing\.key\.pub; key id [0-9a-f]{64}/);
    t.equal(fs.statSync(key).mode & 0o777, 0o600, 'the private key: its owner only');
    t.match((await runCli(['digest', '--keygen', '--out', key], { env })).stderr, /exists: a signing key is never overwritten/);
    await put(sql, [{ type: 'signal', payload: { signal_id: 's1' } }, { type: 'signal', payload: { signal_id: 's2' } }]);
    const digests = path.join(dir, 'digests');
    fs.mkdirSync(digests);
    const one = await runCli(['digest', '--out', path.join(digests, 'a.json'), '--sign', key], { env });
    t.match(one.stdout, /digest of 1 streams written to .*a\.json, signed by key [0-9a-f]{16}…/);
    // the task: acts on its period only, judged by the cron tick
    const settings = { enabled: true, dir: digests, key_file: key, every_minutes: 15 };
    const task = digestTask({ sql, log: pino({ level: 'silent' }), settings, home: dir });
    const job = (ts) => [{ _cron: { ts, backfilled: false } }, { job: { created_at: new Date(ts) } }];
    await task(...job('2026-11-27T14:05:00.000Z'));
    t.same(fs.readdirSync(digests).sort(), ['a.json'], '14:05 is not a multiple of 15 minutes');
    await put(sql, [{ type: 'signal', payload: { signal_id: 's3' } }]);
    await task(...job('2026-11-27T14:15:00.000Z'));
    t.same(fs.readdirSync(digests).sort(), ['a.json', 'digest-20261127T141500Z.json']);
    // with archive.enabled, a copy goes to the archive location too
    const archive = {
        enabled: true, auto_purge: false, location: path.join(dir, 'archive'), s3_endpoint: '', s3_region: 'us-east-1', s3_access_key_id: '',
        s3_secret_access_key: '', s3_force_path_style: false, recipients: [], sign_key: '',
    };
    const archived = digestTask({ sql, log: pino({ level: 'silent' }), settings, home: dir, archive });
    await archived(...job('2026-11-27T14:30:00.000Z'));
    t.same(fs.readdirSync(path.join(dir, 'archive', 'digests')), ['digest-20261127T143000Z.json']);
    t.same(fs.readFileSync(path.join(dir, 'archive', 'digests', 'digest-20261127T143000Z.json')), fs.readFileSync(path.join(digests, 'digest-20261127T143000Z.json')));
    fs.rmSync(path.join(digests, 'digest-20261127T143000Z.json'));
    const ok = await runCli(['verify', '--digest', digests, '--public-key', `${key}.pub`], { env });
    t.equal(ok.code, 0, ok.stdout + ok.stderr);
    t.match(ok.stdout, /chain intact/);
    // edited after signing
    const f = path.join(digests, 'a.json');
    const good = fs.readFileSync(f, 'utf8');
    const d = JSON.parse(good);
    d.streams[0].streamSeq = '1';
    fs.writeFileSync(f, JSON.stringify(d));
    const edited = await runCli(['verify', '--digest', digests, '--public-key', `${key}.pub`], { env });
    t.equal(edited.code, 1);
    t.match(edited.stdout, /TAMPERED digest: digest file .*a\.json: the signature does not match its contents/);
    // signed by another key
    const other = path.join(dir, 'other.key');
    await runCli(['digest', '--keygen', '--out', other], { env });
    await runCli(['digest', '--out', f, '--sign', other], { env });
    t.match((await runCli(['verify', '--digest', digests, '--public-key', `${key}.pub`], { env })).stdout, /signed by key [0-9a-f]{16}…, not by the key given/);
    // unsigned
    await runCli(['digest', '--out', f], { env });
    const unsigned = await runCli(['verify', '--digest', digests, '--public-key', `${key}.pub`], { env });
    t.equal(unsigned.code, 1);
    t.match(unsigned.stdout, /not signed \(a public key was given/);
    t.equal((await runCli(['verify', '--digest', digests], { env })).code, 0, 'without a key, the hashes alone are checked');
    fs.writeFileSync(f, good);
    // the tail of the stream cut (as a superuser could), with the head rewritten to match:
    // the signed digest still names the cut event's hash
    await sql.unsafe(`alter table ledger.events disable trigger user;
    delete from ledger.events where stream = 'bot' and stream_seq = 3;
    update ledger.streams set stream_seq = 2, hash = (select hash from ledger.events where stream = 'bot' and stream_seq = 2) where stream = 'bot';
    alter table ledger.events enable trigger user`);
    const cut = await runCli(['verify', '--digest', digests, '--public-key', `${key}.pub`], { env });
    t.equal(cut.code, 1, 'the cut tail is caught by the signed digest');
    t.match(cut.stdout, /TAMPERED bot/);
    t.match((await runCli(['verify', '--public-key', `${key}.pub`], { env })).stderr, /--public-key checks digests: give --digest/);
});
