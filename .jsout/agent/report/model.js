// What every rendered report is, whatever its format: a document of tables (columns typed
// so XLSX can make numeric and date cells, CSV can write exact decimals, HTML can align
// numbers), optional headline figures and charts, and the facts every file carries: its
// parameters, when it was generated, how fresh the data is and the chain status of the
// streams it draws on. The formats (csv.ts, json.ts, xlsx.ts, html.ts, pdf.ts) render it;
// the catalog (catalog.ts) and custom reports (custom.ts) build it.
import fs from 'node:fs';
// Who made a file: 'blotter <version>' (package.json), the same in every format and report.
export const GENERATOR = `blotter ${JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version}`;
export async function* batches(rows) {
    if (Array.isArray(rows)) {
        yield rows;
        return;
    }
    yield* rows;
}
