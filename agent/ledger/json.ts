// JSON without float rounding: numbers keep their source text from parse to the database,
// so a price of 123.456789012345678901 reaches jsonb (which stores numeric) unchanged.
// Parsing keeps each number's text (JSON.parse source text access) as JSON.rawJSON, which
// JSON.stringify writes back verbatim (both V8 11.4+, Node 22+).

// A JSON number held as its source text.
export type RawNumber = { readonly rawJSON: string };

type RawJsonApi = {
  rawJSON: (text: string) => RawNumber;
  isRawJSON: (v: unknown) => boolean;
};
const api = JSON as unknown as RawJsonApi;

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;
const keepNumberText: Reviver = (_key, value, context) =>
  typeof value === 'number' && context?.source !== undefined ? api.rawJSON(context.source) : value;

// Without source text access every number would silently pass through a double.
const SUPPORTED = typeof api.rawJSON === 'function' &&
  api.isRawJSON(JSON.parse('1.50', keepNumberText as Parameters<typeof JSON.parse>[1]));

export function parseExact(text: string): unknown {
  if (!SUPPORTED) {
    throw new Error(`Node ${process.versions.node} cannot parse JSON numbers exactly (JSON.parse source text access); blotter needs Node 22 or newer`);
  }
  return JSON.parse(text, keepNumberText as Parameters<typeof JSON.parse>[1]);
}

export function isRaw(v: unknown): v is RawNumber {
  return v !== null && typeof v === 'object' && api.isRawJSON(v);
}

export function raw(text: string): RawNumber {
  return api.rawJSON(text);
}

// JSON.stringify, which writes raw numbers as their source text.
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
