// Flex statements for the importer's tests, written with agent/flex/write.ts in any of the
// date formats IB offers. The rows are made up from the facts in the notes on Flex XML
// (attribute names, signs, codes, traps), never copied from a real statement.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { element, FlexWriter, newYorkInstant } from "../../agent/flex/write.js";
export async function writeFlexFile(file, spec) {
    const w = new FlexWriter(file, {
        type: spec.type ?? 'AF', queryName: spec.queryName ?? 'blotter-test', statements: spec.count ?? spec.statements.length,
        ...(spec.format ? { format: spec.format } : {}),
    });
    for (const st of spec.statements) {
        w.startStatement({ account: st.account, fromDate: st.fromDate, toDate: st.toDate, period: st.period ?? '', whenGenerated: st.whenGenerated });
        for (const p of st.parts(w)) {
            if ('raw' in p)
                w.raw(p.raw);
            else if ('bare' in p)
                w.raw(element(p.bare, p.attrs) + '\n');
            else {
                w.open(p.section);
                for (const [name, attrs] of p.rows)
                    await w.row(name, attrs);
                w.close(p.section);
            }
        }
        w.endStatement();
    }
    await w.end();
    return file;
}
// New York wall clock as an instant.
export const ny = (date, time) => newYorkInstant(date, time);
export function tempDir(t, prefix) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}
// A view row with its timestamps as ISO strings and its dates as YYYY-MM-DD (postgres.js
// reads both as Date), so rows compare as plain values.
export function plain(row, dateColumns = []) {
    const out = {};
    for (const [k, v] of Object.entries(row)) {
        out[k] = v instanceof Date ? (dateColumns.includes(k) ? v.toISOString().slice(0, 10) : v.toISOString()) : v;
    }
    return out;
}
