// The `blotter` command. Exit codes: 0 success; 1 the command ran and found a problem
// (tampered chain, refused input, reconciliation breaks); 2 usage, configuration or
// connection errors; 3 `db status` of a server that is not running.
import fs from 'node:fs';
import v8 from 'node:v8';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { BlotterError } from './errors.ts';
import { blotterHome, connect, databaseTarget, describeOrigin, redactUrl, resolveDatabase, type ResolvedDatabase } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { loadConfig } from './config.ts';
import { serverStatus, startServer, stopServer } from './db/server.ts';
import { parseAnyEventLine } from './ingest/vocabulary.ts';
import { appendNdjson, openInput } from './ledger/append.ts';
import { generateDigestKeys, readDigests, signDigest, takeDigest, writeDigestFile } from './ledger/digest.ts';
import { stringifyExact } from './ledger/json.ts';
import { verifyLedger } from './ledger/verify.ts';
import { breakListText, breakText, runText } from './recon/format.ts';
import { dateOrderOption } from './flex/dates.ts';
import { importText, progressBar } from './flex/format.ts';
// The Flex parser loads only for `blotter flex` (the agent imports this module too).
import type { ImportResult } from './flex/import.ts';
import { keepYoungGenerationSmall } from './memory.ts';
// The report modules load vega, exceljs and a browser driver: only `blotter report` pays for them.
import type { Params } from './report/catalog.ts';
import type { Built, Format } from './report/run.ts';
import {
  accounts, breakHistory, cannotRead, getBreak, listBreaks, openCliConnection, reconcile, reviewBreak, STATUSES, unknownBreak, UNRESOLVED,
  type Break, type ReviewAction,
} from './recon/queries.ts';

// Written once, shown by `blotter --help` and by the help of every command that touches
// the database; the README says the same.
const DATABASE_HELP = `Database: every command but demo acts on the first of
  1. DATABASE_URL
  2. BLOTTER_DATABASE_URL
  3. database.url in the config file (--config FILE, else BLOTTER_CONFIG, else config/blotter.yaml)
  4. the embedded PostgreSQL under BLOTTER_HOME (default ./.blotter)
`;

const USAGE = `usage: blotter <command> [options]    (blotter <command> --help for its options)

  start      run the agent: ingest API, spool, writer, jobs (migrates first)
  demo       a scripted trading day through the TWS simulator, on a throwaway database
  migrate    apply db/migrations, then db/functions and db/policies
  append     load NDJSON events through COPY
  verify     recompute the hash chain, optionally against digests (signed ones too)
  digest     write each stream's head to a file, signed with an Ed25519 key if asked
  logs       query the trading log (ops.logs)
  recon      reconcile the bot's records against IB's: recon run
  breaks     list, show and review reconciliation breaks: breaks list|show|ack|resolve|escalate
  users      people of the review console (/console): users add NAME --role R | list | reset | disable
  flex       IB Flex statements: flex import FILE... | flex fetch
  report     reports as CSV, JSON, XLSX, HTML or PDF: report list | report NAME [options]
  retention  how long records are kept, and the lock: retention status | retention set
  archive    write whole past months to Parquet archive files (a directory or S3)
  verify-archive  check an archive from its files alone (and its seam with the database)
  purge      drop months past retention whose archive checks
  erase-subject  crypto-shred a person's identifying fields (GDPR erasure)
  db         start, stop, check or locate the embedded PostgreSQL
  backup     a consistent online backup of the embedded PostgreSQL: backup --out DIR
  restore    a backup into a new home: restore --from DIR [--home HOME]

${DATABASE_HELP}
Environment: DATABASE_URL, BLOTTER_HOME, BLOTTER_CONFIG, BLOTTER_PG_BIN (another PostgreSQL
15+ bin directory for the embedded server), and BLOTTER_<SECTION>_<KEY> for any key of
config/blotter.yaml (BLOTTER_DATABASE_URL, BLOTTER_INGEST_TOKEN, ...).
`;

const CONFIG_OPTION = '  --config FILE     the config file whose database.url to use (default: BLOTTER_CONFIG, else config/blotter.yaml)';

type Flags = Record<string, string | boolean | undefined>;
type Args = { flags: Flags; positionals: string[]; configFile: string | undefined };
export type Command = {
  usage: string;
  options: ParseArgsOptionsConfig;
  positionals: boolean;
  run: (a: Args) => Promise<number>;
};
// A command made of subcommands (`breaks list`, `breaks ack`, ...), each with its own
// options and usage; the group's usage lists them.
export type Group = { usage: string; subcommands: Record<string, Command> };

class UsageError extends Error {}

function out(line: string): void {
  process.stdout.write(line + '\n');
}

function note(line: string): void {
  process.stderr.write(`blotter: ${line}\n`);
}

// node:util's parse errors, said in one short line.
function parseProblem(err: Error & { code?: string }): string {
  const m = err.message;
  let x: RegExpExecArray | null;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && (x = /Unknown option '([^']+)'/.exec(m))) return `unknown option ${x[1]}`;
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && (x = /Unexpected argument '([^']*)'/.exec(m))) return `unexpected argument "${x[1]}"`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if ((x = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(m))) return `option ${x[1]} needs a value`;
    if ((x = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument is ambiguous/.exec(m))) return `option ${x[1]}: its value starts with "-"; write ${x[1]}=VALUE`;
    if ((x = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(m))) return `option ${x[1]} takes no value`;
  }
  return m.split('. ')[0]!.replace(/'/g, '"');
}

// The options a command takes, as typed: an unknown one is answered with these, so a typo
// is fixed without a trip to --help.
export function validOptions(cmd: Command): string[] {
  return Object.keys(cmd.options).map((o) => `--${o}`);
}

function parse(cmd: Command, argv: string[]): Args {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: cmd.options, allowPositionals: cmd.positionals, strict: true });
    const flags = values as Flags;
    return { flags, positionals, configFile: typeof flags.config === 'string' ? flags.config : undefined };
  } catch (err) {
    const e = err as Error & { code?: string };
    const valid = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? ` (valid: ${validOptions(cmd).join(', ') || 'none'})` : '';
    throw new UsageError(parseProblem(e) + valid);
  }
}

function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

// A one-shot command leaves the embedded server as it found it: one it had to start is
// stopped again afterwards.
async function leaveAsFound(db: ResolvedDatabase): Promise<void> {
  if (!db.embedded?.started) return;
  try {
    await stopServer(db.embedded.home);
    note(`stopped the embedded database under ${db.embedded.home} again.`);
  } catch (err) {
    note(`could not stop the embedded database under ${db.embedded.home}: ${(err as Error).message}`);
  }
}

async function withSql<T>(a: Args, fn: (sql: ReturnType<typeof connect>) => Promise<T>,
                          open: (url: string) => ReturnType<typeof connect> = (url) => connect(url, { max: 2 })): Promise<T> {
  const db = await resolveDatabase({ configFile: a.configFile, create: false });
  try {
    const sql = open(db.url);
    try {
      return await fn(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    await leaveAsFound(db);
  }
}

const db: Command = {
  usage: `usage: blotter db start|stop|status|url [--json] [--config FILE]

Manage the embedded PostgreSQL under BLOTTER_HOME (default ./.blotter).
  start     initialize it on first use, then start it (a second start does nothing)
  stop      stop it
  status    running or not, and why; exit 0 running, 3 not running (--json for a machine)
  url       print the URL of the database the other commands use (any of the four below)

start, stop and status refuse when the database is an external one (1-3 below): blotter
does not manage that server.
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: true,
  async run(a) {
    const sub = a.positionals[0];
    if (a.positionals.length > 1) throw new UsageError(`unexpected argument "${a.positionals[1]}"`);
    if (!sub || !['start', 'stop', 'status', 'url'].includes(sub)) {
      throw new UsageError(`expected start, stop, status or url${sub ? `, not "${sub}"` : ''}`);
    }
    const target = databaseTarget({ configFile: a.configFile });
    if (target.kind === 'external') {
      if (sub === 'url') {
        out(target.url);
        return 0;
      }
      throw new BlotterError('DB_EXTERNAL',
        `the database is ${redactUrl(target.url)}, from ${describeOrigin(target.origin)}: blotter db ${sub} manages only the embedded server ` +
        `under BLOTTER_HOME, not that one (unset ${target.origin.startsWith('config ') ? 'database.url' : target.origin} to use the embedded one)`);
    }
    const home = target.home;
    switch (sub) {
      case 'start': {
        const r = await startServer({ home, binDir: process.env.BLOTTER_PG_BIN || undefined });
        out(r.started ? `started PostgreSQL ${r.state.version} on 127.0.0.1:${r.state.port} (${home})`
          : `already running on 127.0.0.1:${r.state.port} (${home})`);
        return 0;
      }
      case 'stop':
        out((await stopServer(home)) ? 'stopped' : 'not running');
        return 0;
      case 'status': {
        const s = serverStatus(home);
        if (a.flags.json) out(JSON.stringify(s.running ? { running: true, pid: s.pid, port: s.state.port, version: s.state.version, home } : { running: false, reason: s.reason, home }));
        else out(s.running ? `running: PostgreSQL ${s.state.version}, pid ${s.pid}, 127.0.0.1:${s.state.port}, ${home}` : `not running: ${s.reason}`);
        return s.running ? 0 : 3;
      }
      default: {
        const s = serverStatus(home);
        if (!s.running) throw new BlotterError('DB_NOT_RUNNING', `the embedded database is not running (${s.reason}); run \`blotter db start\``);
        out(s.url);
        return 0;
      }
    }
  },
};

const migrateCmd: Command = {
  usage: `usage: blotter migrate [--config FILE]

Apply db/migrations (forward-only, checksummed), then re-apply db/functions and
db/policies, under an advisory lock. Creates the embedded database when none is configured.
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { config: { type: 'string' } },
  positionals: false,
  async run(a) {
    const target = await resolveDatabase({ configFile: a.configFile, create: true });
    try {
      const r = await migrate({ url: target.url, log: (l) => out(l) });
      out(r.applied.length === 0 ? 'migrations: up to date' : `migrations: applied ${r.applied.length}`);
      if (r.partitionsCreated.length) out(`partitions created: ${r.partitionsCreated.join(', ')}`);
      return 0;
    } finally {
      await leaveAsFound(target);
    }
  },
};

// After the agent's own handler has begun the drain, a second signal must not kill the
// process halfway: the same Ctrl-C reaches it twice (from the terminal, and again from npm,
// which forwards it), so one arriving within a moment of the first is that same one. A
// later one means "now": exit without finishing the drain (the spool keeps what it holds).
function guardRepeatedSignals(): void {
  let first = 0;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (!first) {
        first = Date.now();
        return;
      }
      if (Date.now() - first < 2000) return;
      note(`${sig} again: exiting before the drain finished; the spool keeps what is not yet written`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

// Under npm (npm start, npm run, npx) a shell may stand between npm and the agent and die
// of the signal without passing it on, leaving the agent orphaned and still serving. An
// agent whose parent is gone drains and stops as if sent SIGTERM.
function stopWhenOrphaned(): void {
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    note(`the process that started the agent (pid ${parent}) is gone: draining and stopping`);
    process.kill(process.pid, 'SIGTERM');
  }, 500).unref();
}

const start: Command = {
  usage: `usage: blotter start [--config FILE]

Run the agent until SIGTERM or Ctrl-C, which drain it: the ingest API, the spool and its
writer, the logger's sinks and the jobs. Migrates the database first. With no database
configured it uses the embedded one under BLOTTER_HOME, creating it (and saying so on
stderr) when there is none.
  --config FILE     the config file (default: BLOTTER_CONFIG, else config/blotter.yaml)

${DATABASE_HELP}`,
  options: { config: { type: 'string' } },
  positionals: false,
  async run(a) {
    const config = loadConfig({ file: a.configFile });
    // Before the agent's modules load and its heap grows (README: "Memory").
    if (config.agent.v8_flags.trim()) v8.setFlagsFromString(config.agent.v8_flags.trim());
    const database = await resolveDatabase({ config, configFile: a.configFile, create: true });
    note(`database ${redactUrl(database.url)} (from ${describeOrigin(database.origin)})`);
    config.database.url = database.url;
    // Loaded here: the agent's modules (graphile-worker, pino, ...) take most of a second
    // to load, which no other command needs to pay.
    const { startAgent } = await import('./agent.ts');
    const agent = await startAgent(config, { home: blotterHome(), handleSignals: true });
    guardRepeatedSignals();
    stopWhenOrphaned();
    note(`agent ${agent.sessionId} listening on ${agent.url} (SIGTERM or Ctrl-C drains and stops)`);
    // Runs until a signal; the signal handler exits the process.
    await new Promise(() => {});
    return 0;
  },
};

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const logs: Command = {
  usage: `usage: blotter logs [--level L] [--category C] [--from T] [--to T] [--grep S] [--limit N] [--json] [--config FILE]

Query the trading log (ops.logs), oldest first.
  --level L         this level and above: ${LEVELS.join(', ')} (default trace)
  --category C      one category (connection, order, execution, ...)
  --from T, --to T  a date or timestamp; from is inclusive, to exclusive
  --grep S          case-insensitive text in the message or the fields
  --limit N         at most N lines (default 1000)
  --json            one JSON object per line
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: {
    level: { type: 'string' }, category: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    grep: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' }, config: { type: 'string' },
  },
  positionals: false,
  async run({ flags, ...a }) {
    const level = typeof flags.level === 'string' ? flags.level : 'trace';
    if (!LEVELS.includes(level)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}`);
    const limit = Number(flags.limit ?? 1000);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000) throw new UsageError('--limit must be an integer from 1 to 1000000');
    for (const k of ['from', 'to'] as const) {
      if (typeof flags[k] === 'string' && Number.isNaN(Date.parse(flags[k] as string))) throw new UsageError(`--${k} must be a date or timestamp, got "${flags[k]}"`);
    }
    const levels = LEVELS.slice(LEVELS.indexOf(level));
    const rows = await withSql({ flags, ...a }, (sql) => sql`
      select to_char(logged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as time, level, category, source, msg, privacy.reveal_json(fields) as fields, session_id
        from ops.logs
       where level = any(${levels})
         ${typeof flags.category === 'string' ? sql`and category = ${flags.category}` : sql``}
         ${typeof flags.from === 'string' ? sql`and logged_at >= ${flags.from}::text::timestamptz` : sql``}
         ${typeof flags.to === 'string' ? sql`and logged_at < ${flags.to}::text::timestamptz` : sql``}
         ${typeof flags.grep === 'string' ? sql`and (msg ilike ${'%' + flags.grep + '%'} or fields::text ilike ${'%' + flags.grep + '%'})` : sql``}
       order by logged_at, log_id
       limit ${limit}`);
    for (const r of rows) {
      if (flags.json) out(JSON.stringify(r));
      else out(`${r.time} ${String(r.level).toUpperCase().padEnd(5)} [${r.category}] ${r.source === 'bot' ? '(bot) ' : ''}${r.msg}${r.fields ? ' ' + JSON.stringify(r.fields) : ''}`);
    }
    if (rows.length === 0) {
      const filters = ['level', 'category', 'from', 'to', 'grep'].filter((k) => typeof flags[k] === 'string').map((k) => `--${k} ${flags[k]}`);
      note(filters.length ? `no log lines match ${filters.join(' ')}` : 'the log (ops.logs) has no lines');
    }
    return 0;
  },
};

const append: Command = {
  usage: `usage: blotter append FILE|- [--skip-invalid] [--json] [--config FILE]

Load NDJSON events (one per line; - reads standard input) into the ledger through COPY.
A file lands whole or not at all: each bad line is reported with its number and field.
  --skip-invalid    load the good lines and report the bad ones
  --json            print a machine-readable summary
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { 'skip-invalid': { type: 'boolean' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: true,
  async run(a) {
    const { flags, positionals } = a;
    if (positionals.length !== 1) throw new UsageError('append needs exactly one FILE, or - for standard input');
    const input = openInput(positionals[0]!);
    const r = await withSql(a, (sql) => appendNdjson(sql, input, { parse: parseAnyEventLine, skipInvalid: Boolean(flags['skip-invalid']) }));
    if (flags.json) {
      out(JSON.stringify(r));
    } else {
      for (const e of r.invalid) process.stderr.write(`line ${e.line}: ${e.field}: ${e.reason}\n`);
      if (r.invalidCount > r.invalid.length) process.stderr.write(`… and ${r.invalidCount - r.invalid.length} more invalid lines\n`);
      if (!r.written) out(`refused: ${r.invalidCount} invalid lines, nothing appended (use --skip-invalid to load the rest)`);
      else out(`appended ${r.appended}, duplicates ${r.duplicates}${r.invalidCount ? `, skipped invalid ${r.invalidCount}` : ''}`);
    }
    return r.written ? 0 : 1;
  },
};

// The streams there are, for a message about one that is not.
async function noSuchStream(sql: ReturnType<typeof connect>, stream: string): Promise<BlotterError> {
  const rows = await sql`select stream from ledger.streams order by stream limit 11`;
  const names = rows.map((r) => r.stream as string);
  const list = names.length === 0 ? 'the ledger has none' : `streams: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`;
  return new BlotterError('STREAM_UNKNOWN', `no stream "${stream}" in the ledger (${list})`);
}

const verify: Command = {
  usage: `usage: blotter verify [--stream S] [--digest FILE|DIR [--public-key FILE]] [--json] [--config FILE]

Recompute every hash of the chain from the rows as read, and check links, gapless
stream_seq and each stream's head. Exit 0 intact, 1 tampered, 2 error.
  --stream S        only this stream (an unknown stream is an error)
  --digest FILE|DIR also check the heads recorded by \`blotter digest\` (a directory: every
                    .json digest in it)
  --public-key FILE every digest must be signed by this key (blotter digest --sign); its
                    signature is checked first: a digest changed after signing is tampering
  --json            one JSON object: { ok, streams: [...] }
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { stream: { type: 'string' }, digest: { type: 'string' }, 'public-key': { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: false,
  async run(a) {
    const { flags } = a;
    if (typeof flags['public-key'] === 'string' && typeof flags.digest !== 'string') throw new UsageError('--public-key checks digests: give --digest FILE|DIR');
    let digests;
    try {
      digests = typeof flags.digest === 'string' ? readDigests(flags.digest, { publicKeyFile: typeof flags['public-key'] === 'string' ? flags['public-key'] : undefined }) : undefined;
    } catch (err) {
      if ((err as BlotterError).code !== 'DIGEST_SIGNATURE') throw err;
      // a digest that does not carry its signer's signature is evidence, not an error
      if (flags.json) out(JSON.stringify({ ok: false, digest: (err as Error).message }));
      else out(`TAMPERED digest: ${(err as Error).message}`);
      return 1;
    }
    const stream = typeof flags.stream === 'string' ? flags.stream : undefined;
    const reports = await withSql(a, async (sql) => {
      const r = await verifyLedger(sql, { stream, digests });
      if (stream !== undefined && r.length === 0) throw await noSuchStream(sql, stream);
      return r;
    });
    const ok = reports.every((r) => r.ok);
    if (flags.json) {
      out(JSON.stringify({ ok, streams: reports }));
    } else {
      for (const r of reports) {
        const from = r.checkpoint ? ` after the checkpoint at ${r.checkpoint} (earlier rows: blotter verify-archive)` : '';
        out(r.ok ? `ok       ${r.stream}: ${r.rowsChecked} rows${from}`
          : `TAMPERED ${r.stream}: ${r.rowsChecked} rows, first bad stream_seq ${r.firstBadStreamSeq}: ${r.reason} (${r.detail})`);
      }
      if (reports.length === 0) out('the ledger is empty');
      out(ok ? 'chain intact' : 'chain TAMPERED');
    }
    return ok ? 0 : 1;
  },
};

const digest: Command = {
  usage: `usage: blotter digest --out FILE [--stream S] [--sign KEYFILE] [--config FILE]
       blotter digest --keygen --out KEYFILE

Write each stream's head (stream_seq and hash) to FILE; keep it outside the database host,
and check against it later with \`blotter verify --digest FILE\`.
  --out FILE        where to write the digest
  --stream S        only this stream (an unknown stream is an error)
  --sign KEYFILE    sign it with this Ed25519 private key (kept off the database host):
                    rewriting history then needs the key too; verify with --public-key
  --keygen          make a key pair: KEYFILE (private, mode 600) and KEYFILE.pub
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { stream: { type: 'string' }, out: { type: 'string' }, sign: { type: 'string' }, keygen: { type: 'boolean' }, config: { type: 'string' } },
  positionals: false,
  async run(a) {
    const { flags } = a;
    if (typeof flags.out !== 'string') throw new UsageError('digest needs --out FILE; keep that file outside the database host');
    const file = flags.out;
    if (flags.keygen) {
      const k = generateDigestKeys(file);
      out(`Ed25519 key pair: ${file} (private: keep it off the database host) and ${k.publicFile}; key id ${k.keyId}`);
      return 0;
    }
    const stream = typeof flags.stream === 'string' ? flags.stream : undefined;
    let d = await withSql(a, (sql) => takeDigest(sql, stream));
    if (typeof flags.sign === 'string') d = signDigest(d, flags.sign);
    writeDigestFile(file, d);
    out(`digest of ${d.streams.length} streams written to ${file}${d.signature ? `, signed by key ${d.signature.keyId.slice(0, 16)}…` : ''}`);
    return 0;
  },
};

const demo: Command = {
  usage: `usage: blotter demo [--keep]

A scripted trading day through the TWS simulator, end to end: fills before and after the
agent connects, a correction, a late commission, a dropped socket; then what landed and
whether the chain verifies. It always runs on its own throwaway embedded database in a
temporary BLOTTER_HOME: DATABASE_URL, BLOTTER_DATABASE_URL, the config file and
BLOTTER_HOME are ignored, and nothing of yours is touched.
  --keep            keep the temporary home (and its database) afterwards
`,
  options: { keep: { type: 'boolean' } },
  positionals: false,
  async run(a) {
    const { runDemo } = await import('./ib/demo.ts');
    return (await runDemo({ keep: Boolean(a.flags.keep), out })) ? 0 : 1;
  },
};

// RFC 3339 (a date, a time and an offset), checked field by field so that a 30th of
// February or a 25th hour is refused here rather than rolled over. Returned with T and Z
// in upper case, as PostgreSQL reads it.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;
function rfc3339(flag: string, v: string): string {
  const bad = new UsageError(`${flag} must be an RFC 3339 timestamp such as 2026-11-26T21:00:00Z or 2026-11-26T16:00:00-05:00, not "${v}"`);
  const m = RFC3339.exec(v);
  if (!m) throw bad;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const offsetOk = m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || sec > 60 || !offsetOk) throw bad;
  return v.replace(/[t ]/, 'T').replace(/z$/, 'Z');
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const reconRun: Command = {
  usage: `usage: blotter recon run [--account A] [--as-of T] [--scope S] [--json] [--config FILE]

Reconcile the bot's records against IB's as the ledger holds them (recon.reconcile):
executions, positions, cash and net liquidation, P&L, orders. Corrections (inferred fills
and commissions), breaks and the run itself are appended to the ledger, stream recon.
Prints per account what was compared and the account's open breaks.
Exit 0 the run found no discrepancy, 1 it found breaks, 2 error.
  --account A       only this account (default: every account of recon.accounts())
  --as-of T         as of this RFC 3339 time (default now), reading only what was recorded
                    by then; the same account, time and scope repeat a run exactly
  --scope S         manual (the default: everything, as all), all, hourly, close, weekly,
                    monthly, after_fill, executions, positions, cash, pnl, orders or
                    statement (the three-way check against imported Flex statements)
  --json            one JSON object: { ok, runs: [{ account, run_id, as_of, entities, open_breaks, ... }] }
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { account: { type: 'string' }, 'as-of': { type: 'string' }, scope: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: false,
  async run(a) {
    const { flags } = a;
    const account = str(flags.account);
    if (account === '') throw new UsageError('--account needs an account id, such as DU1234567');
    const asOf = str(flags['as-of']) === undefined ? null : rfc3339('--as-of', str(flags['as-of'])!);
    const scope = str(flags.scope) ?? 'manual';
    const json = Boolean(flags.json);
    const runs: Record<string, unknown>[] = [];
    let done = 0;
    let discrepancies = 0;
    await withSql(a, async (sql) => {
      const known = await accounts(sql);
      // recon.reconcile records a run for any name it is given: a mistyped account would
      // leave an empty run in the ledger and pass for reconciled.
      if (account !== undefined && !known.includes(account)) {
        const list = known.length ? `accounts: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : 'none is known yet';
        throw new BlotterError('ACCOUNT_UNKNOWN', `no account "${account}" to reconcile (${list})`);
      }
      const list = account !== undefined ? [account] : known;
      if (list.length === 0) note('no accounts to reconcile: neither the IB relay nor the bot has recorded anything for an account yet');
      for (const acc of list) {
        const entities = await reconcile(sql, acc, asOf, scope);
        let open: Break[] | string;
        try {
          open = await listBreaks(sql, { account: acc, statuses: UNRESOLVED });
        } catch (err) {
          // The agent's role may run a reconciliation but not read breaks: the run stands.
          const denied = cannotRead(err);
          if (!denied) throw err;
          open = denied.message;
        }
        const found = entities.reduce((n, e) => n + e.discrepancies, 0);
        discrepancies += found;
        if (json) {
          const r = entities[0]!;
          runs.push({
            account: acc, run_id: r.run_id, as_of: r.as_of, scope: r.scope, discrepancies: found,
            breaks_opened: r.breaks_opened, breaks_updated: r.breaks_updated, breaks_cleared: r.breaks_cleared,
            entities: entities.map(({ entity, total, matched, within_tolerance, corrected, pending, discrepancies, skipped, status }) =>
              ({ entity, total, matched, within_tolerance, corrected, pending, discrepancies, skipped, status })),
            open_breaks: typeof open === 'string' ? null : open, ...(typeof open === 'string' ? { open_breaks_error: open } : {}),
          });
        } else {
          // Printed as each account finishes: a failure later keeps what was done before.
          if (done) out('');
          for (const l of runText(entities, open)) out(l);
        }
        done++;
      }
    }, openCliConnection);
    if (json) out(stringifyExact({ ok: discrepancies === 0, runs }));
    return discrepancies === 0 ? 0 : 1;
  },
};

const recon: Group = {
  usage: `usage: blotter recon run [options]    (blotter recon run --help for its options)

Reconciliation of the bot's records against IB's, in the database (schema recon).
  run       reconcile one account or every account now (or as of a time), print what was
            compared and the open breaks; exit 0 no discrepancy, 1 breaks, 2 error
Breaks are listed and reviewed with \`blotter breaks\`. The agent (\`blotter start\`) also
reconciles on a schedule; every run is in the view recon.runs.
`,
  subcommands: { run: reconRun },
};

const BREAKS_ACCESS = `Reading breaks needs a database user in blotter_reviewer or blotter_auditor; reviews
(ack, resolve, escalate) need blotter_reviewer. They run as your own login, never as the
agent's role, and the ledger records that login as the actor.`;

const breaksList: Command = {
  usage: `usage: blotter breaks list [--account A] [--status S] [--all] [--json] [--config FILE]

Reconciliation breaks, worst first (severity as of now): open, acknowledged and escalated
ones unless told otherwise. Each is identified as category:key, the ID the other
subcommands take.
  --account A       only this account
  --status S        only this status: ${STATUSES.join(', ')}
  --all             every break, resolved and cleared ones too
  --json            one JSON object: { breaks: [...] } with the columns of recon.breaks
${CONFIG_OPTION}

${BREAKS_ACCESS}

${DATABASE_HELP}`,
  options: { account: { type: 'string' }, status: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: false,
  async run(a) {
    const { flags } = a;
    const status = str(flags.status);
    if (status !== undefined && flags.all) throw new UsageError('--status and --all: give one or the other');
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
    const account = str(flags.account);
    const statuses = flags.all ? undefined : status !== undefined ? [status] : UNRESOLVED;
    const list = await withSql(a, (sql) => listBreaks(sql, { account, statuses }).catch((err) => { throw cannotRead(err) ?? err; }), openCliConnection);
    if (flags.json) out(stringifyExact({ breaks: list }));
    else for (const l of list.length ? breakListText(list) : []) out(l);
    if (list.length === 0) {
      const which = flags.all ? '' : status !== undefined ? `${status} ` : 'open, acknowledged or escalated ';
      note(`no ${which}breaks${account !== undefined ? ` for account ${account}` : ''}`);
    }
    return 0;
  },
};

function oneId(a: Args, sub: string): string {
  const [id, extra] = a.positionals;
  if (id === undefined || id === '') throw new UsageError(`${sub} needs the ID of a break (category:key, as \`blotter breaks list\` shows it)`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return id;
}

const breaksShow: Command = {
  usage: `usage: blotter breaks show ID [--json] [--config FILE]

One break: its status, severity, the fields that differ (broker, bot, difference), and its
whole history (recon.break_history): each detection by a run and each review by a person.
  --json            one JSON object: { break: {...}, history: [...] }
${CONFIG_OPTION}

${BREAKS_ACCESS}

${DATABASE_HELP}`,
  options: { json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: true,
  async run(a) {
    const id = oneId(a, 'show');
    const r = await withSql(a, async (sql) => {
      try {
        const b = await getBreak(sql, id);
        if (!b) throw unknownBreak(id);
        return { break: b, history: await breakHistory(sql, id) };
      } catch (err) {
        throw cannotRead(err) ?? err;
      }
    }, openCliConnection);
    if (a.flags.json) out(stringifyExact(r));
    else for (const l of breakText(r.break, r.history)) out(l);
    return 0;
  },
};

function reviewCommand(sub: string, action: ReviewAction, what: string, noteRequired: boolean): Command {
  return {
    usage: `usage: blotter breaks ${sub} ID ${noteRequired ? '--note N' : '[--note N]'} [--config FILE]

${what} (recon.review_break), recorded in the ledger with your database user as the actor.
  --note N          ${noteRequired ? 'why (required)' : 'a note for the record'}
${CONFIG_OPTION}

${BREAKS_ACCESS}

${DATABASE_HELP}`,
    options: { note: { type: 'string' }, config: { type: 'string' } },
    positionals: true,
    async run(a) {
      const id = oneId(a, sub);
      const text = str(a.flags.note)?.trim() || null;
      if (noteRequired && text === null) throw new UsageError(`${sub} needs --note N saying why the break is resolved`);
      const status = await withSql(a, (sql) => reviewBreak(sql, id, action, text), openCliConnection);
      out(`${id}: ${status}`);
      return 0;
    },
  };
}

const breaks: Group = {
  usage: `usage: blotter breaks list|show|ack|resolve|escalate ...    (blotter breaks <subcommand> --help for its options)

Reconciliation breaks (recon.breaks): one per difference a run found, identified as
category:key. A break moves open → acknowledged → resolved | escalated by review; a run
that no longer sees it clears it, and one that sees it again reopens it.
  list [--account A] [--status S] [--all] [--json]   open, acknowledged and escalated breaks (--all: every one)
  show ID [--json]                                    one break, its fields and its whole history
  ack ID [--note N]                                   acknowledge: someone is on it
  resolve ID --note N                                 resolve, saying why (the note is required)
  escalate ID [--note N]                              escalate
${CONFIG_OPTION}

${BREAKS_ACCESS}

${DATABASE_HELP}`,
  subcommands: {
    list: breaksList,
    show: breaksShow,
    ack: reviewCommand('ack', 'acknowledge', 'Acknowledge a break: someone is looking into it', false),
    resolve: reviewCommand('resolve', 'resolve', 'Resolve a break, saying why in the note', true),
    escalate: reviewCommand('escalate', 'escalate', 'Escalate a break', false),
  },
};

const USERS_ACCESS = `People are managed by the database owner (the user that runs blotter migrate); the
console itself (console.enabled in the config, served at /console on the ingest listener)
only checks their passwords. Each change is an event in ledger stream console.`;

const usersAdd: Command = {
  usage: `usage: blotter users add NAME --role viewer|reviewer|admin [--config FILE]

Add a person to the review console and print a one-time password, once: only its scrypt
hash is stored, and the console asks for a new password at the first sign-in.
  NAME              lower-case letters, digits, ".", "_" or "-", starting with a letter
  --role R          viewer (reads every page), reviewer (also acknowledges, escalates and
                    resolves breaks) or admin (the same as reviewer, for now)
${CONFIG_OPTION}

${USERS_ACCESS}

${DATABASE_HELP}`,
  options: { role: { type: 'string' }, config: { type: 'string' } },
  positionals: true,
  async run(a) {
    const { addUser, ROLES } = await import('./console/users.ts');
    const name = oneName(a, 'add');
    const role = str(a.flags.role);
    if (role === undefined) throw new UsageError(`add needs --role: one of ${ROLES.join(', ')}`);
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not "${role}"`);
    const password = await withSql(a, (sql) => addUser(sql, name, role));
    out(`user ${name} added as ${role}`);
    out(`one-time password: ${password}`);
    note('the password is shown this once and must be changed at the first sign-in at /console');
    return 0;
  },
};

function oneName(a: Args, sub: string): string {
  const [name, extra] = a.positionals;
  if (name === undefined || name === '') throw new UsageError(`${sub} needs a NAME`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  if (!/^[a-z][a-z0-9._-]{0,62}$/.test(name)) throw new UsageError(`NAME "${name}": lower-case letters, digits, ".", "_" or "-", starting with a letter, at most 63 characters`);
  return name;
}

const usersList: Command = {
  usage: `usage: blotter users list [--json] [--config FILE]

The console's people: name, role, whether the one-time password is still to be replaced,
who added them and when, and whether they are disabled. Never a password or its hash.
  --json            one JSON object: { users: [...] }
${CONFIG_OPTION}

${USERS_ACCESS}

${DATABASE_HELP}`,
  options: { json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: false,
  async run(a) {
    const { listUsers } = await import('./console/users.ts');
    const list = await withSql(a, (sql) => listUsers(sql));
    if (a.flags.json) out(JSON.stringify({ users: list }));
    else if (list.length === 0) note('no users yet: blotter users add NAME --role viewer|reviewer|admin');
    else for (const u of list) out(`${u.name.padEnd(20)} ${u.role.padEnd(9)} ${u.disabled_at ? `disabled ${u.disabled_at}` : u.must_change_password ? 'one-time password not yet replaced' : 'active'}  (added ${u.created_at} by ${u.created_by})`);
    return 0;
  },
};

const usersReset: Command = {
  usage: `usage: blotter users reset NAME [--config FILE]

A new one-time password for NAME (printed once; to be replaced at the next sign-in); a
disabled person is enabled again. Sessions of NAME already open end at their next request.
${CONFIG_OPTION}

${USERS_ACCESS}

${DATABASE_HELP}`,
  options: { config: { type: 'string' } },
  positionals: true,
  async run(a) {
    const { resetUser } = await import('./console/users.ts');
    const name = oneName(a, 'reset');
    const password = await withSql(a, (sql) => resetUser(sql, name));
    out(`user ${name}: new one-time password: ${password}`);
    return 0;
  },
};

const usersDisable: Command = {
  usage: `usage: blotter users disable NAME [--config FILE]

NAME may no longer sign in; sessions already open end at their next request.
${CONFIG_OPTION}

${USERS_ACCESS}

${DATABASE_HELP}`,
  options: { config: { type: 'string' } },
  positionals: true,
  async run(a) {
    const { disableUser } = await import('./console/users.ts');
    const name = oneName(a, 'disable');
    await withSql(a, (sql) => disableUser(sql, name));
    out(`user ${name} disabled`);
    return 0;
  },
};

const users: Group = {
  usage: `usage: blotter users add|list|reset|disable ...    (blotter users <subcommand> --help for its options)

People of the review console (/console on the agent's listener, when console.enabled).
  add NAME --role viewer|reviewer|admin   add a person; prints a one-time password
  list [--json]                           the people, their roles and state
  reset NAME                              a new one-time password
  disable NAME                            no more sign-ins
${CONFIG_OPTION}

${USERS_ACCESS}

${DATABASE_HELP}`,
  subcommands: { add: usersAdd, list: usersList, reset: usersReset, disable: usersDisable },
};

const FLEX_DATES = `Dates and times are read in every format IB's Flex queries offer (yyyyMMdd, yyyy-MM-dd,
MM/dd/yyyy, MM/dd/yy, dd/MM/yyyy, dd/MM/yy, dd-MMM-yy; HHmmss or HH:mm:ss; any separator);
times without a zone are New York time. MM/dd and dd/MM are told apart from the whole file;
when nothing in it decides, pass --date-format.`;

const flexImport: Command = {
  usage: `usage: blotter flex import FILE... [--date-format F] [--json] [--config FILE]

Import IB Flex statements (Activity "AF" or Trade Confirmation "TCF" XML, any number of
accounts per file) into the ledger: source flex, stream flex:<account>. Each file lands
whole or not at all; importing a statement again, or one that overlaps, adds only what is
new. Prints per account and section what was new, already known, and not recorded
(roll-ups such as Order and SymbolSummary rows, and summary copies, repeat other rows).
Exit 0 every file imported, 2 a file was refused (nothing of it written; earlier files stay).
  --date-format F   MM/dd/yyyy or dd/MM/yyyy, for a file whose slash dates do not say which
                    (default: flex.date_format of the config, auto)
  --json            one JSON object per file: { file, type, statements, sections, new, known, skipped }
${CONFIG_OPTION}

${FLEX_DATES}

${DATABASE_HELP}`,
  options: { 'date-format': { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: true,
  async run(a) {
    if (a.positionals.length === 0) throw new UsageError('flex import needs at least one FILE');
    const flag = str(a.flags['date-format']);
    const { dateOrderSetting } = await import('./flex/fetch.ts');
    const { importFlexFile } = await import('./flex/import.ts');
    const dateOrder = flag !== undefined ? dateOrderOption(flag) : dateOrderSetting(loadConfig(a.configFile ? { file: a.configFile } : {}).flex);
    keepYoungGenerationSmall();
    await withSql(a, async (sql) => {
      for (const file of a.positionals) {
        const bar = progressBar(process.stderr, `importing ${file}`);
        let r: ImportResult;
        try {
          r = await importFlexFile(sql, file, { dateOrder, onProgress: bar.update });
        } finally {
          bar.end();
        }
        if (a.flags.json) out(stringifyExact(r));
        else for (const l of importText(r)) out(l);
      }
    });
    return 0;
  },
};

const YMD = /^\d{4}-?\d{2}-?\d{2}$/;
const flexFetch: Command = {
  usage: `usage: blotter flex fetch [--query ID]... [--from D --to D] [--no-import] [--json] [--config FILE]

Fetch statements from IB's Flex Web Service (the token from flex.token or
BLOTTER_FLEX_TOKEN, never printed), keep each file under flex.dir ($BLOTTER_HOME/flex by
default) and import it. Waits while IB generates the statement and backs off when IB
throttles (at most flex.max_wait_ms).
  --query ID        a Flex query id (repeatable; default: every id of flex.queries)
  --from D --to D   the period (YYYY-MM-DD or YYYYMMDD, at most 365 days) instead of the query's own
  --no-import       only fetch and keep the file
  --json            one JSON object per query: { query, file, bytes, imported }
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { query: { type: 'string', multiple: true }, from: { type: 'string' }, to: { type: 'string' }, 'no-import': { type: 'boolean' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: false,
  async run(a) {
    const config = loadConfig(a.configFile ? { file: a.configFile } : {});
    const queries = (a.flags.query as unknown as string[] | undefined) ?? config.flex.queries;
    for (const q of queries) if (!/^\d{1,12}$/.test(q)) throw new UsageError(`--query must be a Flex query id (digits), not "${q}"`);
    const from = str(a.flags.from), to = str(a.flags.to);
    if ((from === undefined) !== (to === undefined)) throw new UsageError('--from and --to go together');
    for (const [name, v] of [['--from', from], ['--to', to]] as const) {
      if (v !== undefined && !YMD.test(v)) throw new UsageError(`${name} must be a date YYYY-MM-DD or YYYYMMDD, not "${v}"`);
    }
    const { fetchAndImport, requireFetchSettings } = await import('./flex/fetch.ts');
    requireFetchSettings(config.flex, queries);
    keepYoungGenerationSmall();
    const iso = (d: string): string => (d.includes('-') ? d : `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`);
    const log = { info: (o: object, m: string) => note(`${m} ${JSON.stringify(o)}`), warn: (o: object, m: string) => note(`${m} ${JSON.stringify(o)}`) };
    const fetchAll = async (sql: ReturnType<typeof connect> | null): Promise<void> => {
      for (const q of queries) {
        const r = await fetchAndImport(sql, {
          settings: config.flex, home: blotterHome(), queryId: q, log, ...(from ? { fromDate: iso(from), toDate: iso(to!) } : {}),
        });
        if (a.flags.json) out(stringifyExact({ query: q, file: r.file, bytes: r.bytes, attempts: r.attempts, imported: r.imported }));
        else {
          out(`query ${q}: ${r.file} (${r.bytes} bytes)`);
          if (r.imported) for (const l of importText(r.imported)) out(l);
        }
      }
    };
    if (a.flags['no-import']) await fetchAll(null);
    else await withSql(a, fetchAll);
    return 0;
  },
};

const flex: Group = {
  usage: `usage: blotter flex import FILE... | flex fetch    (blotter flex <subcommand> --help for its options)

IB Flex statements, the broker's book of record: fills (also those the live feed missed),
positions, cash transactions (deposits, withdrawals, dividends, interest, fees), cash
report and daily NAV. Read them in ledger.flex_trades, flex_positions,
flex_cash_transactions, flex_cash_report, flex_nav and flex_statements; reconciliation
(scope statement, and every close run) compares them with the live feed and the bot.
  import    import statement files
  fetch     fetch statements from the Flex Web Service and import them
The agent fetches and imports the statements up to the previous business day each New York
morning when flex.token and flex.queries are set.
`,
  subcommands: { import: flexImport, fetch: flexFetch },
};

const REPORT_USAGE = `usage: blotter report list
       blotter report NAME [--from D] [--to D] [--year Y] [--account A] [--order ID]
                           [--format csv|json|xlsx|html|pdf] [--out FILE] [--table T] [--allow-empty]
       blotter report refresh
       blotter report define NAME --sql FILE [--description TEXT] [--actor WHO]
       blotter report run NAME [--param KEY=VALUE]... [--max-rows N] [--format F] [--out FILE]
       blotter report show NAME

Write a report (docs/reports.md defines each; blotter report list shows them and their
parameters). Dates are New York dates, YYYY-MM-DD, both ends included; without them a
report covers the last day with data (daily, execution), its year (monthly, tax), the
last 30 days (reconciliation) or everything (config-changes, user-actions).
  --format F        csv (default; one table, --table picks it; FILE.meta.json beside it
                    holds the parameters, freshness and chain status), json, xlsx (a cover
                    sheet, then a sheet per table), html (self-contained, charts), pdf
  --out FILE        write FILE (atomically) instead of standard output (required for
                    xlsx and pdf on a terminal)
  --allow-empty     write the file even when the range has no rows (otherwise: exit 1)
  refresh           refresh the materialized reports now (the agent does it after fills,
                    statements and the close)
Custom reports: one SELECT over reports.* saved under a name (every version kept in the
ledger), with named parameters (:from, :account, ...) given as --param from=2026-11-01.
It runs read-only as blotter_bi with a timeout and a row cap (--max-rows, default 10000);
anything else (another schema, a write, a second statement) is refused (docs/reports.md).
Exit: 0 written, 1 nothing in the range, 2 usage or database errors.
${CONFIG_OPTION}

${DATABASE_HELP}`;

async function withReadPool<T>(a: Args, fn: (pool: import('slonik').DatabasePool, url: string) => Promise<T>): Promise<T> {
  const { openReadPool } = await import('./report/read.ts');
  const db = await resolveDatabase({ configFile: a.configFile, create: false });
  try {
    const pool = await openReadPool(db.url, { statementTimeoutMs: 600_000 });
    try {
      return await fn(pool, db.url);
    } finally {
      await pool.end();
    }
  } finally {
    await leaveAsFound(db);
  }
}

async function reportParams(f: Flags): Promise<Params> {
  const { checkDate } = await import('./report/run.ts');
  const p: Params = {};
  if (typeof f.from === 'string') p.from = checkDate(f.from, '--from');
  if (typeof f.to === 'string') p.to = checkDate(f.to, '--to');
  if (typeof f.year === 'string') {
    if (!/^\d{4}$/.test(f.year)) throw new UsageError(`--year "${f.year}" is not a year (e.g. 2026)`);
    p.year = Number(f.year);
  }
  if (typeof f.account === 'string') p.account = f.account;
  if (typeof f.order === 'string') p.order = f.order;
  return p;
}

// Rows written so far, on a terminal only, at most twice a second.
function rowCounter(label: string): { tick: (n: number) => void; done: () => void } {
  if (!process.stderr.isTTY) return { tick: () => {}, done: () => {} };
  let last = 0;
  let shown = false;
  return {
    tick: (n) => {
      const now = Date.now();
      if (now - last < 500) return;
      last = now;
      shown = true;
      process.stderr.write(`\r${label}: ${n.toLocaleString('en-US')} rows`);
    },
    done: () => { if (shown) process.stderr.write('\r\x1b[K'); },
  };
}

async function emit(built: Built, f: Flags): Promise<number> {
  const { FORMATS, writeReport } = await import('./report/run.ts');
  const format = (typeof f.format === 'string' ? f.format : 'csv') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format "${format}": one of ${FORMATS.join(', ')}`);
  const outFile = typeof f.out === 'string' ? f.out : undefined;
  if (!outFile && (format === 'xlsx' || format === 'pdf') && process.stdout.isTTY) throw new UsageError(`--out FILE is needed for ${format} (a binary file) on a terminal`);
  if (outFile) {
    const dir = path.dirname(path.resolve(outFile));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${outFile}: directory ${dir} does not exist`);
    if (fs.existsSync(outFile) && fs.statSync(outFile).isDirectory()) throw new UsageError(`--out ${outFile} is a directory; name a file`);
  }
  if (built.empty && !f['allow-empty']) {
    note(`${built.describe}: no rows in that range; nothing written (--allow-empty writes it anyway)`);
    return 1;
  }
  const multi = built.doc.tables.length > 1 && format === 'csv' && typeof f.table !== 'string';
  if (multi) note(`${built.describe}: CSV holds one table: ${built.doc.tables[0]!.name} (also: ${built.doc.tables.slice(1).map((t) => t.name).join(', ')}; --table NAME)`);
  const counter = rowCounter(built.describe);
  try {
    const r = await writeReport(built.doc, { format, out: outFile, table: typeof f.table === 'string' ? f.table : undefined, onRows: counter.tick });
    counter.done();
    if (outFile) note(`${built.describe}: ${r.rows} rows, ${r.bytes} bytes to ${outFile} (sha256 ${r.sha256})${r.sidecar ? `; parameters and freshness in ${r.sidecar}` : ''}`);
    return 0;
  } finally {
    counter.done();
  }
}

// define / run / show of a custom report (agent/report/custom.ts).
async function customReport(a: Args, verb: string, names: string[]): Promise<number> {
  const [name, ...more] = names;
  if (!name) throw new UsageError(`report ${verb} needs a NAME`);
  if (more.length) throw new UsageError(`unexpected argument "${more[0]}"`);
  const custom = await import('./report/custom.ts');
  const f = a.flags;
  if (verb === 'define') {
    if (typeof f.sql !== 'string') throw new UsageError('report define needs --sql FILE (one SELECT over reports.*)');
    let text: string;
    try {
      text = f.sql === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(f.sql, 'utf8');
    } catch (err) {
      throw new UsageError(`--sql ${f.sql}: ${(err as Error).message}`);
    }
    const actor = typeof f.actor === 'string' ? f.actor : os.userInfo().username;
    return withSql(a, async (sql) => {
      const r = await custom.defineCustomReport(sql, { name, sqlText: text, description: typeof f.description === 'string' ? f.description : null, actor });
      out(`custom report ${r.name}: version ${r.version} saved (ledger seq ${r.seq}); run it with blotter report run ${r.name}`);
      return 0;
    });
  }
  if (verb === 'show') {
    return withSql(a, async (sql) => {
      const r = await custom.showCustomReport(sql, name);
      out(`${r.name} (version ${r.version}, defined by ${r.definedBy} at ${r.definedAt})${r.description ? `: ${r.description}` : ''}`);
      if (r.parameters.length) out(`parameters: ${r.parameters.join(', ')}`);
      out(r.sql.trimEnd());
      if (r.versions.length > 1) out(`(${r.versions.length} versions: blotter report show prints the latest; reports.custom_report_versions has them all)`);
      return 0;
    });
  }
  const params: Record<string, string> = {};
  for (const kv of (f.param as string[] | undefined) ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--param ${kv}: write --param NAME=VALUE`);
    params[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const maxRows = typeof f['max-rows'] === 'string' ? Number(f['max-rows']) : undefined;
  if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 1)) throw new UsageError(`--max-rows "${f['max-rows']}" is not a positive integer`);
  for (const k of ['from', 'to', 'year', 'account', 'order', 'table']) {
    if (f[k] !== undefined) throw new UsageError(`--${k} is for the built-in reports; a custom report takes --param ${k}=VALUE`);
  }
  return withSql(a, async (sql) => {
    const doc = await custom.runCustomReport(sql, { name, params, maxRows });
    const rows = doc.tables[0]!.rows as unknown[];
    return emit({ doc, empty: rows.length === 0, describe: `report ${name}` }, f);
  });
}

const report: Command = {
  usage: REPORT_USAGE,
  options: {
    from: { type: 'string' }, to: { type: 'string' }, year: { type: 'string' }, account: { type: 'string' }, order: { type: 'string' },
    format: { type: 'string' }, out: { type: 'string' }, table: { type: 'string' }, 'allow-empty': { type: 'boolean' }, config: { type: 'string' },
    sql: { type: 'string' }, description: { type: 'string' }, actor: { type: 'string' }, param: { type: 'string', multiple: true }, 'max-rows': { type: 'string' },
  },
  positionals: true,
  async run(a) {
    keepYoungGenerationSmall(); // an export allocates like an import: keep RSS flat
    const [name, ...more] = a.positionals;
    if (!name) throw new UsageError('expected list, refresh, define, run, show or a report name');
    if (['define', 'run', 'show'].includes(name)) return customReport(a, name, more);
    if (more.length) throw new UsageError(`unexpected argument "${more[0]}"`);
    if (name === 'list') {
      const { CATALOG } = await import('./report/catalog.ts');
      for (const r of CATALOG) out(`${r.name.padEnd(16)} ${r.description}${r.params.length ? `  [${r.params.map((p) => (r.required?.includes(p) ? `--${p}` : `--${p}?`)).join(' ')}]` : ''}`);
      const { listCustomReports } = await import('./report/custom.ts');
      const custom = await withSql(a, (sql) => listCustomReports(sql));
      for (const c of custom) out(`${c.name.padEnd(16)} (custom, v${c.version}) ${c.description ?? ''}${c.parameters.length ? `  [${c.parameters.map((p) => `--param ${p}=`).join(' ')}]` : ''}`);
      return 0;
    }
    if (name === 'refresh') {
      return withSql(a, async (sql) => {
        const rows = await sql.begin(async (tx) => {
          await tx`select set_config('statement_timeout', '3600000', true)`;
          return tx`select name, row_count::text as rows, duration_ms::text as ms from reports.refresh('cli')`;
        });
        for (const r of rows) out(`${String(r.name).padEnd(22)} ${String(r.rows).padStart(10)} rows  ${r.ms} ms`);
        return 0;
      });
    }
    const { CATALOG, findReport } = await import('./report/catalog.ts');
    if (!findReport(name)) {
      return customReport(a, 'run', [name]).catch((err: Error & { code?: string }) => {
        if (err.code !== 'CUSTOM_REPORT_UNKNOWN') throw err;
        throw new BlotterError('REPORT_UNKNOWN', `no report named "${name}" (built in: ${CATALOG.map((r) => r.name).join(', ')}; custom ones: blotter report list)`);
      });
    }
    const p = await reportParams(a.flags);
    const { buildCatalogReport } = await import('./report/run.ts');
    return withReadPool(a, async (pool) => emit(await buildCatalogReport(pool, name, p), a.flags));
  },
};

const retentionStatus: Command = {
  usage: `usage: blotter retention status [--json] [--config FILE]

How long each family of records is kept and whether that is locked (retention.policies),
and per partitioned family the oldest and newest record, the months wholly past retention
(reports.retention_status) and what is archived and purged (reports.archive_months).
Nothing is deleted by this command.
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: false,
  async run(a) {
    return withSql(a, async (sql) => {
      const policies = await sql`select family, keep::text as keep, locked, changed_at, changed_by from retention.policies order by family`;
      const status = await sql`select family, oldest, newest, rows_estimate::text as rows, due_before, partitions_due from reports.retention_status`;
      const archives = await sql`
        select family, count(*) filter (where archived_at is not null and purged_at is null)::int as archived,
               count(*) filter (where purged_at is not null)::int as purged,
               count(*) filter (where archived_at is null and complete)::int as not_archived,
               max(to_char(month, 'YYYY-MM')) filter (where archived_at is not null) as last_archived
          from reports.archive_months group by family`;
      if (a.flags.json) {
        out(JSON.stringify({ policies, status, archives }));
        return 0;
      }
      for (const p of policies) {
        const s = status.find((x) => x.family === p.family);
        const span = s ? (s.oldest ? ` oldest ${(s.oldest as Date).toISOString()}, newest ${(s.newest as Date).toISOString()}, ~${s.rows} rows;` : ' empty;') : '';
        const due = s ? ` ${(s.partitions_due as string[]).length ? `past retention: ${(s.partitions_due as string[]).join(', ')}` : 'nothing past retention'}` : '';
        const ar = archives.find((x) => x.family === p.family);
        const arch = ar ? `; archived ${ar.archived} months${ar.last_archived ? ` (to ${ar.last_archived})` : ''}, purged ${ar.purged}, whole months not archived ${ar.not_archived}` : '';
        out(`${String(p.family).padEnd(14)} keep ${String(p.keep).padEnd(9)} ${p.locked ? 'locked  ' : 'unlocked'}${span}${due}${arch}`);
      }
      return 0;
    });
  },
};

const retentionSet: Command = {
  usage: `usage: blotter retention set FAMILY KEEP [--lock] [--config FILE]

Keep FAMILY (ledger_events, ops_logs, ops_metrics, job_history, file_logs) for KEEP, a
PostgreSQL interval such as "7 years" or "90 days"; --lock locks it. A locked policy can
only be lengthened: shortening, unlocking or removing it is refused for every role. Each
change is a retention_policy_changed event in the ledger.
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { lock: { type: 'boolean' }, config: { type: 'string' } },
  positionals: true,
  async run(a) {
    const [family, keep, ...more] = a.positionals;
    if (!family || !keep) throw new UsageError('expected FAMILY and KEEP, e.g. blotter retention set ops_logs "5 years"');
    if (more.length) throw new UsageError(`unexpected argument "${more[0]}" (quote KEEP: "5 years")`);
    return withSql(a, async (sql) => {
      const [r] = await sql`select family, keep::text as keep, locked, changed from retention.set_policy(${family}, ${keep}::interval, ${a.flags.lock ? true : null})`;
      out(`${r!.family}: keep ${r!.keep}, ${r!.locked ? 'locked' : 'unlocked'}${r!.changed ? '' : ' (unchanged)'}`);
      return 0;
    });
  },
};

const retention: Group = {
  usage: `usage: blotter retention status | retention set FAMILY KEEP [--lock]    (blotter retention <subcommand> --help)

How long records are kept. The ledger's events are kept 7 years by default, locked: a
locked retention can be lengthened, never shortened, and the months it keeps cannot be
dropped or detached, by any role but a superuser (README: "Retention").
  status    policies, oldest records, what is past retention
  set       change a policy (and lock it)
`,
  subcommands: { status: retentionStatus, set: retentionSet },
};

// Archive, verify-archive and purge (agent/archive/): whole past months to Parquet files,
// checked from the files alone, and dropped only past retention once checked again.
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
function monthFlag(v: unknown, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !MONTH_RE.test(v)) throw new UsageError(`${flag} must be a month such as 2026-01, not "${String(v)}"`);
  return v;
}
const ARCHIVE_FAMILIES = ['ledger_events', 'ops_logs', 'ops_metrics'] as const;
function familyFlags(v: unknown): (typeof ARCHIVE_FAMILIES)[number][] {
  const list = v === undefined ? [...ARCHIVE_FAMILIES] : (Array.isArray(v) ? v : [v]) as string[];
  for (const f of list) if (!(ARCHIVE_FAMILIES as readonly string[]).includes(f)) throw new UsageError(`--family must be one of ${ARCHIVE_FAMILIES.join(', ')}, not "${f}"`);
  return list as (typeof ARCHIVE_FAMILIES)[number][];
}
async function identitiesOf(v: unknown): Promise<string[]> {
  if (v === undefined) return [];
  const { readIdentityFile } = await import('./archive/crypt.ts');
  const files = (Array.isArray(v) ? v : [v]) as string[];
  return (await Promise.all(files.map((f) => readIdentityFile(f)))).flat();
}
const ARCHIVE_LOCATION_HELP = `The archive location: --to/LOCATION, else archive.location in the config, else
$BLOTTER_HOME/archive; a directory or s3://bucket/prefix (S3 settings: archive.s3_*).`;

const archive: Command = {
  usage: `usage: blotter archive [--before MONTH] [--family F]... [--to LOCATION] [--recipient AGE_KEY]... [--sign KEYFILE] [--json]

Write every whole past month of ledger.events, ops.logs and ops.metrics that is not yet
archived to Parquet (zstd), oldest first: <location>/<family>/<YYYY-MM>/ holds the data
file and manifest.json (per stream the first and last stream_seq and hashes, the sha256 of
every file and of the previous month's manifest). Each month's file is read back and every
row checked against the database before it counts as archived. Nothing is deleted
(blotter purge does that, past retention).
  --before MONTH       only months before MONTH (2026-01)
  --family F           ledger_events, ops_logs or ops_metrics (repeatable; default all)
  --to LOCATION        a directory or s3://bucket/prefix
  --recipient AGE_KEY  encrypt to this age public key (repeatable; default archive.recipients)
  --sign KEYFILE       sign each manifest (manifest.sig) with this Ed25519 key (default archive.sign_key)
${ARCHIVE_LOCATION_HELP}
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: {
    before: { type: 'string' }, family: { type: 'string', multiple: true }, to: { type: 'string' }, recipient: { type: 'string', multiple: true },
    sign: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' },
  },
  positionals: false,
  async run(a) {
    const config = loadConfig(a.configFile ? { file: a.configFile } : {});
    const before = monthFlag(a.flags.before, '--before');
    const families = familyFlags(a.flags.family);
    const recipients = a.flags.recipient !== undefined ? a.flags.recipient as unknown as string[] : config.archive.recipients;
    const { archiveLocation, openArchiveStore } = await import('./archive/open.ts');
    const { archiveMonths } = await import('./archive/archive.ts');
    const store = await openArchiveStore(archiveLocation(a.flags.to as string | undefined, config.archive), config.archive);
    const signKeyFile = (a.flags.sign as string | undefined) || config.archive.sign_key || undefined;
    const done = await withSql(a, (sql) => archiveMonths(sql, { store, families, before, recipients, signKeyFile, log: a.flags.json ? () => {} : out }))
      .finally(() => store.close?.());
    const written = done.filter((m) => !m.skipped);
    if (a.flags.json) out(JSON.stringify({ location: store.location, months: done }));
    else out(`${written.length} months archived to ${store.location}${done.length > written.length ? `, ${done.length - written.length} already there` : ''}`);
    return 0;
  },
};

const verifyArchive: Command = {
  usage: `usage: blotter verify-archive [LOCATION] [--identity FILE]... [--public-key FILE] [--offline] [--json]

Check an archive from its files alone: every manifest (and its signature, with
--public-key), every file's size and sha256, every row's hash and every link of every
ledger stream across all months, the chain of months, each file against its manifest.
Unless --offline, and when the database can be reached, also the seam: where each stream's
archive ends, the database's rows or purge checkpoint must continue it.
Exit 0 intact, 1 a problem found, 2 usage or access errors.
  --identity FILE      an age identity file decrypting encrypted archives (repeatable)
  --public-key FILE    every manifest must be signed by this Ed25519 key
  --offline            do not touch the database
${ARCHIVE_LOCATION_HELP}
${CONFIG_OPTION}`,
  options: { identity: { type: 'string', multiple: true }, 'public-key': { type: 'string' }, offline: { type: 'boolean' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: true,
  async run(a) {
    if (a.positionals.length > 1) throw new UsageError(`unexpected argument "${a.positionals[1]}"`);
    const config = loadConfig(a.configFile ? { file: a.configFile } : {});
    const { archiveLocation, openArchiveStore } = await import('./archive/open.ts');
    const { verifyArchive: check } = await import('./archive/verify.ts');
    const store = await openArchiveStore(archiveLocation(a.positionals[0], config.archive), config.archive);
    const identities = await identitiesOf(a.flags.identity);
    const publicKeyFile = a.flags['public-key'] as string | undefined;
    let report;
    let seamNote = '';
    if (a.flags.offline) {
      report = await check({ store, identities, publicKeyFile });
    } else {
      let dbUrl: string | null = null;
      try {
        dbUrl = databaseTarget({ configFile: a.configFile }).kind === 'external' ? (await resolveDatabase({ configFile: a.configFile, create: false })).url
          : serverStatus(blotterHome()).running ? (await resolveDatabase({ configFile: a.configFile, create: false })).url : null;
      } catch {
        dbUrl = null;
      }
      if (dbUrl) {
        const sql = connect(dbUrl, { max: 2 });
        try {
          await sql`select 1 from ledger.stream_checkpoints limit 1`;
          report = await check({ store, identities, publicKeyFile, sql });
        } catch (err) {
          if ((err as BlotterError).code?.startsWith('ARCHIVE')) throw err;
          seamNote = ` (database not reachable: ${(err as Error).message}; seam not checked)`;
          report = await check({ store, identities, publicKeyFile });
        } finally {
          await sql.end({ timeout: 5 });
        }
      } else {
        seamNote = ' (no database running: seam not checked)';
        report = await check({ store, identities, publicKeyFile });
      }
    }
    store.close?.();
    // Nothing to check is not "intact": most likely the wrong location.
    if (report.months === 0 && report.problems.length === 0) {
      throw new BlotterError('ARCHIVE_EMPTY', `no archive at ${report.location}: no <family>/<YYYY-MM>/manifest.json there (blotter archive writes them)`);
    }
    const ok = report.problems.length === 0;
    if (a.flags.json) {
      out(JSON.stringify({ ok, ...report }));
    } else {
      for (const p of report.problems) {
        out(`TAMPERED ${p.family}${p.month ? ` ${p.month}` : ''}${p.stream ? ` stream ${p.stream}` : ''}${p.streamSeq ? ` stream_seq ${p.streamSeq}` : ''}: ${p.kind}: ${p.detail}`);
      }
      out(`${ok ? 'archive intact' : 'archive TAMPERED'}: ${report.months} months, ${report.rows} rows, ${report.streams} ledger streams` +
        `${report.signaturesChecked ? ', signatures checked' : ''}${report.seamChecked ? ', seam with the database checked' : ''}${seamNote}`);
    }
    return ok ? 0 : 1;
  },
};

const purge: Command = {
  usage: `usage: blotter purge [--before MONTH] [--family F]... [--from LOCATION] [--identity FILE]... [--dry-run] [--json]

Drop the oldest months that are past retention and archived, after checking their archive
again (manifest as recorded, every file's sha256, per stream rows and end hashes against
the month; rows read back when the file is not encrypted or --identity decrypts it). Each
purge records, per ledger stream, a checkpoint (last stream_seq and hash) from which
\`blotter verify\` starts, and a month_purged event. Months under the retention lock are
refused, by any route.
  --before MONTH     only months before MONTH
  --family F         ledger_events, ops_logs or ops_metrics (repeatable; default all)
  --from LOCATION    where the archive is
  --dry-run          check, but drop nothing
${ARCHIVE_LOCATION_HELP}
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: {
    before: { type: 'string' }, family: { type: 'string', multiple: true }, from: { type: 'string' }, identity: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, config: { type: 'string' },
  },
  positionals: false,
  async run(a) {
    const config = loadConfig(a.configFile ? { file: a.configFile } : {});
    const before = monthFlag(a.flags.before, '--before');
    const families = familyFlags(a.flags.family);
    const { archiveLocation, openArchiveStore } = await import('./archive/open.ts');
    const { purgeMonths } = await import('./archive/purge.ts');
    const store = await openArchiveStore(archiveLocation(a.flags.from as string | undefined, config.archive), config.archive);
    const identities = await identitiesOf(a.flags.identity);
    const r = await withSql(a, (sql) => purgeMonths(sql, { store, families, before, identities, dryRun: Boolean(a.flags['dry-run']), log: a.flags.json ? () => {} : out }))
      .finally(() => store.close?.());
    if (a.flags.json) {
      out(JSON.stringify(r));
    } else {
      for (const w of r.waiting) out(`waiting  ${w.family} ${w.month}: ${w.why}`);
      out(a.flags['dry-run'] ? `dry run: ${r.purged.length} months would be purged` : `${r.purged.length} months purged`);
    }
    return 0;
  },
};

// Personal data: agent/privacy.ts and db/functions/015_ledger_personal_data.sql.
const eraseSubject: Command = {
  usage: `usage: blotter erase-subject ID... --reason TEXT [--json] [--config FILE]

Crypto-shred a data subject: destroy the key its identifying fields (privacy.fields in
the config) are encrypted with, so they read [erased] everywhere from now on, and record a
subject_erased event holding the subject id, the reason and counts - no personal data. ID
is the identifier as recorded (a user name or e-mail, any case) or the subject id. Several
IDs (a person's user name and e-mail) are erased together or not at all. The chain still
verifies; trading records are kept (docs/operations.md, "Personal data and erasure").
  --reason TEXT   required; recorded in the ledger, so it must not name the person
  --json          one JSON object per subject
Exit 0 when erased (or erased already: give the subject id to check), 1 when refused (no
such subject, a reason naming it; nothing is erased then), 2 for usage or connection errors.
${CONFIG_OPTION}

${DATABASE_HELP}`,
  options: { reason: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: true,
  async run(a) {
    if (a.positionals.length === 0) throw new UsageError('expected the ID of the subject (an identifier as recorded, or the subject id)');
    if (typeof a.flags.reason !== 'string' || !a.flags.reason.trim()) throw new UsageError('--reason TEXT is required (it is recorded in the ledger)');
    const { eraseSubjects } = await import('./privacy.ts');
    try {
      const done = await withSql(a, (sql) => eraseSubjects(sql, a.positionals, a.flags.reason as string, note));
      for (const d of done) {
        if (a.flags.json) out(JSON.stringify(d));
        else if (d.status === 'erased') out(`erased subject ${d.subjectId} (${d.id}): ${d.events} events, ${d.logs} log lines now read [erased]; recorded at seq ${d.seq}`);
        else out(`subject ${d.subjectId} was erased already (recorded at seq ${d.seq ?? '?'})`);
      }
      return 0;
    } catch (err) {
      if (!(err instanceof BlotterError) || !['NO_SUBJECT', 'ERASE_REFUSED'].includes(err.code)) throw err;
      process.stderr.write(`blotter erase-subject: ${err.message} [${err.code}]\n`);
      return 1;
    }
  },
};

// Backups of the embedded server (agent/backup/). An external database is backed up by
// its own tools: docs/operations.md has the pgBackRest recipe.
const backup: Command = {
  usage: `usage: blotter backup --out DIR [--label TEXT] [--json]

A consistent online backup of the embedded PostgreSQL under BLOTTER_HOME, taken while it
runs and takes writes: the data directory, the WAL that makes it consistent, the files of
the home a restored server needs (its password, the ingest token), and backup.json listing
every file with its sha256. DIR appears whole or not at all; it is mode 700 (it holds the
whole ledger and those secrets). Every transaction committed before the backup's
"consistent through" time is in it; later ones may be. Restore it with blotter restore.
A stopped server is started for the backup and stopped again.
  --out DIR         a new directory (its parent must exist)
  --label TEXT      the backup's label (default: "blotter backup <time>")
  --json            one JSON object: { dir, files, bytes, walSegments, startLsn, stopLsn, consistentThrough, ... }
${CONFIG_OPTION}
A database named by DATABASE_URL, BLOTTER_DATABASE_URL or database.url is not blotter's
to back up: use pgBackRest (docs/operations.md).
`,
  options: { out: { type: 'string' }, label: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  positionals: false,
  async run(a) {
    if (typeof a.flags.out !== 'string') throw new UsageError('backup needs --out DIR, a new directory');
    const target = databaseTarget({ configFile: a.configFile });
    if (target.kind === 'external') {
      throw new BlotterError('BACKUP_EXTERNAL',
        `the database is ${redactUrl(target.url)}, from ${describeOrigin(target.origin)}: blotter backup copies only the embedded server under ` +
        'BLOTTER_HOME; back that server up with its own tools (docs/operations.md: pgBackRest)');
    }
    const { checkOut, takeBackup } = await import('./backup/backup.ts');
    checkOut(a.flags.out);
    const db = await resolveDatabase({ configFile: a.configFile, create: false });
    try {
      const s = serverStatus(target.home);
      if (!s.running) throw new BlotterError('DB_NOT_RUNNING', `the embedded database under ${target.home} is not running (${s.reason})`);
      const r = await takeBackup({
        home: target.home, url: db.url, state: s.state, out: a.flags.out, label: str(a.flags.label),
        connectTimeoutS: 10, controlReadAttempts: 20, controlReadWaitMs: 50, syncConcurrency: 16, log: note,
      });
      if (a.flags.json) out(JSON.stringify(r));
      else {
        out(`backup written to ${r.dir}: ${r.files} files, ${(r.bytes / 1048576).toFixed(1)} MiB (${r.walSegments} WAL segments), ` +
          `WAL ${r.startLsn} to ${r.stopLsn}, ${r.heads} ledger heads, in ${r.seconds.toFixed(1)} s`);
        out(`consistent through ${r.consistentThrough}: everything committed before then is in it`);
      }
      return 0;
    } finally {
      await leaveAsFound(db);
    }
  },
};

const restore: Command = {
  usage: `usage: blotter restore --from DIR [--home HOME] [--json]

Restore a backup made by blotter backup into HOME (default BLOTTER_HOME), which must be new
or empty. Every file is checked against DIR/backup.json first: a damaged or incomplete
backup is refused, naming the files, and nothing is written. Then the files are copied in,
the server is started once to replay the backup's WAL, the ledger heads the backup recorded
are looked up, and the server is stopped. Next: BLOTTER_HOME=HOME blotter verify.
DATABASE_URL and database.url play no part. The PostgreSQL run is the embedded one, or
BLOTTER_PG_BIN's: its major version must be the backup's.
Exit: 0 restored; 1 the backup is damaged or incomplete, or the restored ledger lacks a
head the backup recorded; 2 usage or other errors (a HOME that is not empty, say).
  --from DIR        the backup
  --home HOME       where to restore it (default: BLOTTER_HOME, else ./.blotter)
  --json            one JSON object: { home, files, bytes, version, heads, recoveredTo, seconds }
`,
  options: { from: { type: 'string' }, home: { type: 'string' }, json: { type: 'boolean' } },
  positionals: false,
  async run(a) {
    if (typeof a.flags.from !== 'string') throw new UsageError('restore needs --from DIR, a backup made by blotter backup');
    const home = str(a.flags.home) ?? blotterHome();
    const { restoreBackup } = await import('./backup/restore.ts');
    try {
      const r = await restoreBackup({
        from: a.flags.from, home, binDir: process.env.BLOTTER_PG_BIN || undefined, startTimeoutS: 3600, maxProblems: 20, syncConcurrency: 16, log: note,
      });
      if (a.flags.json) out(JSON.stringify(r));
      else {
        out(`restored ${r.files} files (${(r.bytes / 1048576).toFixed(1)} MiB) of PostgreSQL ${r.version} into ${r.home}; ` +
          `recovery reached ${r.recoveredTo}; ${r.heads} ledger heads present, in ${r.seconds.toFixed(1)} s`);
        out(`next: BLOTTER_HOME=${r.home} blotter verify`);
      }
      return 0;
    } catch (err) {
      // A backup that fails its own check is a finding, like a tampered chain: exit 1.
      const code = (err as BlotterError).code;
      if (code !== 'BACKUP_DAMAGED' && code !== 'RESTORE_INCOMPLETE') throw err;
      process.stderr.write(`blotter restore: ${(err as Error).message} [${code}]\n`);
      return 1;
    }
  },
};

// Exported for test/cli.usage.test.ts, which asks every command and subcommand here for its
// help: a command cannot be added without one.
export const COMMANDS: Record<string, Command | Group> = { start, demo, migrate: migrateCmd, append, verify, digest, logs, recon, breaks, users, flex, report, retention, archive, 'verify-archive': verifyArchive, purge, 'erase-subject': eraseSubject, backup, restore, db };


export function isGroup(c: Command | Group): c is Group {
  return 'subcommands' in c;
}

function subcommandList(g: Group): string {
  const names = Object.keys(g.subcommands);
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    let about: Command | Group | undefined = name === 'help' && rest[0] ? COMMANDS[rest[0]] : undefined;
    if (about && isGroup(about) && rest[1]) about = about.subcommands[rest[1]] ?? about;
    process.stdout.write(about ? about.usage : USAGE);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`blotter: unknown command "${name}" (see blotter --help)\n`);
    return 2;
  }
  let cmd: Command;
  let label = name;
  let args = rest;
  if (isGroup(entry)) {
    const sub = rest[0];
    if (sub === '--help' || sub === '-h') {
      process.stdout.write(entry.usage);
      return 0;
    }
    const found = sub === undefined ? undefined : entry.subcommands[sub];
    if (!found && sub?.startsWith('-')) {
      // Options belong to a subcommand; the group itself has none but --help.
      process.stderr.write(`blotter ${name}: unknown option ${sub} (valid: --help; the others follow the subcommand: ${subcommandList(entry)}) (see blotter ${name} --help)\n`);
      return 2;
    }
    if (!found) {
      process.stderr.write(`blotter ${name}: expected ${subcommandList(entry)}${sub === undefined ? '' : `, not "${sub}"`} (see blotter ${name} --help)\n`);
      return 2;
    }
    cmd = found;
    label = `${name} ${sub}`;
    args = rest.slice(1);
  } else {
    cmd = entry;
  }
  if (wantsHelp(args)) {
    process.stdout.write(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(parse(cmd, args));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`blotter ${label}: ${err.message} (see blotter ${label} --help)\n`);
      return 2;
    }
    const e = err as Error & { code?: string };
    const code = e instanceof BlotterError ? e.code : e.code ? `PG ${e.code}` : e.name;
    process.stderr.write(`blotter ${label}: ${e.message} [${code}]\n`);
    // A refused or broken database operation is a 2 like any connection error.
    return 2;
  }
}

// Run as a program: `node agent/cli.ts` (tests, benches) or through bin/blotter.js, which
// calls this. Imported by a test for its command table, it runs nothing.
export async function runAsProgram(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2));
  // `start` only returns when it failed; nothing it began may keep the process alive then.
  if (process.argv[2] === 'start') process.exit(process.exitCode);
}
if (import.meta.main) await runAsProgram();
