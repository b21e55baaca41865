// Where the database is. Every command resolves it the same way, first match wins:
//   1. DATABASE_URL
//   2. BLOTTER_DATABASE_URL
//   3. database.url in the config file (--config FILE, else BLOTTER_CONFIG, else config/blotter.yaml)
//   4. the embedded server under $BLOTTER_HOME (default ./.blotter), started on demand.
// The order is loadConfig's own (it applies 1 and 2 over the file); this module names where
// the answer came from, so a command can say which database it acts on.
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { DEFAULT_CONFIG_FILE, loadConfig } from "../config.js";
import { BlotterError } from "../errors.js";
import { serverStatus, startServer } from "./server.js";
export function blotterHome(env = process.env) {
    return path.resolve(env.BLOTTER_HOME || '.blotter');
}
export function configFileOf(opts) {
    const env = opts.env ?? process.env;
    return path.resolve(opts.configFile ?? (env.BLOTTER_CONFIG || DEFAULT_CONFIG_FILE));
}
export function databaseTarget(opts = {}) {
    const env = opts.env ?? process.env;
    const file = configFileOf(opts);
    // The whole file is validated wherever it is read, not only by `start`.
    const config = opts.config ?? loadConfig({ file, env });
    const url = env.DATABASE_URL || config.database.url;
    if (url) {
        const origin = env.DATABASE_URL ? 'DATABASE_URL'
            : env.BLOTTER_DATABASE_URL !== undefined ? 'BLOTTER_DATABASE_URL' : `config ${file}`;
        return { kind: 'external', url, origin };
    }
    const home = blotterHome(env);
    return { kind: 'embedded', home, origin: `embedded ${home}` };
}
// How a person would say where an external URL came from.
export function describeOrigin(origin) {
    if (origin.startsWith('config '))
        return `database.url in ${origin.slice('config '.length)}`;
    if (origin.startsWith('embedded '))
        return `the embedded server under ${origin.slice('embedded '.length)}`;
    return origin;
}
export async function resolveDatabase(opts) {
    const target = databaseTarget(opts);
    if (target.kind === 'external')
        return { url: target.url, origin: target.origin };
    const env = opts.env ?? process.env;
    const r = await embedded(target.home, env, opts.create, opts.warn ?? stderrLine);
    return { url: r.url, origin: target.origin, embedded: { home: target.home, started: r.started, created: r.created } };
}
// DATABASE_URL when set, otherwise the embedded server under $BLOTTER_HOME. Kept for
// `startAgent`, which sets DATABASE_URL from its resolved config; commands use
// resolveDatabase.
export async function databaseUrl(opts) {
    const env = opts.env ?? process.env;
    if (env.DATABASE_URL)
        return env.DATABASE_URL;
    return (await embedded(blotterHome(env), env, opts.create, stderrLine)).url;
}
function stderrLine(line) {
    process.stderr.write(`blotter: ${line}\n`);
}
async function embedded(home, env, create, warn) {
    const status = serverStatus(home);
    if (status.running)
        return { url: status.url, started: false, created: false };
    const exists = fs.existsSync(path.join(home, 'pg', 'data', 'PG_VERSION'));
    if (!exists && !create) {
        throw new BlotterError('DB_NONE', `no database: set DATABASE_URL, or run \`blotter db start\` (no embedded database under BLOTTER_HOME=${home})`);
    }
    // A mistyped BLOTTER_HOME must not pass for a fresh start: say loudly what is happening.
    if (!exists) {
        warn(`NOTE: there is no database under BLOTTER_HOME=${home}: creating a NEW embedded PostgreSQL there, with an EMPTY ledger.`);
        warn('if you meant an existing ledger, stop now and check BLOTTER_HOME (or set DATABASE_URL / database.url).');
    }
    else {
        warn(`the embedded database under ${home} is stopped: starting it.`);
    }
    const started = await startServer({ home, binDir: env.BLOTTER_PG_BIN || undefined });
    return { url: started.url, started: started.started, created: !exists };
}
// bigint and numeric stay strings (exact); postgres.js does that by default.
export function connect(url, opts = {}) {
    return postgres(url, {
        max: opts.max ?? 4,
        connect_timeout: opts.connectTimeoutS ?? 10,
        idle_timeout: 30,
        onnotice: () => { },
        connection: { application_name: opts.application ?? 'blotter' },
    });
}
// The URL with its password masked, for messages and logs.
export function redactUrl(url) {
    try {
        const u = new URL(url);
        if (u.password)
            u.password = '***';
        return u.toString();
    }
    catch {
        return url.replace(/:[^:@/]*@/, ':***@');
    }
}
