// JSON without float rounding: numbers keep their source text from parse to the database,
// so a price of 123.456789012345678901 reaches jsonb (which stores numeric) unchanged.
// Relies on JSON.parse source text access (V8 11.4+, Node 21+).

export class RawNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toJSON(): string {
    return this.text;
  }
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const keepNumberText: Reviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined ? new RawNumber(context.source) : value;

// Without source text access every number would silently pass through a double.
const SOURCE_ACCESS = (JSON.parse('1', ((_k: string, _v: unknown, c?: { source?: string }) => c?.source) as Parameters<typeof JSON.parse>[1]) as unknown) === '1';

export function parseExact(text: string): unknown {
  if (!SOURCE_ACCESS) {
    throw new Error(`Node ${process.versions.node} cannot parse JSON numbers exactly (JSON.parse source text access); blotter needs Node 22 or newer`);
  }
  return JSON.parse(text, keepNumberText as Parameters<typeof JSON.parse>[1]);
}

// JSON.stringify, except RawNumber is written as its source text.
export function stringifyExact(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : stringifyExact(v))).join(',') + ']';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || typeof v === 'function') continue;
    parts.push(JSON.stringify(k) + ':' + stringifyExact(v));
  }
  return '{' + parts.join(',') + '}';
}
