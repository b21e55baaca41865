// CSV of a catalog table written by the database: the table's query wrapped in a SELECT
// whose columns are formatted as formats.ts's writer formats them (decimals, dates and
// intervals as printed; timestamps ISO 8601 UTC; booleans true/false; formula-looking text
// defused; text[] and json as JSON), sent by COPY ... (FORMAT csv). The server formats and
// quotes while this process only passes the bytes on: a million-row export is bound by the
// server, not by parsing every value in JavaScript (bench export). A cursor would stop the
// server between batches; COPY streams.
//
// COPY takes no bind parameters, so the query's values are written into it as literals:
// numbers as numbers, text as a standard-conforming string literal (quotes doubled; the
// session sets standard_conforming_strings on, so a backslash is only a backslash).
import { StringDecoder } from 'node:string_decoder';
import { BlotterError } from "../errors.js";
export function literal(v) {
    if (v === null || v === undefined)
        return 'NULL';
    if (typeof v === 'number') {
        if (!Number.isFinite(v))
            throw new BlotterError('REPORT_READ', `a report parameter is not a finite number: ${v}`);
        return String(v);
    }
    if (typeof v === 'boolean')
        return v ? 'true' : 'false';
    if (typeof v === 'string') {
        if (v.includes('\u0000'))
            throw new BlotterError('REPORT_PARAM', 'a report parameter holds a NUL character');
        return `'${v.replace(/'/g, "''")}'`;
    }
    throw new BlotterError('REPORT_READ', `a report parameter of type ${typeof v} cannot be written into COPY`);
}
// slonik's placeholders ($slonik_1, ...) replaced by the values as literals.
export function inlined(query) {
    return query.sql.replace(/\$slonik_(\d+)/g, (_, n) => literal(query.values[Number(n) - 1]));
}
// The COPY: each column formatted as formats.ts's writer formats it, quoting left to COPY's
// CSV format (a field with a comma, a quote or a line break is quoted, quotes doubled; an
// empty text is written "" to tell it from NULL, which is nothing: both read back as empty).
export function csvCopySql(columns, query) {
    const id = (n) => `q."${n.replace(/"/g, '""')}"`;
    const cell = (c) => {
        const v = id(c.name);
        switch (c.oid) {
            case 20:
            case 21:
            case 23:
            case 26:
            case 700:
            case 701:
            case 1700:
            case 1082:
            case 1114:
            case 1186:
            case 114:
            case 3802:
            case 790:
                return `${v}::text`;
            case 1184:
                // in UTC a timestamp's text drops the trailing zeros of its fraction, as read.ts's isoTimestamp keeps it
                return `replace((${v} at time zone 'UTC')::text, ' ', 'T') || 'Z'`;
            case 16:
                return `case when ${v} then 'true' when not ${v} then 'false' end`;
            case 1009:
            case 1015:
                return `array_to_json(${v})::text`;
            default: {
                // text a spreadsheet would run as a formula (= + - @ tab CR first) gets a leading
                // apostrophe; ascii() of the first character is the cheapest test per cell
                const t = c.oid === 25 || c.oid === 1043 ? v : `${v}::text`;
                return `case when ascii(${t}) in (61, 43, 45, 64, 9, 13) then '''' || ${t} else ${t} end`;
            }
        }
    };
    return `copy (select ${columns.map(cell).join(', ')} from (${inlined(query)}) q) to stdout with (format csv)`;
}
// COPY's CSV ends rows with LF; RFC 4180 wants CRLF. A LF inside a quoted field is data and
// stays: the quotes are followed across chunks (a doubled quote toggles twice: no change).
export async function copyCsv(bulk, columns, query, write, onRows) {
    await bulk `set standard_conforming_strings = on`;
    const readable = await bulk.unsafe(csvCopySql(columns, query)).readable();
    const decoder = new StringDecoder('utf8');
    let quoted = false;
    let rows = 0;
    for await (const chunk of readable) {
        const s = decoder.write(chunk);
        let out = '';
        let from = 0;
        let i = 0;
        let q = s.indexOf('"');
        for (;;) {
            // the next quote is looked up again only once passed (a chunk is scanned once)
            if (q >= 0 && q < i)
                q = s.indexOf('"', i);
            const n = quoted ? -1 : s.indexOf('\n', i);
            if (n >= 0 && (q < 0 || n < q)) {
                out += s.slice(from, n) + '\r\n';
                from = n + 1;
                i = n + 1;
                rows++;
            }
            else if (q >= 0) {
                quoted = !quoted;
                i = q + 1;
            }
            else {
                break;
            }
        }
        out += s.slice(from);
        await write(out);
        onRows?.(rows);
    }
    const rest = decoder.end();
    if (rest)
        await write(rest);
    return rows;
}
