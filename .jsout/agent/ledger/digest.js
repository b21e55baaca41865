// Digests: each stream's head (stream_seq, hash) written to a file kept outside the
// database. A tail removed by a superuser, with the head row rewritten to match, still
// verifies on its own; only a head recorded earlier, elsewhere, shows it is gone.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BlotterError } from "../errors.js";
export async function takeDigest(sql, stream) {
    const rows = await sql.begin(async (tx) => tx `
    insert into ledger.digests (stream, stream_seq, hash)
    select stream, stream_seq, hash from ledger.streams
     where ${stream === undefined ? tx `true` : tx `stream = ${stream}`}
     order by stream
    returning stream, stream_seq::text as stream_seq, encode(hash, 'hex') as hash,
              to_char(taken_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as taken_at,
              current_database() as database`);
    if (stream !== undefined && rows.length === 0)
        throw new BlotterError('STREAM_UNKNOWN', `stream "${stream}" has no events`);
    return {
        format: 'blotter-digest/1',
        database: rows[0]?.database ?? '',
        takenAt: new Date().toISOString(),
        streams: rows.map((r) => ({ stream: r.stream, streamSeq: r.stream_seq, hash: r.hash, takenAt: r.taken_at })),
    };
}
// The bytes a signature covers: the digest's fields in a fixed order, without the signature.
export function canonicalDigest(d) {
    return JSON.stringify({
        format: d.format, database: d.database, takenAt: d.takenAt,
        streams: d.streams.map((s) => ({ stream: s.stream, streamSeq: String(s.streamSeq), hash: s.hash, takenAt: s.takenAt })),
    });
}
export function keyIdOf(key) {
    const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
    return crypto.createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}
export function readKey(file, kind) {
    let pem;
    try {
        pem = fs.readFileSync(file, 'utf8');
    }
    catch (err) {
        throw new BlotterError('DIGEST_KEY', `${kind} key ${file}: ${err.message}`);
    }
    try {
        const key = kind === 'private' ? crypto.createPrivateKey(pem) : crypto.createPublicKey(pem);
        if (key.asymmetricKeyType !== 'ed25519')
            throw new Error(`an ${key.asymmetricKeyType} key, not ed25519`);
        return key;
    }
    catch (err) {
        throw new BlotterError('DIGEST_KEY', `${kind} key ${file}: not an Ed25519 ${kind} key in PEM (${err.message}); blotter digest --keygen --out FILE makes one`);
    }
}
// A new key pair: FILE (the private key, PEM, readable by its owner only) and FILE.pub.
export function generateDigestKeys(file) {
    if (fs.existsSync(file))
        throw new BlotterError('DIGEST_KEY', `${file} exists: a signing key is never overwritten`);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    fs.writeFileSync(`${file}.pub`, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
    return { keyId: keyIdOf(publicKey), publicFile: `${file}.pub` };
}
export function signDigest(d, privateKeyFile) {
    const key = readKey(privateKeyFile, 'private');
    const value = crypto.sign(null, Buffer.from(canonicalDigest(d), 'utf8'), key).toString('base64');
    return { ...d, signature: { alg: 'ed25519', keyId: keyIdOf(key), value } };
}
export function writeDigestFile(file, digest) {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(digest, null, 2) + '\n');
    fs.renameSync(tmp, file);
}
// The digests of one file, or of every *.json file in a directory (oldest name first). With
// a public key, every file must carry a valid signature by it, checked before its hashes.
export function readDigests(target, opts = {}) {
    const key = opts.publicKeyFile ? readKey(opts.publicKeyFile, 'public') : undefined;
    let files = [target];
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
        files = fs.readdirSync(target).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(target, f));
        if (files.length === 0)
            throw new BlotterError('DIGEST_UNREADABLE', `digest directory ${target} holds no .json digest files`);
    }
    return files.flatMap((f) => readDigestFile(f, key));
}
export function readDigestFile(file, publicKey) {
    let parsed;
    try {
        parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    }
    catch (err) {
        throw new BlotterError('DIGEST_UNREADABLE', `digest file ${file}: ${err.message}`);
    }
    const d = parsed;
    if (d?.format !== 'blotter-digest/1' || !Array.isArray(d.streams)) {
        throw new BlotterError('DIGEST_FORMAT', `digest file ${file}: not a blotter-digest/1 file`);
    }
    if (publicKey) {
        const sig = d.signature;
        if (!sig || sig.alg !== 'ed25519' || typeof sig.value !== 'string') {
            throw new BlotterError('DIGEST_SIGNATURE', `digest file ${file}: not signed (a public key was given: every digest must be signed by it)`);
        }
        if (sig.keyId !== keyIdOf(publicKey)) {
            throw new BlotterError('DIGEST_SIGNATURE', `digest file ${file}: signed by key ${String(sig.keyId).slice(0, 16)}…, not by the key given (${keyIdOf(publicKey).slice(0, 16)}…)`);
        }
        if (!crypto.verify(null, Buffer.from(canonicalDigest(d), 'utf8'), publicKey, Buffer.from(sig.value, 'base64'))) {
            throw new BlotterError('DIGEST_SIGNATURE', `digest file ${file}: the signature does not match its contents (the file was changed after it was signed)`);
        }
    }
    d.streams.forEach((s, i) => {
        if (typeof s?.stream !== 'string' || !/^\d+$/.test(String(s.streamSeq)) || !/^[0-9a-f]{64}$/.test(String(s.hash))) {
            throw new BlotterError('DIGEST_FORMAT', `digest file ${file}: streams[${i}] needs stream, streamSeq and a 64-hex hash`);
        }
    });
    return d.streams;
}
