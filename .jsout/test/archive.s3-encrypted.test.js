// The archive on S3-compatible storage (s3rver, started here), encrypted to an age
// recipient and signed, through the real CLI.
import path from 'node:path';
import t from 'tap';
import { setup } from "./helpers/archive.js";
import { runCli } from "./helpers/db.js";
// Many CLI runs (each loads DuckDB): minutes on a busy machine.
t.setTimeout(600_000);
// To S3-compatible storage, encrypted to an age recipient and signed: verify-archive reads
// it back from S3, needs the identity to check rows, and purge works from S3 too.
t.test('S3 round trip, encrypted and signed: archive, verify-archive s3://…, purge, verify', async (t) => {
    const { cli, home, env, sql } = await setup(t);
    const { startS3rver } = await import("./helpers/s3.js");
    const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
    const { writeIdentityFile } = await import("../agent/archive/crypt.js");
    const server = await startS3rver(path.join(home, 's3'));
    t.teardown(() => server.stop());
    const endpoint = `http://127.0.0.1:${server.port}`;
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'blotter' }));
    s3.destroy();
    const s3env = {
        ...env, BLOTTER_ARCHIVE_S3_ENDPOINT: endpoint, BLOTTER_ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
        BLOTTER_ARCHIVE_S3_ACCESS_KEY_ID: 'S3RVER', BLOTTER_ARCHIVE_S3_SECRET_ACCESS_KEY: 'S3RVER',
    };
    const s3cli = (args) => runCli(args, { env: s3env, timeoutMs: 120_000 });
    const identity = path.join(home, 'archive.agekey');
    const { recipient } = await writeIdentityFile(identity);
    const key = path.join(home, 'sign.key');
    t.equal((await cli(['digest', '--keygen', '--out', key])).code, 0);
    const where = 's3://blotter/ledger-archive';
    const arch = await s3cli(['archive', '--to', where, '--recipient', recipient, '--sign', key]);
    t.equal(arch.code, 0, arch.stderr);
    t.match(arch.stdout, /ledger_events 2018-01: 121 rows, \d+ bytes \(encrypted\)/);
    t.match(arch.stdout, /3 months archived to s3:\/\/blotter\/ledger-archive/);
    t.notMatch(arch.stdout + arch.stderr, /S3RVER/, 'no secret in the output');
    const noKey = await s3cli(['verify-archive', where, '--offline']);
    t.equal(noKey.code, 2, 'encrypted rows need the identity');
    t.match(noKey.stderr, /is encrypted: give the identity that decrypts it \(--identity FILE\)/);
    const ok = await s3cli(['verify-archive', where, '--identity', identity, '--public-key', `${key}.pub`]);
    t.equal(ok.code, 0, ok.stdout + ok.stderr);
    t.match(ok.stdout, /archive intact: 3 months, 242 rows, 3 ledger streams, signatures checked, seam with the database checked/);
    // the writer's host holds only the recipient: purge checks the stored bytes without decrypting
    const purged = await s3cli(['purge', '--from', where]);
    t.equal(purged.code, 0, purged.stderr);
    t.match(purged.stdout, /3 months purged/);
    t.equal((await cli(['verify'])).code, 0);
    t.same((await sql `select count(*)::int as n from ledger.stream_checkpoints`)[0], { n: 3 });
    t.equal((await s3cli(['verify-archive', where, '--identity', identity])).code, 0, 'and the seam holds from S3');
});
