// What every rendered report is, whatever its format: a document of tables (columns typed
// so XLSX can make numeric and date cells, CSV can write exact decimals, HTML can align
// numbers), optional headline figures and charts, and the facts every file carries: its
// parameters, when it was generated, how fresh the data is and the chain status of the
// streams it draws on. The formats (csv.ts, json.ts, xlsx.ts, html.ts, pdf.ts) render it;
// the catalog (catalog.ts) and custom reports (custom.ts) build it.
import fs from 'node:fs';

// decimal: an exact decimal as a string (PostgreSQL numeric); money is never a JS number.
// integer: a whole count, safe as a JS number. date: 'YYYY-MM-DD'. timestamp: ISO 8601 in
// UTC. interval: PostgreSQL's text form. json: any JSON value.
export type ColumnType = 'text' | 'decimal' | 'integer' | 'date' | 'timestamp' | 'boolean' | 'interval' | 'json' | 'text[]';

export type Column = {
  name: string;           // as in the view
  label?: string;         // header shown to a person (default: name)
  type: ColumnType;
  // How a person reads it (HTML, XLSX number format); the value itself is never rounded.
  format?: 'money' | 'percent' | 'bps' | 'ratio' | 'quantity' | 'price' | 'id';  // id: digits as they are (no grouping)
  doc?: string;           // the column's comment in the database
  oid?: number;           // PostgreSQL type OID, when read from the database
};

// A value as read: strings for decimals, dates and timestamps (exact, zone-free), numbers
// for integers, booleans, null, arrays for text[]; json as PostgreSQL's text of it (the
// catalog reports) or parsed (custom reports).
export type Cell = string | number | boolean | null | unknown[] | Record<string, unknown>;
export type Row = Record<string, Cell>;

export type Table = {
  name: string;           // sheet name in XLSX, section id in HTML (short, [a-z0-9_])
  title: string;
  description?: string;
  columns: Column[];
  // Rows in memory, or a source that yields them in batches (large exports stream: CSV
  // never holds the whole report).
  rows: Row[] | AsyncIterable<Row[]>;
  // The same rows as CSV written by the database (csv-copy.ts), when it can: CSV uses it
  // instead of `rows` (same cells, a fraction of the work here). Returns the row count.
  copyCsv?: (write: (s: string) => Promise<void>, onRows?: (n: number) => void) => Promise<number>;
};

// Charts are data plus a kind; html.ts turns each into a Vega-Lite spec rendered to SVG.
export type Chart =
  | { kind: 'equity'; title: string; points: { date: string; value: string }[] }              // equity index or NAV over time
  | { kind: 'drawdown'; title: string; points: { date: string; value: string }[] }            // drawdown (<= 0) over time
  | { kind: 'daily_pnl'; title: string; points: { date: string; value: string }[] }           // bars, green up / red down
  | { kind: 'monthly_returns'; title: string; cells: { year: number; month: number; value: string }[] } // year x month grid
  | { kind: 'histogram'; title: string; values: string[]; unit?: string };                    // e.g. slippage in bps

export type Headline = { label: string; value: string; format?: Column['format']; note?: string };

export type ChainStatus = { stream: string; verifiedAt: string | null; ok: boolean | null; rowsSince: number | null };
export type Freshness = { name: string; refreshedAt: string; eventsThroughSeq: string | null };

export type ReportMeta = {
  report: string;                      // catalog name (daily, monthly, ...) or custom:<name>
  title: string;
  parameters: Record<string, string>;  // as given (from, to, account, ...), ISO dates
  generatedAt: string;                 // ISO timestamp
  generator: string;                   // 'blotter <version>'
  freshness: Freshness[];              // the materialized reports it read (reports.refreshes)
  ledgerThroughSeq: string | null;     // the ledger's highest seq when generated
  chain: ChainStatus[];                // reports.chain_status of the streams it draws on
};

export type ReportDocument = {
  meta: ReportMeta;
  headlines: Headline[];
  charts: Chart[];
  tables: Table[];
};

// Who made a file: 'blotter <version>' (package.json), the same in every format and report.
export const GENERATOR = `blotter ${(JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;

export async function* batches(rows: Row[] | AsyncIterable<Row[]>): AsyncIterable<Row[]> {
  if (Array.isArray(rows)) {
    yield rows;
    return;
  }
  yield* rows;
}
