// CSV of a catalog table written by the database: the table's query wrapped in a SELECT of
// one text column per row whose cells are formatted exactly as formats.ts's writer formats
// them (decimals, dates and intervals as printed; timestamps ISO 8601 UTC; booleans
// true/false; text defused and quoted by reports.csv_text; text[] and json as JSON), sent
// by COPY TO STDOUT. The server formats while this process only passes the bytes on: a
// million-row export is bound by the server, not by parsing every value in JavaScript
// (bench export). A cursor would stop the server between batches; COPY streams.
//
// COPY takes no bind parameters, so the query's values are written into it as literals:
// numbers as numbers, text as a standard-conforming string literal (quotes doubled; the
// session sets standard_conforming_strings on, so a backslash is only a backslash).
// COPY's text format escapes backslashes and control characters in the line; they are
// undone here, and each line ends with CRLF (RFC 4180).
import { StringDecoder } from 'node:string_decoder';
import type postgres from 'postgres';
import type { QuerySqlToken } from 'slonik';
import { BlotterError } from '../errors.ts';
import type { Column } from './model.ts';

export function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new BlotterError('REPORT_READ', `a report parameter is not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') {
    if (v.includes('\u0000')) throw new BlotterError('REPORT_PARAM', 'a report parameter holds a NUL character');
    return `'${v.replace(/'/g, "''")}'`;
  }
  throw new BlotterError('REPORT_READ', `a report parameter of type ${typeof v} cannot be written into COPY`);
}

// slonik's placeholders ($slonik_1, ...) replaced by the values as literals.
export function inlined(query: QuerySqlToken): string {
  return query.sql.replace(/\$slonik_(\d+)/g, (_, n: string) => literal(query.values[Number(n) - 1]));
}

export function csvLineSql(columns: Column[], query: QuerySqlToken): string {
  const id = (n: string) => `q."${n.replace(/"/g, '""')}"`;
  const cell = (c: Column): string => {
    const v = id(c.name);
    switch (c.oid) {
      case 20: case 21: case 23: case 26: case 700: case 701: case 1700: case 1082: case 1114: case 1186:
        return `coalesce(${v}::text, '')`;
      case 1184:
        // in UTC a timestamp's text drops the trailing zeros of its fraction, as read.ts's isoTimestamp keeps it
        return `coalesce(replace((${v} at time zone 'UTC')::text, ' ', 'T') || 'Z', '')`;
      case 16:
        return `case when ${v} then 'true' when not ${v} then 'false' else '' end`;
      case 1009: case 1015:
        return `coalesce(reports.csv_quote(array_to_json(${v})::text), '')`;
      case 114: case 3802: case 790:
        return `coalesce(reports.csv_quote(${v}::text), '')`;
      default:
        return `reports.csv_text(${v}::text)`;
    }
  };
  return `copy (select ${columns.map(cell).join(` || ',' || `)} from (${inlined(query)}) q) to stdout`;
}

const UNESCAPE: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };

// COPY text -> CSV lines: each row terminator becomes CRLF, escapes are undone. An escape
// split across two chunks is carried over.
export async function copyCsv(bulk: postgres.Sql, columns: Column[], query: QuerySqlToken, write: (s: string) => Promise<void>, onRows?: (n: number) => void): Promise<number> {
  await bulk`set standard_conforming_strings = on`;
  const readable = await bulk.unsafe(csvLineSql(columns, query)).readable();
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let rows = 0;
  for await (const chunk of readable as AsyncIterable<Buffer>) {
    let s = carry + decoder.write(chunk);
    carry = '';
    // a lone backslash at the end starts an escape whose second half is in the next chunk
    const tail = /\\+$/.exec(s);
    if (tail && tail[0].length % 2 === 1) {
      carry = '\\';
      s = s.slice(0, -1);
    }
    let lines = 0;
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) lines++;
    let out = s.replace(/\n/g, '\r\n');
    if (out.includes('\\')) out = out.replace(/\\([\\nrtbfv])/g, (_, c: string) => UNESCAPE[c]!);
    await write(out);
    rows += lines;
    onRows?.(rows);
  }
  const rest = carry + decoder.end();
  if (rest) await write(rest);
  return rows;
}
