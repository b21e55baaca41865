// npm run docs: regenerate docs/events.md and docs/schemas/ from the vocabulary.
import fs from 'node:fs';
import path from 'node:path';
import { eventSchemas, eventsMarkdown } from "../agent/ingest/docs.js";
import { viewsSql } from "../agent/ingest/views.js";
const root = path.resolve(import.meta.dirname, '..');
fs.mkdirSync(path.join(root, 'docs', 'schemas'), { recursive: true });
fs.writeFileSync(path.join(root, 'docs', 'events.md'), eventsMarkdown());
for (const [name, schema] of Object.entries(eventSchemas())) {
    fs.writeFileSync(path.join(root, 'docs', 'schemas', name), JSON.stringify(schema, null, 2) + '\n');
}
fs.writeFileSync(path.join(root, 'db', 'functions', '060_ledger_views.sql'), viewsSql());
process.stdout.write(`wrote docs/events.md, ${Object.keys(eventSchemas()).length} schemas and db/functions/060_ledger_views.sql\n`);
