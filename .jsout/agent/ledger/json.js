// JSON without float rounding: numbers keep their source text from parse to the database,
// so a price of 123.456789012345678901 reaches jsonb (which stores numeric) unchanged.
// Parsing keeps each number's text (JSON.parse source text access) as JSON.rawJSON, which
// JSON.stringify writes back verbatim (both V8 11.4+, Node 22+).
const api = JSON;
const keepNumberText = (_key, value, context) => typeof value === 'number' && context?.source !== undefined ? api.rawJSON(context.source) : value;
// Without source text access every number would silently pass through a double.
const SUPPORTED = typeof api.rawJSON === 'function' &&
    api.isRawJSON(JSON.parse('1.50', keepNumberText));
// A number token with a fraction, an exponent or 16+ digits, or a negative zero, where a
// value starts: after a key's closing quote and colon (JSON allows space between them), a
// comma or a bracket. Anything else a double holds exactly and writes back the same way
// (-0 does not: it writes back as 0). It can match inside a string too ("x\":1.5" or
// "a,1.5"); then the careful path runs, which is merely slower. Timestamps ("14:30:00.5")
// do not match: their colons follow digits, not a quote.
const RISKY_NUMBER = /(?:"\s*:|[,[])\s*(?:-?\d+[.eE]|-?\d{16}|-0(?![\d.eE]))/;
// Numbers come back as JSON.rawJSON (exact text) when the text has any that a double could
// change; otherwise plain JSON.parse, five times faster, gives safe integers as numbers.
export function parseExact(text) {
    if (!RISKY_NUMBER.test(text) && !/^\s*-?\d/.test(text))
        return JSON.parse(text);
    if (!SUPPORTED) {
        throw new Error(`Node ${process.versions.node} cannot parse JSON numbers exactly (JSON.parse source text access); blotter needs Node 22 or newer`);
    }
    return JSON.parse(text, keepNumberText);
}
export function isRaw(v) {
    return v !== null && typeof v === 'object' && api.isRawJSON(v);
}
export function raw(text) {
    return api.rawJSON(text);
}
// JSON.stringify, which writes raw numbers as their source text.
export function stringifyExact(value) {
    return JSON.stringify(value) ?? 'null';
}
