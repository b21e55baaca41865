// The manifest of one archived month (docs/ledger-format.md, "Archives"): what the month's
// files are (size, sha256, rows), per ledger stream the first and last stream_seq with the
// hashes at both ends, and the sha256 of the previous month's manifest, so that months
// chain as rows do. An optional manifest.sig holds an Ed25519 signature over the exact
// bytes of manifest.json, by a key kept off the database host.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { BlotterError } from "../errors.js";
import { keyIdOf, readKey } from "../ledger/digest.js";
export const FAMILIES = ['ledger_events', 'ops_logs', 'ops_metrics'];
export function monthDir(family, month) {
    return `${family}/${month}`;
}
export function manifestBytes(m) {
    return Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');
}
export function sha256(b) {
    return crypto.createHash('sha256').update(b).digest('hex');
}
export function signManifest(bytes, privateKeyFile) {
    const key = readKey(privateKeyFile, 'private');
    return { alg: 'ed25519', keyId: keyIdOf(key), value: crypto.sign(null, bytes, key).toString('base64') };
}
// Null when the signature holds; otherwise why not.
export function checkSignature(bytes, sigText, publicKey) {
    if (sigText === null)
        return 'not signed (manifest.sig is missing)';
    let sig;
    try {
        sig = JSON.parse(sigText);
    }
    catch {
        return 'manifest.sig is not JSON';
    }
    if (sig.alg !== 'ed25519' || typeof sig.value !== 'string')
        return 'manifest.sig is not an ed25519 signature';
    if (sig.keyId !== keyIdOf(publicKey))
        return `signed by key ${String(sig.keyId).slice(0, 16)}…, not by the key given`;
    return crypto.verify(null, bytes, publicKey, Buffer.from(sig.value, 'base64')) ? null : 'the signature does not match manifest.json (changed after signing)';
}
const HEX64 = /^[0-9a-f]{64}$/;
// A manifest read back, checked field by field: a verifier must not trust its shape.
export function parseManifest(bytes, where) {
    let m;
    try {
        m = JSON.parse(bytes.toString('utf8'));
    }
    catch (err) {
        throw new BlotterError('ARCHIVE_MANIFEST', `${where}: not JSON (${err.message})`);
    }
    const bad = (field) => new BlotterError('ARCHIVE_MANIFEST', `${where}: ${field} is missing or malformed`);
    if (m?.format !== 'blotter-archive/1')
        throw bad('format (expected blotter-archive/1)');
    if (m.ledger_format !== 1)
        throw bad('ledger_format');
    if (!FAMILIES.includes(m.family))
        throw bad('family');
    if (typeof m.month !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(m.month))
        throw bad('month');
    if (!Number.isSafeInteger(m.rows) || m.rows < 0)
        throw bad('rows');
    if (!Array.isArray(m.files) || m.files.length === 0)
        throw bad('files');
    m.files.forEach((f, i) => {
        if (typeof f?.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(f.name))
            throw bad(`files[${i}].name`);
        if (!Number.isSafeInteger(f.bytes) || !HEX64.test(String(f.sha256)) || !Number.isSafeInteger(f.rows))
            throw bad(`files[${i}]`);
        if (f.encryption !== null && f.encryption !== 'age')
            throw bad(`files[${i}].encryption`);
        if (!HEX64.test(String(f.plain_sha256)) || !Number.isSafeInteger(f.plain_bytes))
            throw bad(`files[${i}].plain_sha256`);
    });
    if (!Array.isArray(m.streams))
        throw bad('streams');
    m.streams.forEach((s, i) => {
        if (typeof s?.stream !== 'string' || !Number.isSafeInteger(s.rows) || !/^\d+$/.test(String(s.first_stream_seq))
            || !/^\d+$/.test(String(s.last_stream_seq)) || !HEX64.test(String(s.first_prev_hash)) || !HEX64.test(String(s.last_hash)))
            throw bad(`streams[${i}]`);
    });
    if (m.previous !== null && (typeof m.previous?.month !== 'string' || !HEX64.test(String(m.previous?.manifest_sha256))))
        throw bad('previous');
    return m;
}
export function readPublicKey(file) {
    return readKey(file, 'public');
}
export function readText(file) {
    try {
        return fs.readFileSync(file, 'utf8');
    }
    catch (err) {
        if (err.code === 'ENOENT')
            return null;
        throw err;
    }
}
// 2026-01 → the month's first day and the next month's, as UTC instants.
export function monthBounds(month) {
    const [y, m] = month.split('-').map(Number);
    return { from: new Date(Date.UTC(y, m - 1, 1)).toISOString(), to: new Date(Date.UTC(y, m, 1)).toISOString() };
}
export function previousMonth(month) {
    const [y, m] = month.split('-').map(Number);
    return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
}
