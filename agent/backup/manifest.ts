// backup.json: what a backup holds and how to know it is whole. Every file of the backup
// but this one is listed with its size and sha256, so a restore can refuse a backup that
// lost, gained or changed a file before it writes anything. It guards against damage
// and loss, not against someone who rewrites the manifest too: the ledger's own chain
// and the digests kept elsewhere (blotter verify --digest) answer that.
import fs from 'node:fs';
import path from 'node:path';
import { BlotterError } from '../errors.ts';
import { filesUnder, hashFile, type FileEntry } from './files.ts';

export const MANIFEST = 'backup.json';
export const FORMAT = 'blotter-backup/1';

export type Head = { stream: string; streamSeq: string; hash: string };

export type Manifest = {
  format: typeof FORMAT;
  label: string;
  generator: string;
  startedAt: string;
  // Every transaction committed by this time (the server's clock) is in the backup: it
  // was read just before pg_backup_stop, whose stop point follows every such commit.
  consistentThrough: string;
  finishedAt: string;
  postgres: {
    version: string;
    major: number;
    systemIdentifier: string;
    timeline: number;
    startLsn: string;
    stopLsn: string;
    walSegmentBytes: number;
    walSegments: string[];
  };
  // How the embedded server was reached, for the restored home's server.json.
  server: { user: string; database: string; port: number };
  // Each stream's head as committed before consistentThrough; a restore checks them.
  heads: Head[];
  // Files of the home beside the cluster, that the restored home needs as they were.
  secrets: string[];
  // Every directory, empty ones included (the server expects its whole layout), then
  // every file but backup.json.
  dirs: string[];
  files: FileEntry[];
};

export function writeManifest(dir: string, m: Manifest): void {
  const file = path.join(dir, MANIFEST);
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(m, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new BlotterError('BACKUP_NOT_FOUND', `${dir}: no such directory`);
  if (!fs.existsSync(file)) throw new BlotterError('BACKUP_NOT_FOUND', `${dir} is not a blotter backup: it has no ${MANIFEST}`);
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (err) {
    throw new BlotterError('BACKUP_DAMAGED', `${file}: not valid JSON (${(err as Error).message})`);
  }
  if (m?.format !== FORMAT) throw new BlotterError('BACKUP_DAMAGED', `${file}: format "${String(m?.format)}", expected ${FORMAT}`);
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
export function checkFiles(dir: string, m: Manifest): string[] {
  const problems: string[] = [];
  const listed = new Map(m.files.map((f) => [f.path, f]));
  const { files, other } = filesUnder(dir);
  for (const rel of other) problems.push(`${rel}: not a regular file`);
  for (const rel of files) {
    if (rel === MANIFEST) continue;
    const want = listed.get(rel);
    if (!want) {
      problems.push(`${rel}: not in the manifest`);
      continue;
    }
    listed.delete(rel);
    const got = hashFile(path.join(dir, rel));
    if (got.size !== want.size) problems.push(`${rel}: ${got.size} bytes, the manifest says ${want.size}`);
    else if (got.sha256 !== want.sha256) problems.push(`${rel}: sha256 ${got.sha256}, the manifest says ${want.sha256}`);
  }
  for (const rel of listed.keys()) problems.push(`${rel}: missing`);
  for (const rel of m.dirs) if (!fs.existsSync(path.join(dir, rel))) problems.push(`${rel}/: missing`);
  return problems;
}
