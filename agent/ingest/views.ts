// Typed views over the journal, one per event type, generated from the vocabulary so a
// column exists exactly when the API accepts the field. Money and quantities come out as
// numeric, times as timestamptz; every view and column carries a comment. The journal
// stays the only stored copy. `npm run docs` writes db/functions/060_ledger_views.sql.
import { VOCABULARY } from './vocabulary.ts';
import type { Field, Fields } from './schema.ts';

// View name for each event type; array payloads also get a view with one row per item.
const VIEWS: Record<string, { view: string; doc: string; unnest?: { field: string; view: string; doc: string } }> = {
  order_submitted: { view: 'orders', doc: 'Orders the bot submitted (event_type order_submitted), one row per order.' },
  order_status: { view: 'order_statuses', doc: 'Order status changes the bot reported (order_status).' },
  order_cancel_requested: { view: 'order_cancel_requests', doc: 'Cancels the bot requested (order_cancel_requested).' },
  order_modified: { view: 'order_modifications', doc: 'Changes the bot made to working orders (order_modified).' },
  execution: { view: 'executions', doc: 'Fills (event_type execution), from the bot and, later, the broker relay; source tells which.' },
  position_snapshot: {
    view: 'position_snapshots', doc: 'Position snapshots the bot reported, one row per snapshot.',
    unnest: { field: 'positions', view: 'positions', doc: 'Positions the bot believed it held: one row per instrument per position_snapshot.' },
  },
  account_snapshot: {
    view: 'account_values', doc: 'Account values the bot reported (account_snapshot): net liquidation, margins, buying power.',
    unnest: { field: 'cash', view: 'cash_balances', doc: 'Cash per currency the bot believed it held: one row per currency per account_snapshot.' },
  },
  pnl: { view: 'pnl', doc: 'Profit and loss the bot computed (pnl).' },
  signal: { view: 'signals', doc: 'Strategy signals: what the bot decided and why (signal).' },
  config_change: { view: 'config_changes', doc: 'Configuration changes, with who and why (config_change).' },
  user_action: { view: 'user_actions', doc: 'Actions people took on the bot (user_action).' },
  connection: { view: 'connections', doc: "The bot's own connection state changes (connection)." },
  system: { view: 'system_events', doc: 'Start, stop, deploy and error events of the bot (system).' },
};

const COMMON: [string, string, string][] = [
  ['seq', 'e.seq', 'Global position in the journal (ledger.events.seq)'],
  ['stream', 'e.stream', 'Chain the event belongs to'],
  ['stream_seq', 'e.stream_seq', 'Position in its stream'],
  ['recorded_at', 'e.recorded_at', 'When the ledger recorded it'],
  ['occurred_at', 'e.occurred_at', 'When it happened, by the reporter\'s clock'],
  ['source', 'e.source', 'Who reported it (bot, ib, user, system, flex)'],
  ['account', 'e.account', 'Broker account'],
  ['actor', 'e.actor', 'Who acted'],
  ['session_id', 'e.session_id', 'Session of the reporter'],
  ['idempotency_key', 'e.idempotency_key', 'Idempotency key it arrived with'],
];

function cast(expr: string, f: Field): string {
  switch (f.t) {
    case 'decimal': return `(${expr} ->> '_')::numeric`;
    case 'int':
    case 'bigint': return `(${expr} ->> '_')::bigint`;
    case 'timestamp': return `(${expr} ->> '_')::timestamptz`;
    case 'bool': return `(${expr} ->> '_')::boolean`;
    case 'json':
    case 'map':
    case 'array':
    case 'object': return `${expr} -> '_'`;
    default: return `${expr} ->> '_'`;
  }
}

type Col = { name: string; expr: string; doc: string };

function columns(fields: Fields, base: string, prefix: string, taken: Set<string>, skip?: string): Col[] {
  const out: Col[] = [];
  for (const [name, f] of Object.entries(fields)) {
    if (name === skip) continue;
    if (f.t === 'object' && name === 'contract') {
      for (const [cname, cf] of Object.entries(f.fields)) {
        const col = taken.has(cname) || name !== 'contract' ? `contract_${cname}` : cname;
        const expr = cast(`${base} -> 'contract'`, cf).replace("'_'", `'${cname}'`);
        out.push({ name: prefix + col, expr, doc: `Contract: ${cf.doc}` });
      }
      continue;
    }
    out.push({ name: prefix + name, expr: cast(base, f).replace("'_'", `'${name}'`), doc: f.doc });
  }
  return out;
}

function viewSql(view: string, doc: string, cols: Col[], from: string): string {
  const all = [...COMMON.map(([n, e, d]) => ({ name: n, expr: e, doc: d })), ...cols];
  const lines = [
    `create or replace view ledger.${view} as`,
    'select ' + all.map((c) => `${c.expr} as ${c.name}`).join(',\n       '),
    `  from ${from};`,
    `comment on view ledger.${view} is ${lit(doc)};`,
    ...all.map((c) => `comment on column ledger.${view}.${c.name} is ${lit(c.doc)};`),
  ];
  return lines.join('\n');
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function viewsSql(): string {
  const parts = [
    '-- Typed views over ledger.events, one per event type of the bot\'s vocabulary.',
    '-- Generated from agent/ingest/vocabulary.ts by `npm run docs`; do not edit by hand.',
    '-- Decimals are numeric, times timestamptz; the journal stays the only stored copy.',
    '',
  ];
  // Create or replace only: a change that removes or reorders columns fails here, loudly,
  // and needs a migration; dropping would take dependent views (reports, a DBA's) along.
  for (const [type, spec] of Object.entries(VOCABULARY)) {
    const v = VIEWS[type];
    if (!v) throw new Error(`no view declared for event type ${type}`);
    const taken = new Set(Object.keys(spec.fields));
    const from = `ledger.events e where e.event_type = ${lit(type)}`;
    const cols = columns(spec.fields, 'e.payload', '', taken, v.unnest?.field);
    parts.push(viewSql(v.view, v.doc, cols, from), '');
    if (v.unnest) {
      const item = spec.fields[v.unnest.field] as Extract<Field, { t: 'array' }>;
      const itemFields = (item.of as Extract<Field, { t: 'object' }>).fields;
      const inner = columns(itemFields, 'x.item', '', new Set(Object.keys(itemFields)));
      parts.push(viewSql(v.unnest.view, v.unnest.doc, [{ name: 'item_no', expr: 'x.ord', doc: 'Position of the item in the snapshot, from 1' }, ...inner],
        `ledger.events e cross join lateral jsonb_array_elements(e.payload -> ${lit(v.unnest.field)}) with ordinality as x(item, ord)\n where e.event_type = ${lit(type)}`), '');
    }
  }
  return parts.join('\n');
}
