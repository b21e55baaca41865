// The spool: accepted events on local disk before the API says 202. Append-only segment
// files of NDJSON records, written with group commit (one write and one fdatasync for
// every request that arrived in the same few milliseconds). The writer reads from a
// durable checkpoint and advances it only after the database committed; a crash between
// the two replays records the ledger then drops as duplicates (every record has a key).
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BlotterError } from '../errors.ts';

export type SpoolOptions = {
  dir: string;
  quotaBytes: number;
  segmentBytes: number;
  groupCommitMs: number;
  // How often the read mark is written durably (default 1000 ms).
  checkpointMs?: number;
};

export type Position = { segment: number; offset: number };
export type SpoolRecord = { line: string; end: Position };

// The spool's disk refused a write (full, over quota, failing): nothing of that group was
// acknowledged, and a retry may succeed once space is freed.
export class SpoolWriteError extends BlotterError {
  constructor(message: string, cause: unknown) {
    super('SPOOL_WRITE', message, { cause });
  }
}

export class SpoolFullError extends BlotterError {
  constructor(pending: number, quota: number) {
    super('SPOOL_FULL', `spool holds ${pending} bytes not yet in the database; quota is ${quota}`);
  }
}

const SEGMENT = /^(\d{12})\.ndjson$/;
const segName = (n: number) => `${String(n).padStart(12, '0')}.ndjson`;

type Waiter = { resolve: () => void; reject: (err: Error) => void };

export class Spool extends EventEmitter {
  readonly opts: SpoolOptions;
  private fd = -1;
  private segment = 0;
  private segmentSize = 0;
  // Durable end of data (what the reader may consume) and the committed read position.
  private written: Position = { segment: 0, offset: 0 };
  private checkpoint: Position = { segment: 0, offset: 0 };
  // The mark as last written to checkpoint.json (what a restart resumes from).
  private durable: Position = { segment: 0, offset: 0 };
  private persistTimer: NodeJS.Timeout | null = null;
  private persisting: Promise<void> | null = null;
  // Bytes per segment, for the quota and for deleting consumed segments.
  private sizes = new Map<number, number>();
  private buffer: string[] = [];
  private bufferBytes = 0;
  private waiters: Waiter[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  // Accept times of not-yet-committed flushes, for the writer lag.
  private acceptTimes: { pos: Position; at: number }[] = [];

  constructor(opts: SpoolOptions) {
    super();
    this.opts = opts;
  }

  open(): void {
    fs.mkdirSync(this.opts.dir, { recursive: true });
    const cpFile = path.join(this.opts.dir, 'checkpoint.json');
    if (fs.existsSync(cpFile)) {
      const cp = JSON.parse(fs.readFileSync(cpFile, 'utf8')) as Position;
      if (!Number.isInteger(cp.segment) || !Number.isInteger(cp.offset)) throw new BlotterError('SPOOL_CORRUPT', `${cpFile} is not a checkpoint`);
      this.checkpoint = cp;
      this.durable = cp;
    }
    const segments = fs.readdirSync(this.opts.dir).map((f) => SEGMENT.exec(f)).filter((m) => m !== null)
      .map((m) => Number(m[1])).sort((a, b) => a - b);
    for (const s of segments) {
      if (s < this.checkpoint.segment) {
        fs.rmSync(path.join(this.opts.dir, segName(s)));
        continue;
      }
      this.sizes.set(s, fs.statSync(path.join(this.opts.dir, segName(s))).size);
    }
    const last = segments.filter((s) => s >= this.checkpoint.segment).pop();
    this.segment = last ?? this.checkpoint.segment;
    const file = path.join(this.opts.dir, segName(this.segment));
    this.fd = fs.openSync(file, 'a+');
    let size = fs.fstatSync(this.fd).size;
    // A record torn by a crash was never acknowledged: cut it off.
    if (size > 0) {
      const tailLen = Math.min(size, 1024 * 1024);
      const tail = Buffer.alloc(tailLen);
      fs.readSync(this.fd, tail, 0, tailLen, size - tailLen);
      const lastNl = tail.lastIndexOf(0x0a);
      const keep = lastNl < 0 ? size - tailLen : size - tailLen + lastNl + 1;
      if (keep !== size) {
        fs.ftruncateSync(this.fd, keep);
        fs.fsyncSync(this.fd);
        size = keep;
      }
    }
    this.segmentSize = size;
    this.sizes.set(this.segment, size);
    this.written = { segment: this.segment, offset: size };
    if (this.segment === this.checkpoint.segment && this.checkpoint.offset > size) this.checkpoint = { segment: this.segment, offset: size };
    this.syncDir();
  }

  // Bytes accepted but not yet committed to the database.
  pendingBytes(): number {
    let total = 0;
    for (const [s, size] of this.sizes) {
      if (s > this.checkpoint.segment) total += size;
      else if (s === this.checkpoint.segment) total += size - this.checkpoint.offset;
    }
    return total + this.bufferBytes;
  }

  hasPending(): boolean {
    return this.written.segment !== this.checkpoint.segment || this.written.offset !== this.checkpoint.offset;
  }

  // Milliseconds since the oldest record not yet in the database was accepted.
  lagMs(now = Date.now()): number {
    const first = this.acceptTimes[0];
    return first && this.hasPending() ? now - first.at : 0;
  }

  // Append records (one JSON line each, no newline); resolves once they are fsynced.
  append(lines: string[]): Promise<void> {
    if (this.closed) return Promise.reject(new BlotterError('SPOOL_CLOSED', 'the spool is closed (shutting down)'));
    if (lines.length === 0) return Promise.resolve();
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    if (this.pendingBytes() + bytes > this.opts.quotaBytes) return Promise.reject(new SpoolFullError(this.pendingBytes(), this.opts.quotaBytes));
    for (const l of lines) this.buffer.push(l + '\n');
    this.bufferBytes += bytes;
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.scheduleFlush();
    });
  }

  // One flush at a time: what arrives during a write and fsync goes out together in the
  // next one (group commit without waiting on a timer, unless group_commit_ms asks to).
  private scheduleFlush(): void {
    if (this.flushTimer || this.flushing) return;
    const go = () => {
      this.flushTimer = null;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.buffer.length) this.scheduleFlush();
      });
    };
    if (this.opts.groupCommitMs > 0) this.flushTimer = setTimeout(go, this.opts.groupCommitMs);
    else this.flushTimer = setImmediate(go) as unknown as NodeJS.Timeout;
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) {
      for (const w of this.waiters.splice(0)) w.resolve();
      return;
    }
    const data = Buffer.from(this.buffer.join(''));
    const waiters = this.waiters;
    this.buffer = [];
    this.bufferBytes = 0;
    this.waiters = [];
    try {
      // write(2) may take only part of the buffer without an error (a disk filling up
      // does that: the rest fails with ENOSPC on the next call). Taking a short write for
      // the whole acknowledged records that were not on disk, and every later offset was
      // wrong (found by the chaos run's disk-full fault).
      for (let done = 0; done < data.length;) {
        done += await new Promise<number>((resolve, reject) => fs.write(this.fd, data, done, data.length - done, null, (err, n) => (err ? reject(err) : resolve(n))));
      }
      await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      // Cut back to the last durable end so a half-written group cannot be read.
      try {
        fs.ftruncateSync(this.fd, this.segmentSize);
      } catch {
        // The next open() trims a torn tail anyway.
      }
      const e = new SpoolWriteError(`spool write failed: ${(err as Error).message}`, err);
      for (const w of waiters) w.reject(e);
      return;
    }
    this.segmentSize += data.length;
    this.sizes.set(this.segment, this.segmentSize);
    this.written = { segment: this.segment, offset: this.segmentSize };
    this.acceptTimes.push({ pos: this.written, at: Date.now() });
    if (this.segmentSize >= this.opts.segmentBytes) this.rotate();
    for (const w of waiters) w.resolve();
    this.emit('data');
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    this.segment += 1;
    this.fd = fs.openSync(path.join(this.opts.dir, segName(this.segment)), 'a+');
    this.segmentSize = 0;
    this.sizes.set(this.segment, 0);
    this.written = { segment: this.segment, offset: 0 };
    this.syncDir();
  }

  private syncDir(): void {
    const dfd = fs.openSync(this.opts.dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  }

  // Up to maxRecords records after `from` (default: the checkpoint), durable ones only, and
  // at most maxBytes of them (but always the first, however long: one record must pass).
  read(maxRecords: number, from: Position = this.checkpoint, maxBytes = 32 * 1024 * 1024): SpoolRecord[] {
    const out: SpoolRecord[] = [];
    let pos = { ...from };
    let budget = maxBytes;
    while (out.length < maxRecords && budget > 0) {
      const end = pos.segment === this.written.segment ? this.written.offset : this.sizes.get(pos.segment) ?? 0;
      if (pos.offset >= end) {
        if (pos.segment >= this.written.segment) break;
        pos = { segment: pos.segment + 1, offset: 0 };
        continue;
      }
      const len = Math.min(end - pos.offset, Math.max(Math.min(budget, 4 * 1024 * 1024), 64 * 1024));
      const buf = this.readSegment(pos, len);
      let start = 0;
      let consumed = 0;
      while (out.length < maxRecords) {
        const nl = buf.indexOf(0x0a, start);
        if (nl < 0) break;
        if (out.length > 0 && nl + 1 > budget) break;
        consumed = nl + 1;
        out.push({ line: buf.toString('utf8', start, nl), end: { segment: pos.segment, offset: pos.offset + consumed } });
        start = nl + 1;
      }
      if (consumed === 0) {
        if (out.length > 0) break;
        // The first record is longer than this read: read it whole (up to the segment's end).
        if (len < end - pos.offset) {
          const whole = this.readSegment(pos, end - pos.offset);
          const nl = whole.indexOf(0x0a);
          if (nl < 0) throw new BlotterError('SPOOL_CORRUPT', `spool record at ${segName(pos.segment)}:${pos.offset} has no end`);
          out.push({ line: whole.toString('utf8', 0, nl), end: { segment: pos.segment, offset: pos.offset + nl + 1 } });
          pos = { segment: pos.segment, offset: pos.offset + nl + 1 };
          budget -= nl + 1;
          continue;
        }
        break;
      }
      pos = { segment: pos.segment, offset: pos.offset + consumed };
      budget -= consumed;
    }
    return out;
  }

  private readSegment(pos: Position, len: number): Buffer {
    const buf = Buffer.alloc(len);
    const fd = fs.openSync(path.join(this.opts.dir, segName(pos.segment)), 'r');
    try {
      fs.readSync(fd, buf, 0, len, pos.offset);
    } finally {
      fs.closeSync(fd);
    }
    return buf;
  }

  // The database committed everything up to `pos`. The mark moves at once in memory; the
  // file that keeps it across a restart is written at most once per checkpointMs (and
  // at close), on libuv's threads. Each durable mark is a rename and a directory fsync,
  // i.e. an ext4 journal commit: done per batch, they stalled the acknowledgements'
  // fdatasyncs behind them (p99 x2). A crash replays what the file's mark is behind by
  // (at most a second's worth), which the ledger drops as duplicates by their keys.
  commit(pos: Position): Promise<void> {
    this.checkpoint = pos;
    while (this.acceptTimes.length && !after(this.acceptTimes[0]!.pos, pos)) this.acceptTimes.shift();
    // After close (a writer finishing its last batch) there is no later: write it now.
    if (this.closed) return (this.persisting ?? Promise.resolve()).then(() => this.persist());
    if (!this.persisting) this.persistLater();
    return Promise.resolve();
  }

  private persistLater(): void {
    if (this.persistTimer) return;
    this.persistTimer = setTimeout(() => void this.persist(), this.opts.checkpointMs ?? 1000);
    this.persistTimer.unref();
  }

  // Write the mark durably, then drop the segments wholly before it.
  private persist(): Promise<void> {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = null;
    if (this.persisting) return this.persisting;
    const pos = this.checkpoint;
    if (!after(pos, this.durable)) return Promise.resolve();
    this.persisting = (async () => {
      const file = path.join(this.opts.dir, 'checkpoint.json');
      const tmp = `${file}.tmp`;
      const fh = await fsp.open(tmp, 'w');
      try {
        await fh.writeFile(JSON.stringify(pos));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, file);
      await this.syncDirAsync();
      this.durable = pos;
      for (const s of [...this.sizes.keys()]) {
        if (s < pos.segment) {
          this.sizes.delete(s);
          await fsp.rm(path.join(this.opts.dir, segName(s)), { force: true });
        }
      }
    })().catch((err: Error) => {
      // The next commit tries again; until then a restart replays a little more.
      this.emit('checkpoint-error', err);
    }).finally(() => {
      this.persisting = null;
      if (after(this.checkpoint, this.durable) && !this.closed) this.persistLater();
    });
    return this.persisting;
  }

  private async syncDirAsync(): Promise<void> {
    const dh = await fsp.open(this.opts.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  // Stop taking appends, write out what is buffered, close.
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      clearImmediate(this.flushTimer as unknown as NodeJS.Immediate);
      this.flushTimer = null;
    }
    if (this.flushing) await this.flushing;
    await this.flush();
    if (this.persisting) await this.persisting;
    await this.persist();
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

function after(a: Position, b: Position): boolean {
  return a.segment > b.segment || (a.segment === b.segment && a.offset > b.offset);
}
