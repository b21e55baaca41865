// Where the database is: DATABASE_URL when set (a DBA's own PostgreSQL 15+), otherwise
// the embedded server under $BLOTTER_HOME, started on demand.
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { BlotterError } from '../errors.ts';
import { serverStatus, startServer } from './server.ts';

export function blotterHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.BLOTTER_HOME || '.blotter');
}

export type UrlOptions = {
  env?: NodeJS.ProcessEnv;
  // Create and start the embedded cluster when there is none (start, migrate); otherwise
  // only an existing cluster is started, and a missing one is an error.
  create: boolean;
};

export async function databaseUrl(opts: UrlOptions): Promise<string> {
  const env = opts.env ?? process.env;
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const home = blotterHome(env);
  const status = serverStatus(home);
  if (status.running) return status.url;
  if (!opts.create && !fs.existsSync(path.join(home, 'pg', 'data', 'PG_VERSION'))) {
    throw new BlotterError('DB_NONE', `no database: set DATABASE_URL, or run \`blotter db start\` (BLOTTER_HOME=${home})`);
  }
  const started = await startServer({ home, binDir: env.BLOTTER_PG_BIN || undefined });
  return started.url;
}

export type ConnectOptions = { max?: number; connectTimeoutS?: number; application?: string };

// bigint and numeric stay strings (exact); postgres.js does that by default.
export function connect(url: string, opts: ConnectOptions = {}): postgres.Sql {
  return postgres(url, {
    max: opts.max ?? 4,
    connect_timeout: opts.connectTimeoutS ?? 10,
    idle_timeout: 30,
    onnotice: () => {},
    connection: { application_name: opts.application ?? 'blotter' },
  });
}

// The URL with its password masked, for messages and logs.
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}
