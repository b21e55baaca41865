// The trading logger: one root pino logger, a child per category with its own level, and
// up to four sinks: console (pino-pretty on a terminal, JSON otherwise), a rotating file
// (pino-roll), the database (ops.logs, batched) and syslog. Sinks are asynchronous
// (SonicBoom buffers; the database sink queues and inserts in batches), so a log call
// never waits for I/O. Secrets are redacted before anything is written.
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Category, Config } from '../config.ts';
import { CATEGORIES } from '../config.ts';
import type { DbLogSink } from './db-sink.ts';
import { SyslogStream } from './syslog.ts';

export type Loggers = {
  root: pino.Logger;
  category: (c: Category) => pino.Logger;
  close: () => Promise<void>;
};

// Field names that carry secrets, redacted wherever they appear at the top of a log call,
// plus the request headers. Named paths only: a wildcard path (`*.password`) tripled the
// cost of every log call, so nested secrets must be logged under these names.
export const REDACT = ['token', 'password', 'secret', 'authorization', 'apiKey', 'api_key', 'databaseUrl', 'database_url', 'credentials', 'passphrase', 'private_key',
  'headers.authorization', 'req.headers.authorization', 'headers.cookie', 'config.password', 'err.config.password'];

const ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const lowest = (levels: string[]) => levels.reduce((a, b) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b));

export type LoggerOptions = {
  config: Config['logging'];
  home: string;
  dbSink?: DbLogSink;
  // Tests and benchmarks pass their own stream instead of stdout.
  consoleStream?: NodeJS.WritableStream;
};

// The sinks of one logger, each with its own level. pino.multistream does the same with
// more per-line work (it re-checks and re-stamps every stream); this reads the line's
// level once, from the metadata pino hands a stream that asks for it, and writes the
// same string to each sink that wants it. Measured in `npm run bench -- ingest`
// (logger_ratio).
// pino's isoTime formats a Date on every call (a third of a log call's cost in the ingest
// benchmark); lines logged within the same millisecond share one string.
let lastMs = -1;
let lastTime = '';
export function isoTimeCached(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

function fanOut(entries: pino.StreamEntry[]): pino.DestinationStream {
  const levels = entries.map((e) => pino.levels.values[e.level as string] ?? 30);
  const sinks = entries.map((e) => e.stream as { write: (s: string) => unknown; flushSync?: () => void });
  const n = sinks.length;
  const out = {
    [Symbol.for('pino.metadata')]: true,
    lastLevel: 0,
    write(line: string): void {
      const level = out.lastLevel;
      for (let i = 0; i < n; i++) if (level >= levels[i]!) sinks[i]!.write(line);
    },
    flushSync(): void {
      for (const s of sinks) s.flushSync?.();
    },
  };
  return out;
}

export async function createLoggers(opts: LoggerOptions): Promise<Loggers> {
  const c = opts.config;
  const h = c.handlers;
  const streams: pino.StreamEntry[] = [];
  const closers: (() => Promise<void>)[] = [];
  const sonic = (s: { flushSync?: () => void; end: () => void; once: (e: string, f: () => void) => void }) => () =>
    new Promise<void>((resolve) => {
      try {
        s.flushSync?.();
      } catch {
        // Nothing buffered, or already closed.
      }
      s.once('close', () => resolve());
      s.end();
      setTimeout(resolve, 1000).unref();
    });

  if (h.console.enabled) {
    const pretty = c.format === 'pretty' || (c.format === 'auto' && process.stdout.isTTY && !opts.consoleStream);
    if (pretty) {
      const { default: pinoPretty } = await import('pino-pretty');
      streams.push({ level: h.console.level as pino.Level, stream: pinoPretty({ colorize: true, destination: 1, sync: false }) });
    } else if (opts.consoleStream) {
      streams.push({ level: h.console.level as pino.Level, stream: opts.consoleStream });
    } else {
      const out = pino.destination({ dest: 1, sync: false });
      streams.push({ level: h.console.level as pino.Level, stream: out });
      closers.push(sonic(out));
    }
  }
  if (h.file.enabled) {
    const file = path.resolve(opts.home, h.file.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // pino-roll keeps `count` files besides the current one.
    // Loaded only when the file handler is on (it brings date-fns).
    const { default: pinoRoll } = await import('pino-roll');
    const roll = await pinoRoll({ file, size: `${Math.max(1, Math.round(h.file.max_size / 1024))}k`, limit: { count: h.file.max_files - 1 }, mkdir: true });
    streams.push({ level: h.file.level as pino.Level, stream: roll });
    closers.push(sonic(roll));
    opts.dbSink?.spillTo(roll);
  }
  if (h.database.enabled && opts.dbSink) {
    streams.push({ level: h.database.level as pino.Level, stream: opts.dbSink });
    closers.push(() => opts.dbSink!.close());
  }
  if (h.syslog.enabled) {
    const s = new SyslogStream(h.syslog.host, h.syslog.port);
    streams.push({ level: h.syslog.level as pino.Level, stream: s });
    closers.push(() => s.close());
  }

  const enabled = streams.map((s) => s.level as string);
  const root = pino(
    {
      level: lowest([c.level, ...Object.values(c.categories)]),
      base: { pid: process.pid },
      redact: { paths: [...REDACT, ...c.redact.filter((n) => !REDACT.includes(n))], censor: '[redacted]' },
      timestamp: isoTimeCached,
      formatters: { level: (label) => ({ level: label }) },
    },
    streams.length === 1 && streams[0]!.level === lowest([c.level, ...Object.values(c.categories)]) ? streams[0]!.stream as pino.DestinationStream
      : fanOut(streams.length ? streams : [{ level: 'fatal', stream: fs.createWriteStream('/dev/null') }]),
  );
  root.level = enabled.length ? lowest([c.level, ...Object.values(c.categories)]) : 'silent';
  const children = new Map<Category, pino.Logger>();
  for (const cat of CATEGORIES) {
    const child = root.child({ category: cat });
    child.level = c.categories[cat];
    children.set(cat, child);
  }
  return {
    root,
    category: (cat) => children.get(cat)!,
    // Last opened, first closed: the database sink spills into the file sink as it closes.
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}
