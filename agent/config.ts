// Configuration: config/blotter.yaml, then BLOTTER_* environment overrides, validated in
// full before anything starts. Every key is declared here once; an unknown or invalid key
// is an error that names it and says what was expected.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { BlotterError } from './errors.ts';

type Leaf =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'size'; min: number; max: number }
  | { kind: 'string'; allowEmpty: boolean }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list'; item: RegExp; itemText: string }
  | { kind: 'pattern'; re: RegExp; text: string };
type Spec = { [key: string]: Leaf | Spec };

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const int = (min: number, max: number): Leaf => ({ kind: 'int', min, max });
const size = (min: number, max: number): Leaf => ({ kind: 'size', min, max });
const str = (allowEmpty = false): Leaf => ({ kind: 'string', allowEmpty });
const bool: Leaf = { kind: 'bool' };
const oneOf = (...values: string[]): Leaf => ({ kind: 'enum', values });
const level = oneOf(...LEVELS);
// A retention period: "7 years", "90 days", "18 months", "2 weeks".
const interval: Leaf = { kind: 'pattern', re: /^[1-9]\d{0,3} (day|days|week|weeks|month|months|year|years)$/, text: 'a period such as "7 years", "18 months" or "90 days"' };
const list = (item: RegExp, itemText: string): Leaf => ({ kind: 'list', item, itemText });

export const CATEGORIES = ['connection', 'order', 'execution', 'position', 'balance', 'error', 'system', 'metric', 'user'] as const;
export type Category = (typeof CATEGORIES)[number];

const SPEC = {
  database: { url: str(true), pool_max: int(1, 100) },
  ingest: {
    host: str(), port: int(0, 65535), token: str(true),
    max_body: size(1024, 1024 ** 3), max_in_flight: size(1024, 1024 ** 3), max_items_per_request: int(1, 1_000_000), known_keys: int(0, 100_000_000), duplicate_check_ms: int(10, 60_000),
    headers_timeout_ms: int(100, 600_000), body_timeout_ms: int(100, 3_600_000), request_timeout_ms: int(100, 3_600_000),
    keep_alive_timeout_ms: int(100, 600_000), max_requests_per_socket: int(1, 1_000_000), max_connections: int(1, 100_000),
  },
  spool: { dir: str(true), quota: size(1024 * 1024, 1024 ** 4), segment_size: size(64 * 1024, 1024 ** 3), group_commit_ms: int(0, 1000) },
  writer: { batch_size: int(1, 100_000), batch_bytes: size(64 * 1024, 1024 ** 3), batch_wait_ms: int(0, 60_000), retry_max_ms: int(10, 600_000), write_timeout_ms: int(100, 3_600_000), stall_ms: int(100, 3_600_000), drain_timeout_ms: int(100, 3_600_000) },
  agent: { v8_flags: str(true) },
  jobs: { enabled: bool, concurrency: int(1, 32), partitions_ahead: int(0, 120), recon_timeout_ms: int(1000, 3_600_000) },
  flex: {
    token: str(true), queries: list(/^\d{1,12}$/, 'Flex query ids (digits)'), url: str(), user_agent: str(), dir: str(true),
    date_format: oneOf('auto', 'MM/dd/yyyy', 'dd/MM/yyyy'),
    fetch_enabled: bool, fetch_sessions: int(1, 250), poll_ms: int(100, 600_000), max_wait_ms: int(1000, 86_400_000), throttle_backoff_ms: int(0, 3_600_000),
    request_timeout_ms: int(1000, 600_000), import_timeout_ms: int(1000, 86_400_000),
  },
  digests: { enabled: bool, dir: str(true), key_file: str(true), every_minutes: { kind: 'int', min: 5, max: 1440 } as Leaf },
  archive: {
    enabled: bool, auto_purge: bool, location: str(true), s3_endpoint: str(true), s3_region: str(), s3_access_key_id: str(true), s3_secret_access_key: str(true),
    s3_force_path_style: bool, recipients: list(/^age1[02-9ac-hj-np-z]{58}$/, 'age public keys (age1…)'), sign_key: str(true),
  },
  retention: {
    ledger_events: interval, ops_logs: interval, ops_metrics: interval, job_history: interval, file_logs: interval,
    lock: list(/^(ledger_events|ops_logs|ops_metrics|job_history|file_logs)$/, 'families (ledger_events, ops_logs, ops_metrics, job_history, file_logs)'),
  },
  // the same forms as privacy.parse_field (db/functions/015_ledger_personal_data.sql)
  privacy: {
    fields: list(/^(log:[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*|(source=(ib|bot|flex|system|user)|[a-z][a-z0-9_]{0,62}):(actor|payload(\.[A-Za-z0-9_-]+)+))$/,
      'personal-data fields (EVENT_TYPE:actor, EVENT_TYPE:payload.PATH, source=SOURCE:actor, source=SOURCE:payload.PATH, log:PATH)'),
  },
  reports: {
    dir: str(true), formats: list(/^(csv|json|xlsx|html|pdf)$/, 'report formats (csv, json, xlsx, html, pdf)'),
    daily_enabled: bool, monthly_enabled: bool, accounts: list(/^[A-Za-z0-9._-]{1,64}$/, 'IB account ids'), chromium: str(true),
  },
  console: {
    enabled: bool, session_idle_minutes: int(1, 1440), session_max_hours: int(1, 168), max_sessions: int(1, 100_000),
    sign_in_attempts: int(1, 1000), sign_in_window_minutes: int(1, 1440), secure_cookies: bool,
  },
  ib: {
    enabled: bool, host: str(), port: int(1, 65535), client_id: int(0, 2_147_483_647), tws_timezone: str(),
    heartbeat_ms: int(100, 600_000), heartbeat_timeout_ms: int(100, 600_000), connect_timeout_ms: int(100, 600_000), backfill_timeout_ms: int(100, 600_000),
    backfill_retries: int(1, 100), reconnect_min_ms: int(10, 600_000), reconnect_max_ms: int(10, 3_600_000),
  },
  logging: {
    level, format: oneOf('auto', 'pretty', 'json'),
    redact: list(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'field names such as password or api_key'),
    handlers: {
      console: { enabled: bool, level },
      file: { enabled: bool, level, path: str(), max_size: size(1024, 1024 ** 3), max_files: int(1, 1000) },
      database: { enabled: bool, level, batch_size: int(1, 100_000), flush_ms: int(10, 600_000), queue_max: int(1, 10_000_000), queue_max_bytes: size(64 * 1024, 1024 ** 3) },
      syslog: { enabled: bool, level, host: str(), port: int(1, 65535) },
    },
    categories: Object.fromEntries(CATEGORIES.map((c) => [c, level])) as Record<Category, Leaf>,
  },
} satisfies Spec;

type Level = (typeof LEVELS)[number];
export type Config = {
  database: { url: string; pool_max: number };
  ingest: {
    host: string; port: number; token: string; max_body: number; max_in_flight: number; max_items_per_request: number; known_keys: number; duplicate_check_ms: number;
    headers_timeout_ms: number; body_timeout_ms: number; request_timeout_ms: number; keep_alive_timeout_ms: number; max_requests_per_socket: number; max_connections: number;
  };
  spool: { dir: string; quota: number; segment_size: number; group_commit_ms: number };
  writer: { batch_size: number; batch_bytes: number; batch_wait_ms: number; retry_max_ms: number; write_timeout_ms: number; stall_ms: number; drain_timeout_ms: number };
  agent: { v8_flags: string };
  jobs: { enabled: boolean; concurrency: number; partitions_ahead: number; recon_timeout_ms: number };
  flex: {
    token: string; queries: string[]; url: string; user_agent: string; dir: string; date_format: 'auto' | 'MM/dd/yyyy' | 'dd/MM/yyyy';
    fetch_enabled: boolean; fetch_sessions: number; poll_ms: number;
    max_wait_ms: number; throttle_backoff_ms: number; request_timeout_ms: number; import_timeout_ms: number;
  };
  digests: { enabled: boolean; dir: string; key_file: string; every_minutes: number };
  archive: {
    enabled: boolean; auto_purge: boolean; location: string; s3_endpoint: string; s3_region: string; s3_access_key_id: string; s3_secret_access_key: string;
    s3_force_path_style: boolean; recipients: string[]; sign_key: string;
  };
  retention: { ledger_events: string; ops_logs: string; ops_metrics: string; job_history: string; file_logs: string; lock: string[] };
  privacy: { fields: string[] };
  reports: { dir: string; formats: ('csv' | 'json' | 'xlsx' | 'html' | 'pdf')[]; daily_enabled: boolean; monthly_enabled: boolean; accounts: string[]; chromium: string };
  console: {
    enabled: boolean; session_idle_minutes: number; session_max_hours: number; max_sessions: number;
    sign_in_attempts: number; sign_in_window_minutes: number; secure_cookies: boolean;
  };
  ib: {
    enabled: boolean; host: string; port: number; client_id: number; tws_timezone: string; heartbeat_ms: number;
    heartbeat_timeout_ms: number; connect_timeout_ms: number; backfill_timeout_ms: number; backfill_retries: number; reconnect_min_ms: number; reconnect_max_ms: number;
  };
  logging: {
    level: Level; format: 'auto' | 'pretty' | 'json';
    redact: string[];
    handlers: {
      console: { enabled: boolean; level: Level };
      file: { enabled: boolean; level: Level; path: string; max_size: number; max_files: number };
      database: { enabled: boolean; level: Level; batch_size: number; flush_ms: number; queue_max: number; queue_max_bytes: number };
      syslog: { enabled: boolean; level: Level; host: string; port: number };
    };
    categories: Record<Category, Level>;
  };
};

export const DEFAULT_CONFIG_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'config', 'blotter.yaml');

// Environment variables that are not configuration keys but are blotter's own.
const OTHER_ENV = new Set(['BLOTTER_HOME', 'BLOTTER_PG_BIN', 'BLOTTER_CONFIG']);

function isLeaf(s: Leaf | Spec): s is Leaf {
  return typeof (s as Leaf).kind === 'string';
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|K|M|G|T)?$/i;
const UNITS: Record<string, number> = { B: 1, K: 1024, KB: 1024, M: 1024 ** 2, MB: 1024 ** 2, G: 1024 ** 3, GB: 1024 ** 3, T: 1024 ** 4, TB: 1024 ** 4 };

function describe(leaf: Leaf): string {
  switch (leaf.kind) {
    case 'int': return `an integer from ${leaf.min} to ${leaf.max}`;
    case 'size': return 'a size such as 512KB, 10MB or 1GB';
    case 'string': return leaf.allowEmpty ? 'a string' : 'a non-empty string';
    case 'bool': return 'true or false';
    case 'enum': return `one of ${leaf.values.join(', ')}`;
    case 'list': return `a list of ${leaf.itemText} (in the environment: comma-separated)`;
    case 'pattern': return leaf.text;
  }
}

function coerce(key: string, leaf: Leaf, value: unknown, fromEnv: boolean): unknown {
  const bad = (): never => {
    throw new BlotterError('CONFIG_INVALID', `config ${key}: expected ${describe(leaf)}, got ${JSON.stringify(value)}`);
  };
  switch (leaf.kind) {
    case 'int': {
      const n = typeof value === 'number' ? value : fromEnv && typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(n) || n < leaf.min || n > leaf.max) bad();
      return n;
    }
    case 'size': {
      let n: number = NaN;
      if (typeof value === 'number' && Number.isInteger(value)) n = value;
      else if (typeof value === 'string') {
        const m = SIZE.exec(value.trim());
        if (m) n = Math.round(Number(m[1]) * UNITS[(m[2] ?? 'B').toUpperCase()]!);
      }
      if (!Number.isFinite(n) || n < leaf.min || n > leaf.max) bad();
      return n;
    }
    case 'string':
      if (value === null && leaf.allowEmpty) return '';
      if (typeof value !== 'string' && !(fromEnv && value !== undefined)) bad();
      if (!leaf.allowEmpty && String(value) === '') bad();
      return String(value);
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (fromEnv && typeof value === 'string' && /^(true|false|1|0|yes|no)$/i.test(value)) return /^(true|1|yes)$/i.test(value);
      return bad();
    case 'enum':
      if (typeof value !== 'string' || !leaf.values.includes(value)) bad();
      return value;
    case 'pattern':
      if (typeof value !== 'string' || !leaf.re.test(value.trim())) bad();
      return (value as string).trim();
    case 'list': {
      const raw = value === null ? [] : fromEnv && typeof value === 'string' ? value.split(',').map((x) => x.trim()).filter(Boolean) : value;
      // YAML reads [123456, 123457] as numbers; an id list means their digits
      const items = Array.isArray(raw) ? raw.map((x) => (typeof x === 'number' && Number.isSafeInteger(x) ? String(x) : x)) : raw;
      if (!Array.isArray(items) || items.some((x) => typeof x !== 'string' || !leaf.item.test(x))) bad();
      return items;
    }
  }
}

// Sections added after the first release: a config file written before them has none, and
// gets the shipped file's (a key missing inside a section that is there is still an error).
const LATER_SECTIONS = new Set(['flex', 'reports', 'retention', 'digests', 'archive', 'privacy', 'console']);
let shipped: Record<string, unknown> | null = null;
function shippedSection(key: string): unknown {
  shipped ??= YAML.parse(fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as Record<string, unknown>;
  return shipped[key];
}

function walk(spec: Spec, input: unknown, prefix: string, env: NodeJS.ProcessEnv, usedEnv: Set<string>): Record<string, unknown> {
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input))) {
    throw new BlotterError('CONFIG_INVALID', `config ${prefix || '(top level)'}: expected a mapping of keys`);
  }
  const obj = (input ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(key in spec)) {
      const where = prefix ? `${prefix}.${key}` : key;
      throw new BlotterError('CONFIG_UNKNOWN_KEY', `config ${where}: unknown key (expected one of ${Object.keys(spec).join(', ')})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(spec)) {
    const where = prefix ? `${prefix}.${key}` : key;
    if (isLeaf(sub)) {
      const envName = 'BLOTTER_' + where.replace(/\./g, '_').toUpperCase();
      if (env[envName] !== undefined) {
        usedEnv.add(envName);
        out[key] = coerce(`${where} (from ${envName})`, sub, env[envName], true);
      } else if (obj[key] === undefined) {
        throw new BlotterError('CONFIG_MISSING', `config ${where}: missing (expected ${describe(sub)})`);
      } else {
        out[key] = coerce(where, sub, obj[key], false);
      }
    } else {
      const section = obj[key] === undefined && prefix === '' && LATER_SECTIONS.has(key) ? shippedSection(key) : obj[key];
      out[key] = walk(sub, section, where, env, usedEnv);
    }
  }
  return out;
}

export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.BLOTTER_CONFIG ?? DEFAULT_CONFIG_FILE;
  let parsed: unknown;
  try {
    parsed = YAML.parse(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  } catch (err) {
    throw new BlotterError('CONFIG_UNREADABLE', `config file ${file}: ${(err as Error).message}`);
  }
  const usedEnv = new Set<string>();
  const config = walk(SPEC, parsed, '', env, usedEnv) as Config;
  for (const name of Object.keys(env)) {
    if (name.startsWith('BLOTTER_') && !usedEnv.has(name) && !OTHER_ENV.has(name) && !name.startsWith('BLOTTER_TEST_')) {
      throw new BlotterError('CONFIG_UNKNOWN_KEY', `environment ${name}: not a blotter setting (settings are BLOTTER_ plus the key path, e.g. BLOTTER_INGEST_PORT)`);
    }
  }
  // Node answers 408 at whichever of the two comes first: headers allowed longer than the
  // whole request would be a limit that never applies.
  if (config.ingest.headers_timeout_ms > config.ingest.request_timeout_ms) {
    throw new BlotterError('CONFIG_INVALID', `config ingest.headers_timeout_ms (${config.ingest.headers_timeout_ms}) exceeds ingest.request_timeout_ms (${config.ingest.request_timeout_ms}): the headers are part of the request`);
  }
  for (const flag of config.agent.v8_flags.trim().split(/\s+/).filter(Boolean)) {
    if (!/^--[a-z0-9][a-z0-9-]*(=[A-Za-z0-9._-]+)?$/.test(flag)) throw new BlotterError('CONFIG_INVALID', `config agent.v8_flags: "${flag}" is not a V8 flag (--name or --name=value)`);
  }
  // A request as large as max_body must be able to come in at all.
  if (config.ingest.max_in_flight < config.ingest.max_body) {
    throw new BlotterError('CONFIG_INVALID', `config ingest.max_in_flight (${config.ingest.max_in_flight}) is less than ingest.max_body (${config.ingest.max_body}): a request of max_body could never be taken`);
  }
  if (env.DATABASE_URL) config.database.url = env.DATABASE_URL;
  return config;
}
