// age encryption of archive files to public recipients, so the machine that writes
// archives holds no key that reads them: the identities (private keys) live elsewhere and
// are needed only to read an archive back. The files are plain age v1 (X25519), readable
// years later by the `age` command line tool without blotter:
//   age -d -i key.txt events-2026-01.parquet.age > events-2026-01.parquet
//
// Files are streamed through age-encryption's STREAM (64 KiB chunks), never held whole,
// and written under a temporary name renamed into place only when complete, so a failed
// decryption (a wrong key, a damaged or tampered file) leaves no output behind, not even
// the plaintext of the chunks that did authenticate.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { BlotterError } from "../errors.js";
// Only X25519 keys: age-encryption also makes post-quantum hybrid keys (age1pq1…,
// AGE-SECRET-KEY-PQ-1…), but age releases before 1.3 (Debian's is 1.1.1) cannot read
// files made with them, and being readable by the standard tool is the point.
const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
const IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;
// Each recipient parsed (the bech32 checksum too), the bad one named; public keys may be
// quoted in messages.
export function checkRecipients(recipients) {
    if (recipients.length === 0)
        throw new BlotterError('ARCHIVE_KEY', 'no age recipients given: an archive must be encrypted to at least one public key (age1…)');
    return recipients.map((r, i) => {
        const s = r.trim();
        const where = `age recipient ${i + 1} of ${recipients.length} (${JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s)})`;
        if (!RECIPIENT.test(s))
            throw new BlotterError('ARCHIVE_KEY', `${where} is not an age X25519 public key (age1 and 58 bech32 characters)`);
        try {
            new Encrypter().addRecipient(s);
        }
        catch (err) {
            throw new BlotterError('ARCHIVE_KEY', `${where}: ${err.message} (a character is wrong: the checksum does not match)`);
        }
        return s;
    });
}
// As checkRecipients, but a secret key is never quoted: WHERE names it instead.
function checkIdentity(s, where) {
    if (!IDENTITY.test(s))
        throw new BlotterError('ARCHIVE_KEY', `${where} is not an age X25519 secret key (AGE-SECRET-KEY-1 and 58 bech32 characters)`);
    try {
        new Decrypter().addIdentity(s);
    }
    catch {
        // The parser's own message quotes the key: not repeated.
        throw new BlotterError('ARCHIVE_KEY', `${where}: a character is wrong (the checksum does not match)`);
    }
    return s;
}
export function checkIdentities(identities) {
    if (identities.length === 0)
        throw new BlotterError('ARCHIVE_KEY', 'no age identities given: decrypting needs a secret key (AGE-SECRET-KEY-1…)');
    return identities.map((s, i) => checkIdentity(s.trim(), `age identity ${i + 1} of ${identities.length}`));
}
// An age identity file, as age-keygen writes it: one AGE-SECRET-KEY-1… a line, blank
// lines and # comments allowed.
export function readIdentityFile(file) {
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    }
    catch (err) {
        throw new BlotterError('ARCHIVE_KEY', `reading the age identity file ${file}: ${err.message}`);
    }
    const out = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            return;
        out.push(checkIdentity(line, `${file} line ${i + 1}`));
    });
    if (out.length === 0)
        throw new BlotterError('ARCHIVE_KEY', `${file} holds no age identity (AGE-SECRET-KEY-1…)`);
    return out;
}
export async function generateIdentity() {
    const identity = await generateX25519Identity();
    return { identity, recipient: await identityToRecipient(identity) };
}
// A new key pair in FILE (its owner only, never over an existing file), in age-keygen's
// format so `age -d -i FILE` and `age-keygen -y FILE` read it. Returns the public key,
// which is what the archiving machine is configured with.
export async function writeIdentityFile(file) {
    const { identity, recipient } = await generateIdentity();
    const text = `# created: ${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')} by blotter\n# public key: ${recipient}\n${identity}\n`;
    let fd;
    try {
        // wx: the check and the creation are one step, so two runs cannot both "win".
        fd = fs.openSync(file, 'wx', 0o600);
    }
    catch (err) {
        if (err.code === 'EEXIST')
            throw new BlotterError('ARCHIVE_KEY', `${file} exists: an age identity file is never overwritten (the archives encrypted to it would be lost)`);
        throw new BlotterError('ARCHIVE_KEY', `creating the age identity file ${file}: ${err.message}`);
    }
    try {
        // The umask may have narrowed the mode, never widened it; set it exactly.
        fs.fchmodSync(fd, 0o600);
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
    }
    finally {
        fs.closeSync(fd);
    }
    return { recipient };
}
function tempFor(dest) {
    return path.join(path.dirname(dest), `.${path.basename(dest)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}
function webStream(file) {
    return Readable.toWeb(fs.createReadStream(file));
}
function nodeStream(s) {
    return Readable.fromWeb(s);
}
function ioError(err) {
    return typeof err?.syscall === 'string';
}
// SRC encrypted to every recipient into DEST (replaced whole if it exists). Returns the
// size of DEST.
export async function encryptFile(src, dest, recipients) {
    const keys = checkRecipients(recipients);
    try {
        fs.statSync(src);
    }
    catch (err) {
        throw new BlotterError('ARCHIVE_READ', `encrypting ${src}: ${err.message}`);
    }
    const e = new Encrypter();
    for (const k of keys)
        e.addRecipient(k);
    const tmp = tempFor(dest);
    try {
        const out = await e.encrypt(webStream(src));
        await pipeline(nodeStream(out), fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
        fs.renameSync(tmp, dest);
        return { bytes: fs.statSync(dest).size };
    }
    catch (err) {
        fs.rmSync(tmp, { force: true });
        throw new BlotterError('ARCHIVE_WRITE', `encrypting ${src} to ${dest}: ${err.message}`, { cause: err });
    }
}
// SRC (an age file) decrypted with the first identity that is one of its recipients into
// DEST. A file none of them can open, or one damaged or altered after encryption, is
// ARCHIVE_DECRYPT and leaves DEST untouched.
export async function decryptFile(src, dest, identities) {
    const keys = checkIdentities(identities);
    let head;
    try {
        const fd = fs.openSync(src, 'r');
        try {
            head = Buffer.alloc(32);
            head = head.subarray(0, fs.readSync(fd, head, 0, 32, 0));
        }
        finally {
            fs.closeSync(fd);
        }
    }
    catch (err) {
        throw new BlotterError('ARCHIVE_READ', `decrypting ${src}: ${err.message}`);
    }
    if (head.toString('latin1').startsWith('-----BEGIN AGE ENCRYPTED FILE')) {
        throw new BlotterError('ARCHIVE_DECRYPT', `${src} is ASCII-armored (age -a); blotter reads binary age files: age -d -i KEY ${src} > FILE`);
    }
    if (!head.toString('latin1').startsWith('age-encryption.org/v1\n')) {
        throw new BlotterError('ARCHIVE_DECRYPT', `${src} is not an age file (it does not begin "age-encryption.org/v1")`);
    }
    const d = new Decrypter();
    for (const k of keys)
        d.addIdentity(k);
    const tmp = tempFor(dest);
    try {
        const out = await d.decrypt(webStream(src));
        await pipeline(nodeStream(out), fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
        fs.renameSync(tmp, dest);
        return { bytes: fs.statSync(dest).size };
    }
    catch (err) {
        fs.rmSync(tmp, { force: true });
        const msg = err.message;
        if (ioError(err))
            throw new BlotterError('ARCHIVE_WRITE', `decrypting ${src} to ${dest}: ${msg}`, { cause: err });
        if (/no identity matched/.test(msg)) {
            throw new BlotterError('ARCHIVE_DECRYPT', `${src}: none of the ${keys.length} age identities given is one of its recipients (a wrong key file?)`, { cause: err });
        }
        throw new BlotterError('ARCHIVE_DECRYPT', `${src} is damaged or was altered after encryption: ${msg}`, { cause: err });
    }
}
