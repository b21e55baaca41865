// `blotter flex fetch` and the agent's morning task: ask IB's Flex Web Service for a
// statement (webservice.ts), keep the file (the broker's book of record, under flex.dir),
// then import it (import.ts). The token comes from the configuration and is never logged.
import fs from 'node:fs';
import path from 'node:path';
import { BlotterError } from "../errors.js";
import { dateOrderOption } from "./dates.js";
import { importFlexFile } from "./import.js";
import { fetchStatement } from "./webservice.js";
export function statementDir(settings, home) {
    return settings.dir ? path.resolve(home, settings.dir) : path.join(home, 'flex');
}
export function requireFetchSettings(settings, queries) {
    if (!settings.token) {
        throw new BlotterError('FLEX_NO_TOKEN', 'no Flex Web Service token: set flex.token in the config or BLOTTER_FLEX_TOKEN ' +
            '(Client Portal -> Settings -> Reporting -> Flex Web Service)');
    }
    if (queries.length === 0) {
        throw new BlotterError('FLEX_NO_QUERY', 'no Flex query to fetch: pass --query ID or set flex.queries (BLOTTER_FLEX_QUERIES=123456,...)');
    }
}
const compact = (d) => d.replaceAll('-', '');
export function dateOrderSetting(settings) {
    return settings.date_format === 'auto' ? null : dateOrderOption(settings.date_format);
}
// One query: fetch to a file named after the query, period and time, then import it (in the
// transaction import.ts opens, under its own statement timeout: a year of fills takes a while).
export async function fetchAndImport(sql, o) {
    const dir = statementDir(o.settings, o.home);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const period = o.fromDate ? `${compact(o.fromDate)}-${compact(o.toDate ?? o.fromDate)}` : 'period';
    const dest = path.join(dir, `flex-${o.queryId}-${period}-${stamp}.xml`);
    const got = await fetchStatement({
        token: o.settings.token, queryId: o.queryId, baseUrl: o.settings.url, userAgent: o.settings.user_agent,
        ...(o.fromDate ? { fromDate: compact(o.fromDate), toDate: compact(o.toDate ?? o.fromDate) } : {}),
        dest, pollIntervalMs: o.settings.poll_ms, maxWaitMs: o.settings.max_wait_ms, throttleBackoffMs: o.settings.throttle_backoff_ms,
        requestTimeoutMs: o.settings.request_timeout_ms,
        ...(o.signal ? { signal: o.signal } : {}), ...(o.log ? { log: o.log } : {}), ...(o.sleep ? { sleep: o.sleep } : {}),
    });
    o.log?.info({ query: o.queryId, file: got.file, bytes: got.bytes, attempts: got.attempts }, 'flex: statement fetched');
    const imported = sql ? await importFlexFile(sql, got.file, { statementTimeoutMs: o.settings.import_timeout_ms, dateOrder: dateOrderSetting(o.settings) }) : null;
    return { queryId: o.queryId, file: got.file, bytes: got.bytes, attempts: got.attempts, imported };
}
