// The read path of reports: a slonik pool (postgres.js stays the write path) whose type
// parsers keep every value exact (numeric, int8 and dates as text, timestamps as ISO
// strings with their microseconds), whose queries can carry a zod schema that every row
// is checked against (the interceptor below), and a streaming reader that yields rows in
// batches through a server-side cursor, so an export of millions of rows never sits in
// memory.
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

export async function openReadPool(url: string, opts: { statementTimeoutMs: number; applicationName?: string }): Promise<DatabasePool> {
  const u = new URL(url);
  u.searchParams.set('application_name', opts.applicationName ?? 'blotter-report');
  return createPool(u.toString(), {
    typeParsers: TYPE_PARSERS, interceptors: [ZOD_ROWS], maximumPoolSize: 2, statementTimeout: opts.statementTimeoutMs,
    captureStackTrace: false, connectionTimeout: 10_000, idleTimeout: 5_000,
  });
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
    return { name: f.name, type, ...((type === 'decimal' || type === 'integer') && ID.test(f.name) ? { format: 'id' as const } : {}), ...known[f.name] };
  });
}

// Rows in batches through a cursor; `onFields` gets the columns before the first batch (also
// for an empty result).
export async function* streamRows(pool: DatabasePool, query: QuerySqlToken, o: { batch?: number; onFields?: (f: readonly Field[]) => void } = {}): AsyncIterable<Row[]> {
  const size = o.batch ?? 2000;
  const queue: (Row[] | Error | null)[] = [];
  let wake: (() => void) | null = null;
  let fieldsSeen = false;
  let paused: { resume: () => void } | null = null;
  let source: { destroy: (e?: Error) => void } | null = null;
  let finished = false;
  const push = (x: Row[] | Error | null) => { queue.push(x); wake?.(); wake = null; };
  let batch: Row[] = [];
  const done = pool.stream(query, (stream) => {
    source = stream;
    stream.on('data', (d: { data: Row; fields: readonly Field[] }) => {
      if (!fieldsSeen) { fieldsSeen = true; o.onFields?.(d.fields); }
      batch.push(d.data);
      if (batch.length >= size) {
        push(batch);
        batch = [];
        // back-pressure: hold the cursor while two batches wait
        if (queue.length >= 2) { stream.pause(); paused = stream; }
      }
    });
  }).then(() => { finished = true; if (batch.length) push(batch); push(null); }, (err: Error) => { finished = true; push(err); });
  try {
    for (;;) {
      if (queue.length === 0) {
        if (paused) { const p = paused as { resume: () => void }; paused = null; p.resume(); }
        await new Promise<void>((r) => { wake = r; });
        continue;
      }
      const x = queue.shift()!;
      if (x === null) return;
      if (x instanceof Error) throw x;
      yield x;
    }
  } finally {
    // the reader stopped early (an error downstream, a closed pipe): end the cursor
    if (!finished) (source as { destroy: (e?: Error) => void } | null)?.destroy(new Error('report reader stopped'));
    await done.catch(() => {});
  }
}
