import { batches } from "./model.js";
export function sinkOf(w) {
    return {
        write: (s) => new Promise((resolve, reject) => {
            const ok = w.write(s, (err) => { if (err)
                reject(err); });
            if (ok)
                resolve();
            else
                w.once('drain', resolve);
        }),
    };
}
// A spreadsheet runs a text cell that starts with = + - @ as a formula (CSV injection):
// such text gets a leading apostrophe. Only text: a negative number stays a number.
const FORMULA = /^[=+\-@\t\r]/;
export function textOf(v, type) {
    if (v === null || v === undefined)
        return '';
    // text a spreadsheet would run is defused; json as PostgreSQL wrote it is left alone
    if (typeof v === 'string')
        return type === 'text' && FORMULA.test(v) ? `'${v}` : v;
    if (typeof v === 'number' || typeof v === 'boolean')
        return String(v);
    return JSON.stringify(v);
}
export function csvField(s) {
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
// One writer per column, chosen once: numbers, dates and intervals as PostgreSQL printed
// them (they hold no comma, quote or line break), text defused and quoted as needed.
function csvCell(type) {
    switch (type) {
        case 'decimal':
        case 'integer':
        case 'date':
        case 'timestamp':
        case 'interval':
        case 'boolean':
            return (v) => (v === null || v === undefined ? '' : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : csvField(JSON.stringify(v)));
        default:
            return (v) => csvField(textOf(v, type));
    }
}
export async function writeCsv(table, sink, onRows) {
    await sink.write(table.columns.map((c) => csvField(c.name)).join(',') + '\r\n');
    // written by the database when the table can be (catalog reports): the same cells
    if (table.copyCsv)
        return table.copyCsv(sink.write, onRows);
    const names = table.columns.map((c) => c.name);
    const cells = table.columns.map((c) => csvCell(c.type));
    const last = names.length - 1;
    let n = 0;
    for await (const batch of batches(table.rows)) {
        let chunk = '';
        for (const r of batch) {
            for (let i = 0; i <= last; i++)
                chunk += cells[i](r[names[i]] ?? null) + (i === last ? '\r\n' : ',');
        }
        await sink.write(chunk);
        n += batch.length;
        onRows?.(n);
    }
    return n;
}
function jsonValue(v, c) {
    if (v === null || v === undefined)
        return null;
    // decimals (numeric, int8) stay strings: exact
    if (c.type === 'integer' && typeof v === 'string')
        return Number(v);
    return v;
}
export async function writeJson(doc, sink, onRows) {
    await sink.write(`{"meta":${JSON.stringify(doc.meta)},"headlines":${JSON.stringify(doc.headlines)},"tables":[`);
    let n = 0;
    for (const [i, t] of doc.tables.entries()) {
        await sink.write(`${i ? ',' : ''}{"name":${JSON.stringify(t.name)},"title":${JSON.stringify(t.title)},"columns":${JSON.stringify(t.columns)},"rows":[`);
        let first = true;
        for await (const batch of batches(t.rows)) {
            let chunk = '';
            for (const r of batch) {
                // json cells read as PostgreSQL's text go in as JSON, not as a string of it
                chunk += (first ? '{' : ',{') + t.columns.map((c) => {
                    const v = r[c.name] ?? null;
                    return `${JSON.stringify(c.name)}:${c.type === 'json' && typeof v === 'string' ? v : JSON.stringify(jsonValue(v, c))}`;
                }).join(',') + '}';
                first = false;
            }
            await sink.write(chunk);
            n += batch.length;
            onRows?.(n);
        }
        await sink.write(']}');
    }
    await sink.write(']}\n');
    return n;
}
const NUMFMT = {
    money: '#,##0.00;[Red]-#,##0.00', percent: '0.00%', bps: '0.0', ratio: '0.00', quantity: '#,##0.####', price: '0.00######', id: '0', decimal: 'General',
};
// A cell for exceljs: numbers as numbers, dates as dates (UTC midnight / the instant).
export function xlsxValue(v, c) {
    if (v === null || v === undefined)
        return null;
    switch (c.type) {
        case 'decimal':
        case 'integer': {
            const x = Number(v);
            return Number.isFinite(x) ? x : String(v);
        }
        case 'date': {
            const d = new Date(`${String(v)}T00:00:00Z`);
            return Number.isNaN(d.getTime()) ? String(v) : d;
        }
        case 'timestamp': {
            const d = new Date(String(v));
            return Number.isNaN(d.getTime()) ? String(v) : d;
        }
        case 'boolean':
            return Boolean(v);
        case 'text':
            return typeof v === 'string' && FORMULA.test(v) ? `'${v}` : textOf(v, c.type);
        default:
            return textOf(v, c.type);
    }
}
function sheetName(name, taken) {
    let base = name.replace(/[\\/?*[\]:]/g, '_').slice(0, 31) || 'table';
    let s = base;
    for (let i = 2; taken.has(s.toLowerCase()); i++)
        s = `${base.slice(0, 28)}_${i}`;
    taken.add(s.toLowerCase());
    return s;
}
export async function writeXlsx(doc, stream, onRows) {
    // loaded here: exceljs is 20 MB of a process that may only write CSV
    const { default: Excel } = await import('exceljs');
    const wb = new Excel.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    wb.creator = doc.meta.generator;
    wb.created = new Date(doc.meta.generatedAt);
    const taken = new Set();
    const cover = wb.addWorksheet(sheetName('Report', taken));
    cover.columns = [{ width: 34 }, { width: 60 }];
    const line = (a, b = null) => cover.addRow([a, b]).commit();
    cover.addRow([doc.meta.title]).font = { bold: true, size: 14 };
    line('Report', doc.meta.report);
    for (const [k, v] of Object.entries(doc.meta.parameters))
        line(`Parameter ${k}`, v);
    line('Generated at (UTC)', doc.meta.generatedAt);
    line('Generated by', doc.meta.generator);
    line('Ledger through seq', doc.meta.ledgerThroughSeq);
    for (const f of doc.meta.freshness)
        line(`Data: reports.${f.name} refreshed at`, `${f.refreshedAt} (through seq ${f.eventsThroughSeq ?? 'n/a'})`);
    for (const c of doc.meta.chain)
        line(`Chain ${c.stream}`, c.verifiedAt ? `${c.ok ? 'verified' : 'PROBLEM'} at ${c.verifiedAt}${c.rowsSince ? `, ${c.rowsSince} rows appended since` : ''}` : 'not verified yet');
    if (doc.headlines.length) {
        line('');
        for (const h of doc.headlines) {
            const row = cover.addRow([h.label, h.value === '' ? null : Number.isFinite(Number(h.value)) ? Number(h.value) : h.value]);
            if (h.format)
                row.getCell(2).numFmt = NUMFMT[h.format];
            row.commit();
        }
    }
    await cover.commit();
    let n = 0;
    for (const t of doc.tables) {
        const ws = wb.addWorksheet(sheetName(t.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
        ws.columns = t.columns.map((c) => ({
            header: c.name, key: c.name,
            width: Math.min(40, Math.max(10, c.name.length + 2, c.type === 'timestamp' ? 20 : 0)),
            style: c.type === 'date' ? { numFmt: 'yyyy-mm-dd' } : c.type === 'timestamp' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' }
                : c.type === 'decimal' ? { numFmt: NUMFMT[c.format ?? 'decimal'] } : {},
        }));
        ws.getRow(1).font = { bold: true };
        for await (const batch of batches(t.rows)) {
            for (const r of batch)
                ws.addRow(t.columns.map((c) => xlsxValue(r[c.name] ?? null, c))).commit();
            n += batch.length;
            onRows?.(n);
        }
        await ws.commit();
    }
    await wb.commit();
    return n;
}
