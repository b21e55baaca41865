// npm run docs: regenerate docs/events.md and docs/schemas/ from the vocabulary.
import fs from 'node:fs';
import path from 'node:path';
import { eventSchemas, eventsMarkdown } from '../agent/ingest/docs.ts';

const root = path.resolve(import.meta.dirname, '..');
fs.mkdirSync(path.join(root, 'docs', 'schemas'), { recursive: true });
fs.writeFileSync(path.join(root, 'docs', 'events.md'), eventsMarkdown());
for (const [name, schema] of Object.entries(eventSchemas())) {
  fs.writeFileSync(path.join(root, 'docs', 'schemas', name), JSON.stringify(schema, null, 2) + '\n');
}
process.stdout.write(`wrote docs/events.md and ${Object.keys(eventSchemas()).length} schemas\n`);
