// The `blotter` command. Exit codes: 0 success; 1 the command ran and found a problem
// (tampered chain, refused input); 2 usage, configuration or connection errors.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { BlotterError } from './errors.ts';
import { blotterHome, connect, databaseUrl } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { startAgent } from './agent.ts';
import { loadConfig } from './config.ts';
import { serverStatus, startServer, stopServer } from './db/server.ts';
import { appendNdjson, openInput } from './ledger/append.ts';
import { readDigestFile, takeDigest, writeDigestFile } from './ledger/digest.ts';
import { verifyLedger } from './ledger/verify.ts';

const USAGE = `usage: blotter <command> [options]

  start [--config FILE]       run the agent: ingest API, spool, writer, jobs (migrates first)
  logs                        query the trading log [--level L] [--category C] [--from T] [--to T] [--grep S] [--json] [--limit N]
  demo [--keep]               a scripted trading day through the TWS simulator, end to end
  db start|stop|status|url    manage the embedded PostgreSQL under $BLOTTER_HOME (default ./.blotter)
  migrate                     apply db/migrations, then db/functions and db/policies
  append FILE|-               load NDJSON events through COPY [--skip-invalid] [--json]
  verify                      recompute the hash chain [--stream S] [--digest FILE] [--json]
  digest                      write each stream's head to a file [--stream S] --out FILE

Environment: DATABASE_URL (use this PostgreSQL 15+), BLOTTER_HOME, BLOTTER_PG_BIN, BLOTTER_CONFIG,
and BLOTTER_<SECTION>_<KEY> for any key of config/blotter.yaml (BLOTTER_INGEST_TOKEN, ...).
`;

class UsageError extends Error {}

function out(line: string): void {
  process.stdout.write(line + '\n');
}

type Flags = Record<string, string | boolean | undefined>;

function parse(argv: string[], options: ParseArgsOptionsConfig): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { flags: values as Flags, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function withSql<T>(create: boolean, fn: (sql: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  const sql = connect(await databaseUrl({ create }), { max: 2 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function cmdDb(args: string[]): Promise<number> {
  const { positionals, flags } = parse(args, { json: { type: 'boolean' } });
  const home = blotterHome();
  const sub = positionals[0];
  if (process.env.DATABASE_URL && sub !== 'url') {
    throw new UsageError('DATABASE_URL is set: blotter does not manage that server (unset it to use the embedded one)');
  }
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
      if (flags.json) out(JSON.stringify(s.running ? { running: true, pid: s.pid, port: s.state.port, version: s.state.version, home } : { running: false, reason: s.reason, home }));
      else out(s.running ? `running: PostgreSQL ${s.state.version}, pid ${s.pid}, 127.0.0.1:${s.state.port}, ${home}` : `not running: ${s.reason}`);
      return s.running ? 0 : 3;
    }
    case 'url': {
      if (process.env.DATABASE_URL) {
        out(process.env.DATABASE_URL);
        return 0;
      }
      const s = serverStatus(home);
      if (!s.running) throw new BlotterError('DB_NOT_RUNNING', `the embedded database is not running (${s.reason}); run \`blotter db start\``);
      out(s.url);
      return 0;
    }
    default:
      throw new UsageError(`db needs one of start, stop, status, url${sub ? `, not "${sub}"` : ''}`);
  }
}

async function cmdMigrate(args: string[]): Promise<number> {
  parse(args, {});
  const url = await databaseUrl({ create: true });
  const r = await migrate({ url, log: (l) => out(l) });
  out(r.applied.length === 0 ? 'migrations: up to date' : `migrations: applied ${r.applied.length}`);
  if (r.partitionsCreated.length) out(`partitions created: ${r.partitionsCreated.join(', ')}`);
  return 0;
}

async function cmdStart(args: string[]): Promise<number> {
  const { flags } = parse(args, { config: { type: 'string' } });
  const config = loadConfig({ file: typeof flags.config === 'string' ? flags.config : undefined });
  const agent = await startAgent(config, { home: blotterHome(), handleSignals: true });
  process.stderr.write(`blotter: agent ${agent.sessionId} listening on ${agent.url} (SIGTERM or Ctrl-C drains and stops)\n`);
  // Runs until a signal; the signal handler exits the process.
  await new Promise(() => {});
  return 0;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
async function cmdLogs(args: string[]): Promise<number> {
  const { flags } = parse(args, {
    level: { type: 'string' }, category: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    grep: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' },
  });
  const level = typeof flags.level === 'string' ? flags.level : 'trace';
  if (!LEVELS.includes(level)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}`);
  const limit = Number(flags.limit ?? 1000);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000) throw new UsageError('--limit must be an integer from 1 to 1000000');
  for (const k of ['from', 'to'] as const) {
    if (typeof flags[k] === 'string' && Number.isNaN(Date.parse(flags[k] as string))) throw new UsageError(`--${k} must be a date or timestamp, got "${flags[k]}"`);
  }
  const levels = LEVELS.slice(LEVELS.indexOf(level));
  const rows = await withSql(false, (sql) => sql`
    select to_char(logged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as time, level, category, source, msg, fields, session_id
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
  return 0;
}

async function cmdAppend(args: string[]): Promise<number> {
  const { flags, positionals } = parse(args, { 'skip-invalid': { type: 'boolean' }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('append needs exactly one FILE, or - for standard input');
  const input = openInput(positionals[0]!);
  const r = await withSql(false, (sql) => appendNdjson(sql, input, { skipInvalid: Boolean(flags['skip-invalid']) }));
  if (flags.json) {
    out(JSON.stringify(r));
  } else {
    for (const e of r.invalid) process.stderr.write(`line ${e.line}: ${e.field}: ${e.reason}\n`);
    if (r.invalidCount > r.invalid.length) process.stderr.write(`… and ${r.invalidCount - r.invalid.length} more invalid lines\n`);
    if (!r.written) out(`refused: ${r.invalidCount} invalid lines, nothing appended (use --skip-invalid to load the rest)`);
    else out(`appended ${r.appended}, duplicates ${r.duplicates}${r.invalidCount ? `, skipped invalid ${r.invalidCount}` : ''}`);
  }
  return r.written ? 0 : 1;
}

async function cmdVerify(args: string[]): Promise<number> {
  const { flags } = parse(args, { stream: { type: 'string' }, digest: { type: 'string' }, json: { type: 'boolean' } });
  const digests = typeof flags.digest === 'string' ? readDigestFile(flags.digest) : undefined;
  const stream = typeof flags.stream === 'string' ? flags.stream : undefined;
  const reports = await withSql(false, (sql) => verifyLedger(sql, { stream, digests }));
  const ok = reports.every((r) => r.ok);
  if (flags.json) {
    out(JSON.stringify({ ok, streams: reports }));
  } else {
    for (const r of reports) {
      out(r.ok ? `ok       ${r.stream}: ${r.rowsChecked} rows`
        : `TAMPERED ${r.stream}: ${r.rowsChecked} rows, first bad stream_seq ${r.firstBadStreamSeq}: ${r.reason} (${r.detail})`);
    }
    if (reports.length === 0) out(stream ? `no rows in stream "${stream}"` : 'the ledger is empty');
    out(ok ? 'chain intact' : 'chain TAMPERED');
  }
  return ok ? 0 : 1;
}

async function cmdDigest(args: string[]): Promise<number> {
  const { flags } = parse(args, { stream: { type: 'string' }, out: { type: 'string' } });
  if (typeof flags.out !== 'string') throw new UsageError('digest needs --out FILE (keep it outside the database host)');
  const file = flags.out;
  const stream = typeof flags.stream === 'string' ? flags.stream : undefined;
  const d = await withSql(false, (sql) => takeDigest(sql, stream));
  writeDigestFile(file, d);
  out(`digest of ${d.streams.length} streams written to ${file}`);
  return 0;
}

async function cmdDemo(args: string[]): Promise<number> {
  const { flags } = parse(args, { keep: { type: 'boolean' } });
  const { runDemo } = await import('./ib/demo.ts');
  return (await runDemo({ keep: Boolean(flags.keep), out })) ? 0 : 1;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  demo: cmdDemo,
  start: cmdStart, logs: cmdLogs, db: cmdDb, migrate: cmdMigrate, append: cmdAppend, verify: cmdVerify, digest: cmdDigest,
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  const fn = COMMANDS[cmd];
  try {
    if (!fn) throw new UsageError(`unknown command "${cmd}"`);
    return await fn(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`blotter: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    const e = err as Error & { code?: string };
    const code = e instanceof BlotterError ? e.code : e.code ? `PG ${e.code}` : e.name;
    process.stderr.write(`blotter ${cmd}: ${e.message} [${code}]\n`);
    // A refused or broken database operation is a 2 like any connection error.
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
// `start` only returns when it failed; nothing it began may keep the process alive then.
if (process.argv[2] === 'start') process.exit(process.exitCode);
