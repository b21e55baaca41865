// docs/events.md and docs/schemas/*.json, generated from the vocabulary so the reference
// cannot drift from what the API accepts. `npm run docs` writes them; a test checks them.
import { ENVELOPE, VOCABULARY } from "./vocabulary.js";
import { objectSchema, typeLabel } from "./schema.js";
export function eventSchemas() {
    const out = {};
    for (const [type, spec] of Object.entries(VOCABULARY)) {
        out[`${type}.json`] = {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            $id: `https://blotter.invalid/schemas/${type}.json`,
            title: type,
            description: spec.doc,
            type: 'object',
            additionalProperties: false,
            required: ['event_type', 'occurred_at', 'payload', ...(spec.needsAccount ? ['account'] : []), ...(spec.needsActor ? ['actor'] : [])],
            properties: {
                event_type: { const: type },
                occurred_at: { type: 'string', format: 'date-time', description: ENVELOPE.occurred_at.doc },
                idempotency_key: { type: 'string', minLength: 1, maxLength: 1000, description: ENVELOPE.idempotency_key.doc },
                account: { type: 'string', minLength: 1, maxLength: 1000, description: ENVELOPE.account.doc },
                actor: { type: 'string', minLength: 1, maxLength: 1000, description: ENVELOPE.actor.doc },
                session_id: { type: 'string', minLength: 1, maxLength: 1000, description: ENVELOPE.session_id.doc },
                stream: { type: 'string', minLength: 1, maxLength: 200, description: ENVELOPE.stream.doc },
                source: { enum: ['bot', 'user', 'system'], description: ENVELOPE.source.doc },
                payload: objectSchema(spec.fields),
            },
        };
    }
    return out;
}
function rows(fields, prefix) {
    const lines = [];
    for (const [name, f] of Object.entries(fields)) {
        const key = `${prefix}${name}`;
        lines.push(`| \`${key}\` | ${typeLabel(f)} | ${f.optional ? '' : 'yes'} | ${f.doc.replace(/\|/g, '\\|')} |`);
        if (f.t === 'object' && name !== 'contract')
            lines.push(...rows(f.fields, `${key}.`));
        if (f.t === 'array' && f.of.t === 'object')
            lines.push(...rows(f.of.fields, `${key}[].`));
    }
    return lines;
}
export function eventsMarkdown() {
    const contract = VOCABULARY.order_submitted.fields.contract.fields;
    const parts = [
        '# Events the bot sends',
        '',
        '<!-- Generated from agent/ingest/vocabulary.ts by `npm run docs`. Do not edit by hand. -->',
        '',
        'Each event is a JSON object: an envelope, and a `payload` whose fields depend on the',
        '`event_type`. Unknown fields are refused. Decimals (money, prices, quantities) may be',
        'sent as strings (`"187.25"`) or JSON numbers; either way the digits are kept exactly',
        '(never through a float) and stored as decimal strings. Timestamps are RFC 3339 with an',
        'offset. JSON Schema files for each type are in [schemas/](schemas/).',
        '',
        '## Envelope',
        '',
        '| field | required | |',
        '|---|---|---|',
        ...Object.entries(ENVELOPE).map(([k, v]) => `| \`${k}\` | ${v.required ? 'yes' : ''} | ${v.doc} |`),
        '',
        '## contract',
        '',
        'Several payloads name an instrument the way IB does:',
        '',
        '| field | type | required | |',
        '|---|---|---|---|',
        ...rows(contract, ''),
        '',
    ];
    for (const [type, spec] of Object.entries(VOCABULARY)) {
        const needs = [spec.needsAccount ? '`account`' : '', spec.needsActor ? '`actor`' : ''].filter(Boolean);
        parts.push(`## ${type}`, '', spec.doc, '');
        if (needs.length)
            parts.push(`Envelope: ${needs.join(' and ')} required.`, '');
        parts.push('| field | type | required | |', '|---|---|---|---|', ...rows(spec.fields, 'payload.'), '');
    }
    return parts.join('\n');
}
