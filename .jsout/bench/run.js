// npm run bench -- <case> [--json] [options]: one JSON object per case on stdout.
// Each case measures itself against a baseline taken in the same run.
import { parseArgs } from 'node:util';
const CASES = {
    ledger: () => import("./ledger.js"),
    ingest: () => import("./ingest.js"),
    recon: () => import("./recon.js"),
    flex: () => import("./flex.js"),
    reports: () => import("./reports.js"),
    html: () => import("./html.js"),
    export: () => import("./export.js"),
    archive: () => import("./archive.js"),
};
const [name, ...rest] = process.argv.slice(2);
const load = name ? CASES[name] : undefined;
if (!load) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(CASES).join('|')}> [--json]\n`);
    process.exit(2);
}
const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: false });
const result = await (await load()).run(rest);
if (values.json)
    process.stdout.write(JSON.stringify(result) + '\n');
else
    for (const [k, v] of Object.entries(result))
        process.stdout.write(`${k.padEnd(24)} ${v}\n`);
