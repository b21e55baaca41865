// backup.json: what a backup holds and how to know it is whole. Every file of the backup
// but this one is listed with its size and sha256, so a restore can refuse a backup that
// lost, gained or changed a file before it writes anything. It guards against damage
// and loss, not against someone who rewrites the manifest too: the ledger's own chain
// and the digests kept elsewhere (blotter verify --digest) answer that.
import fs from 'node:fs';
import path from 'node:path';
import { BlotterError } from "../errors.js";
import { filesUnder, hashFile } from "./files.js";
export const MANIFEST = 'backup.json';
export const FORMAT = 'blotter-backup/1';
export function writeManifest(dir, m) {
    const file = path.join(dir, MANIFEST);
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
        fs.writeSync(fd, JSON.stringify(m, null, 2) + '\n');
        fs.fsyncSync(fd);
    }
    finally {
        fs.closeSync(fd);
    }
}
export function readManifest(dir) {
    const file = path.join(dir, MANIFEST);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
        throw new BlotterError('BACKUP_NOT_FOUND', `${dir}: no such directory`);
    if (!fs.existsSync(file))
        throw new BlotterError('BACKUP_NOT_FOUND', `${dir} is not a blotter backup: it has no ${MANIFEST}`);
    let m;
    try {
        m = JSON.parse(fs.readFileSync(file, 'utf8'));
    }
    catch (err) {
        throw new BlotterError('BACKUP_DAMAGED', `${file}: not valid JSON (${err.message})`);
    }
    if (m?.format !== FORMAT)
        throw new BlotterError('BACKUP_DAMAGED', `${file}: format "${String(m?.format)}", expected ${FORMAT}`);
    if (!Array.isArray(m.files) || !Array.isArray(m.dirs) || !m.postgres || !Array.isArray(m.heads) || !m.server) {
        throw new BlotterError('BACKUP_DAMAGED', `${file}: files, postgres, server or heads is missing`);
    }
    // A restore writes where the manifest says: only plain relative paths inside the backup.
    for (const rel of [...m.files.map((f) => f?.path), ...m.dirs, ...(m.secrets ?? [])]) {
        if (typeof rel !== 'string' || rel === '' || path.isAbsolute(rel) || rel.split('/').some((part) => part === '..' || part === '.' || part === '')) {
            throw new BlotterError('BACKUP_DAMAGED', `${file}: the path ${JSON.stringify(rel)} is not a plain relative path`);
        }
    }
    return m;
}
// Problems with the backup's files against its manifest, each naming the file: missing,
// changed (size or sha256), or not in the manifest at all. Empty when the backup is whole.
export function checkFiles(dir, m) {
    const problems = [];
    const listed = new Map(m.files.map((f) => [f.path, f]));
    const { files, other } = filesUnder(dir);
    for (const rel of other)
        problems.push(`${rel}: not a regular file`);
    for (const rel of files) {
        if (rel === MANIFEST)
            continue;
        const want = listed.get(rel);
        if (!want) {
            problems.push(`${rel}: not in the manifest`);
            continue;
        }
        listed.delete(rel);
        const got = hashFile(path.join(dir, rel));
        if (got.size !== want.size)
            problems.push(`${rel}: ${got.size} bytes, the manifest says ${want.size}`);
        else if (got.sha256 !== want.sha256)
            problems.push(`${rel}: sha256 ${got.sha256}, the manifest says ${want.sha256}`);
    }
    for (const rel of listed.keys())
        problems.push(`${rel}: missing`);
    for (const rel of m.dirs)
        if (!fs.existsSync(path.join(dir, rel)))
            problems.push(`${rel}/: missing`);
    return problems;
}
