// Redaction of the bot's own log lines (POST /v1/logs): the same names the agent's logger
// redacts (REDACT, plus logging.redact), here at any depth of `fields`, since a bot's
// fields are arbitrary JSON and these lines are few compared with the agent's own; and
// `name=value` / `name: value` pairs inside the message text.
import { isRaw } from "../ledger/json.js";
export const CENSOR = '[redacted]';
export function makeRedactor(paths) {
    // A path's last segment is the field name ("headers.authorization" -> authorization).
    const names = new Set(paths.map((p) => p.split('.').pop().toLowerCase()));
    const alternatives = [...names].map((n) => n.replace(/[^a-z0-9_]/g, '')).filter(Boolean).join('|');
    const inText = new RegExp(`\\b(${alternatives})(["']?\\s*[=:]\\s*["']?)([^\\s"',;&]+)`, 'gi');
    const fields = (v, depth = 0) => {
        if (depth > 64 || v === null || typeof v !== 'object' || isRaw(v))
            return v;
        if (Array.isArray(v))
            return v.map((x) => fields(x, depth + 1));
        const out = {};
        for (const [k, x] of Object.entries(v))
            out[k] = names.has(k.toLowerCase()) ? CENSOR : fields(x, depth + 1);
        return out;
    };
    return { fields, text: (s) => (alternatives ? s.replace(inText, `$1$2${CENSOR}`) : s) };
}
