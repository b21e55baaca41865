// Digests: each stream's head (stream_seq, hash) written to a file kept outside the
// database. A tail removed by a superuser, with the head row rewritten to match, still
// verifies on its own; only a head recorded earlier, elsewhere, shows it is gone.
import fs from 'node:fs';
import type postgres from 'postgres';
import { BlotterError } from '../errors.ts';

export type Digest = { stream: string; streamSeq: string; hash: string; takenAt: string };
export type DigestFile = { format: 'blotter-digest/1'; database: string; takenAt: string; streams: Digest[] };

export async function takeDigest(sql: postgres.Sql, stream?: string): Promise<DigestFile> {
  const rows = await sql.begin(async (tx) => tx`
    insert into ledger.digests (stream, stream_seq, hash)
    select stream, stream_seq, hash from ledger.streams
     where ${stream === undefined ? tx`true` : tx`stream = ${stream}`}
     order by stream
    returning stream, stream_seq::text as stream_seq, encode(hash, 'hex') as hash,
              to_char(taken_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as taken_at,
              current_database() as database`);
  if (stream !== undefined && rows.length === 0) throw new BlotterError('STREAM_UNKNOWN', `stream "${stream}" has no events`);
  return {
    format: 'blotter-digest/1',
    database: rows[0]?.database ?? '',
    takenAt: new Date().toISOString(),
    streams: rows.map((r) => ({ stream: r.stream, streamSeq: r.stream_seq, hash: r.hash, takenAt: r.taken_at })),
  };
}

export function writeDigestFile(file: string, digest: DigestFile): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(digest, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

export function readDigestFile(file: string): Digest[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BlotterError('DIGEST_UNREADABLE', `digest file ${file}: ${(err as Error).message}`);
  }
  const d = parsed as Partial<DigestFile>;
  if (d?.format !== 'blotter-digest/1' || !Array.isArray(d.streams)) {
    throw new BlotterError('DIGEST_FORMAT', `digest file ${file}: not a blotter-digest/1 file`);
  }
  d.streams.forEach((s, i) => {
    if (typeof s?.stream !== 'string' || !/^\d+$/.test(String(s.streamSeq)) || !/^[0-9a-f]{64}$/.test(String(s.hash))) {
      throw new BlotterError('DIGEST_FORMAT', `digest file ${file}: streams[${i}] needs stream, streamSeq and a 64-hex hash`);
    }
  });
  return d.streams;
}
