// The read path of reports: a slonik pool (postgres.js stays the write path) whose type
// parsers keep every value exact (numeric, int8 and dates as text, timestamps as ISO
// strings with their microseconds), whose queries can carry a zod schema that every row
// is checked against (the interceptor below), and a streaming reader that yields rows in
// batches through a server-side cursor, so an export of millions of rows never sits in
// memory.
//
// The bulk rows of a table (streamRows) are read by postgres.js, with the same exact type
// parsing, on a connection of its own: slonik's stream pushes every row through a per-row
// object pipeline and reads about 170,000 rows a second, postgres.js's cursor about
// 350,000, and a CSV export must do 200,000 (bench export). Everything else, the typed and
// checked queries of a report, goes through slonik.
import postgres from 'postgres';
import { createPool, sql, type DatabasePool, type Field, type Interceptor, type QuerySqlToken } from 'slonik';
import type { ZodTypeAny } from 'zod';
import { BlotterError } from '../errors.ts';
import type { Column, ColumnType, Row } from './model.ts';

export { sql };

// '2026-11-23 15:04:05.123456+00' (any session TimeZone) -> '2026-11-23T15:04:05.123456Z'
export function isoTimestamp(v: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d)?(?::?\d\d)?)?$/.exec(v);
  if (!m) return v; // infinity, BC dates: as PostgreSQL wrote them
  if (!m[3] || /^\+00(:?00)?$/.test(m[3])) return `${m[1]}T${m[2]}Z`;
  const d = new Date(`${m[1]}T${m[2]}${m[3].length === 3 ? m[3] + ':00' : m[3]}`);
  if (Number.isNaN(d.getTime())) return v;
  const frac = /\.(\d+)$/.exec(m[2]!)?.[1] ?? '';
  return d.toISOString().replace(/\.\d{3}Z$/, frac ? `.${frac}Z` : 'Z');
}

const keep = (v: string) => v;
const TYPE_PARSERS = [
  { name: 'numeric', parse: keep }, { name: 'int8', parse: keep }, { name: 'date', parse: keep },
  { name: 'interval', parse: keep }, { name: 'timestamp', parse: keep }, { name: 'timestamptz', parse: isoTimestamp },
  { name: 'float4', parse: keep }, { name: 'float8', parse: keep }, { name: 'money', parse: keep },
];

// Queries built with sql.type(schema) have every row checked: a report whose columns
// drifted from what the code expects fails loudly instead of rendering wrong numbers.
const ZOD_ROWS: Interceptor = {
  name: 'blotter-zod-rows',
  transformRow: (ctx, _query, row) => {
    const parser = ctx.resultParser as ZodTypeAny | undefined;
    if (!parser) return row;
    const r = parser.safeParse(row);
    if (!r.success) throw new BlotterError('REPORT_ROW_SHAPE', `a report row does not have the expected shape: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return r.data as typeof row;
  },
};

const BULK = new WeakMap<DatabasePool, postgres.Sql>();

// The pool's postgres.js connection (for COPY: csv-copy.ts).
export function bulkOf(pool: DatabasePool): postgres.Sql {
  const bulk = BULK.get(pool);
  if (!bulk) throw new BlotterError('REPORT_READ', 'a report pool from openReadPool is needed');
  return bulk;
}

// role: every connection acts as this role (the review console's reads run as blotter_console).
export async function openReadPool(url: string, opts: { statementTimeoutMs: number; applicationName?: string; role?: string }): Promise<DatabasePool> {
  const u = new URL(url);
  u.searchParams.set('application_name', opts.applicationName ?? 'blotter-report');
  const slonikUrl = new URL(u);
  if (opts.role) slonikUrl.searchParams.set('options', `-c role=${opts.role}`);
  const pool = await createPool(slonikUrl.toString(), {
    typeParsers: TYPE_PARSERS, interceptors: [ZOD_ROWS], maximumPoolSize: 2, statementTimeout: opts.statementTimeoutMs,
    captureStackTrace: false, connectionTimeout: 10_000, idleTimeout: 5_000,
  });
  const text = (oids: number[], parse: (v: string) => unknown) => ({ to: oids[0]!, from: oids, serialize: (v: unknown) => String(v), parse });
  const bulk = postgres(u.toString(), {
    max: 1, onnotice: () => {}, connect_timeout: 10, idle_timeout: 5,
    connection: { statement_timeout: String(opts.statementTimeoutMs), ...(opts.role ? { role: opts.role } : {}) } as Record<string, string>,
    // exact, as the slonik parsers above: dates and intervals as text, timestamps ISO with their microseconds
    types: {
      blotterDate: text([1082], keep), blotterTimestamp: text([1114], keep), blotterTimestamptz: text([1184], isoTimestamp),
      blotterInterval: text([1186], keep), blotterFloat: text([700, 701], keep), blotterMoney: text([790], keep),
      // json as PostgreSQL wrote it: its numbers exact, and the same text in every format
      blotterJson: text([114, 3802], keep),
    } as unknown as Record<string, postgres.PostgresType>,
  });
  BULK.set(pool, bulk);
  const end = pool.end.bind(pool);
  Object.assign(pool, { end: async () => { await Promise.all([end(), bulk.end({ timeout: 5 })]); } });
  return pool;
}

// PostgreSQL type OIDs -> a report column type.
const OIDS: Record<number, ColumnType> = {
  16: 'boolean', 20: 'decimal', 21: 'integer', 23: 'integer', 700: 'decimal', 701: 'decimal', 1700: 'decimal', 790: 'decimal',
  1082: 'date', 1114: 'timestamp', 1184: 'timestamp', 1186: 'interval', 114: 'json', 3802: 'json', 1009: 'text[]', 1015: 'text[]',
};
export function columnTypeOf(oid: number): ColumnType {
  return OIDS[oid] ?? 'text';
}

// Ids and sequence numbers (con_id, perm_id, seq, stream_seq) read as digits, not amounts.
const ID = /(^|_)(id|seq)$/;
export function columnsOf(fields: readonly Field[], known: Record<string, Partial<Column>> = {}): Column[] {
  return fields.map((f) => {
    const type = columnTypeOf(f.dataTypeId);
    return { name: f.name, type, oid: f.dataTypeId, ...((type === 'decimal' || type === 'integer') && ID.test(f.name) ? { format: 'id' as const } : {}), ...known[f.name] };
  });
}

// Rows in batches through a server-side cursor (postgres.js, see above). At most two
// batches wait for the reader (the cursor pauses on the callback's promise until one is
// taken), so memory holds a few batches whatever the table's size, and the server reads
// the next batch while this process formats the last. (postgres.js's own async iterator
// reads a third slower.)
export async function* streamRows(pool: DatabasePool, query: QuerySqlToken, o: { batch?: number } = {}): AsyncIterable<Row[]> {
  const bulk = BULK.get(pool);
  if (!bulk) throw new BlotterError('REPORT_READ', 'streamRows needs a pool from openReadPool');
  type Item = { rows?: Row[]; end?: true; err?: Error };
  const queue: Item[] = [];
  let wake: (() => void) | null = null;
  let room: (() => void) | null = null;
  let stop = false;
  const put = (x: Item) => { queue.push(x); const w = wake; wake = null; w?.(); };
  // slonik writes its placeholders $slonik_1, $slonik_2, ...; the server wants $1, $2
  const text = query.sql.replace(/\$slonik_(\d+)/g, '$$$1');
  const done = bulk.unsafe(text, query.values as postgres.ParameterOrJSON<never>[])
    .cursor(o.batch ?? 5000, (rows) => {
      if (stop) return (bulk as unknown as { CLOSE: never }).CLOSE;
      put({ rows: rows as unknown as Row[] });
      if (queue.length < 2) return undefined;
      return new Promise<void>((resolve) => { room = resolve; });
    })
    .then(() => put({ end: true }), (err: Error) => put({ err }));
  try {
    for (;;) {
      if (queue.length === 0) await new Promise<void>((resolve) => { wake = resolve; });
      const b = queue.shift()!;
      const r = room as (() => void) | null;
      room = null;
      r?.();
      if (b.err) throw b.err;
      if (b.end) return;
      yield b.rows!;
    }
  } finally {
    // the reader stopped early (an error downstream, a closed pipe): close the cursor
    stop = true;
    (room as (() => void) | null)?.();
    await done;
  }
}
