// The IB Flex Web Service client: SendRequest, then GetStatement polled until the statement
// is ready, the statement streamed to `${dest}.part` and renamed to dest. The token is a
// bearer secret for the account's whole history, so it is scrubbed from every URL, log line
// and error this module makes (redactFlexUrl, scrub), and no foreign error is attached as a
// cause, since those can carry the request URL.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { BlotterError } from "../errors.js";
export const DEFAULT_FLEX_URL = 'https://ndcdyn.interactivebrokers.com/AccountManagement/FlexWebService';
// Fixed bounds. maxWaitMs bounds the time; these bound the work, so that a service that
// answers "try later" at once, forever, still ends.
export const FLEX_LIMITS = {
    // HTTP requests in one fetch, polls and retries included. IB allows 10 a minute per
    // token, so a 30-minute wait polling every 6 s stays well inside.
    maxRequests: 300,
    // Consecutive transport failures (network error, timeout, HTTP 5xx, cut-off body) of
    // one request before the fetch gives up.
    transportAttempts: 5,
    backoffBaseMs: 1_000,
    backoffCapMs: 30_000,
    // A FlexStatementResponse is a few hundred bytes; anything bigger is not one.
    responseMaxBytes: 64 * 1024,
    // How far into a body to look for its root element (past a BOM, prolog, comments).
    peekMaxBytes: 4096,
};
// IB's codes (ibflex client.py and real responses). Retry-later codes mean the statement
// or the service is not ready; waiting pollIntervalMs and asking again is what IB asks.
const RETRY_LATER = new Set([1001, 1004, 1005, 1006, 1007, 1008, 1009, 1019, 1021]);
const THROTTLED = 1018;
const TOKEN_HELP = 'generate a new one in Client Portal → Settings → Flex Web Service and set flex.token / BLOTTER_FLEX_TOKEN';
// Each permanent code: its error id and what the person has to do about it.
const PERMANENT = {
    1003: ['FLEX_NOT_AVAILABLE', 'IB has no statement for this query and period: check the query\'s period (or fromDate/toDate) and that the account had activity'],
    1010: ['FLEX_LEGACY_QUERY', 'legacy Flex queries are no longer served: recreate it as an Activity Flex Query in Client Portal and set flex.query_id to the new id'],
    1011: ['FLEX_ACCOUNT_INACTIVE', 'the service account is inactive: check the account\'s status with IB'],
    1012: ['FLEX_TOKEN_EXPIRED', `the Flex token has expired: ${TOKEN_HELP}`],
    1013: ['FLEX_IP_RESTRICTED', 'the Flex token is restricted to other IP addresses: add this machine\'s public IP to the token in Client Portal → Settings → Flex Web Service, or lift the restriction'],
    1014: ['FLEX_QUERY_INVALID', 'IB does not know this query: check flex.query_id against the id shown next to the query in Client Portal → Performance & Reports → Flex Queries'],
    1015: ['FLEX_TOKEN_INVALID', `the Flex token is invalid (a newly generated token voids the old one): ${TOKEN_HELP}`],
    1016: ['FLEX_ACCOUNT_INVALID', 'IB refused the account behind this token and query: check that the query is set up for an account this token may read'],
    1017: ['FLEX_REFERENCE_INVALID', 'IB refused the reference code it had just issued: run the fetch again'],
    1020: ['FLEX_REQUEST_INVALID', 'IB could not validate the request: check flex.query_id and the fromDate/toDate period (at most 365 days)'],
};
export class FlexServiceError extends BlotterError {
    ibCode;
    // Whether the same fetch, run again later, may succeed (a job can reschedule).
    retryable;
    constructor(code, message, ibCode, retryable) {
        super(code, message);
        this.name = 'FlexServiceError';
        this.ibCode = ibCode;
        this.retryable = retryable;
    }
}
// The URL with its token replaced, for logs and messages.
export function redactFlexUrl(url) {
    let u;
    try {
        u = new URL(String(url));
    }
    catch {
        return String(url).replace(/([?&]t=)[^&#]*/g, '$1***');
    }
    if (u.searchParams.has('t'))
        u.searchParams.set('t', '***');
    return u.toString().replace('t=%2A%2A%2A', 't=***');
}
// A transport failure worth another attempt of the same request.
class Transient extends Error {
    errCode;
    constructor(errCode, message) {
        super(message);
        this.errCode = errCode;
    }
}
// The overall deadline fired during a request.
class DeadlineReached extends Error {
}
export async function fetchStatement(o) {
    validate(o);
    await fs.promises.access(path.dirname(path.resolve(o.dest)), fs.constants.W_OK).catch(() => {
        throw new BlotterError('FLEX_OPTIONS', `flex fetch: dest ${o.dest}: its directory does not exist or is not writable`);
    });
    const ctx = {
        o,
        started: Date.now(),
        deadline: Date.now() + o.maxWaitMs,
        requests: 0,
        sleep: o.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
        scrub: (text) => text.split(o.token).join('***'),
        lastWait: null,
    };
    const part = `${o.dest}.part`;
    try {
        const { referenceCode, statementUrl } = await sendRequest(ctx);
        const bytes = await pollStatement(ctx, referenceCode, statementUrl, part);
        await fs.promises.rename(part, o.dest);
        o.log?.info({ file: o.dest, bytes, referenceCode, attempts: ctx.requests, ms: Date.now() - ctx.started }, 'flex statement saved');
        return { file: o.dest, bytes, referenceCode, attempts: ctx.requests };
    }
    catch (err) {
        await fs.promises.rm(part, { force: true });
        if (o.signal?.aborted)
            throw aborted(ctx);
        throw err;
    }
}
const MAX_TIMER_MS = 2 ** 31 - 1;
function validate(o) {
    const bad = (option, why) => new BlotterError('FLEX_OPTIONS', `flex fetch: option ${option} ${why}`);
    if (typeof o.token !== 'string' || o.token.trim() === '')
        throw bad('token', 'is empty (set flex.token / BLOTTER_FLEX_TOKEN)');
    if (typeof o.queryId !== 'string' || !/^\d{1,20}$/.test(o.queryId))
        throw bad('queryId', `must be the numeric query id shown in Client Portal, got ${JSON.stringify(String(o.queryId))}`);
    let base;
    try {
        base = new URL(o.baseUrl);
    }
    catch {
        throw bad('baseUrl', `is not a URL: ${JSON.stringify(redactFlexUrl(String(o.baseUrl)))}`);
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:')
        throw bad('baseUrl', `must be an http(s) URL, got ${base.protocol}`);
    if (typeof o.userAgent !== 'string' || o.userAgent.trim() === '')
        throw bad('userAgent', 'is empty (IB refuses requests without a User-Agent)');
    if (typeof o.dest !== 'string' || o.dest === '')
        throw bad('dest', 'is empty');
    for (const [name, v, min] of [['pollIntervalMs', o.pollIntervalMs, 0], ['maxWaitMs', o.maxWaitMs, 1], ['throttleBackoffMs', o.throttleBackoffMs, 0], ['requestTimeoutMs', o.requestTimeoutMs, 1]]) {
        // Node's timers hold at most 2^31-1 ms (24.8 days) and fire at once beyond that.
        if (!Number.isFinite(v) || v < min || v > MAX_TIMER_MS)
            throw bad(name, `must be a number of milliseconds from ${min} to ${MAX_TIMER_MS}, got ${v}`);
    }
    const from = o.fromDate === undefined ? undefined : day('fromDate', o.fromDate);
    const to = o.toDate === undefined ? undefined : day('toDate', o.toDate);
    if ((from === undefined) !== (to === undefined))
        throw bad(from === undefined ? 'fromDate' : 'toDate', 'is required when the other of fromDate/toDate is given');
    if (from !== undefined && to !== undefined) {
        if (from > to)
            throw bad('fromDate', `${o.fromDate} is after toDate ${o.toDate}`);
        const days = (to - from) / 86_400_000;
        if (days > 365)
            throw bad('toDate', `${o.toDate} is ${days} days after fromDate ${o.fromDate}: IB serves at most 365 days per request`);
    }
    function day(option, s) {
        const m = /^(\d{4})(\d{2})(\d{2})$/.exec(String(s));
        if (!m)
            throw bad(option, `must be a date as yyyyMMdd, got ${JSON.stringify(String(s))}`);
        const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
        const t = Date.UTC(y, mo - 1, d);
        const back = new Date(t);
        if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
            throw bad(option, `${s} is not a calendar date`);
        return t;
    }
}
async function sendRequest(ctx) {
    const { o } = ctx;
    const url = new URL(`${o.baseUrl.replace(/\/+$/, '')}/SendRequest`);
    url.searchParams.set('t', o.token);
    url.searchParams.set('q', o.queryId);
    url.searchParams.set('v', '3');
    if (o.fromDate !== undefined && o.toDate !== undefined) {
        url.searchParams.set('fd', o.fromDate);
        url.searchParams.set('td', o.toDate);
    }
    for (;;) {
        const a = await exchange(ctx, url, 'SendRequest', null);
        if (a.kind !== 'response')
            throw new Error('unreachable: SendRequest never streams');
        const r = a.response;
        if (r.status === 'Success') {
            if (!r.referenceCode || !/^\d+$/.test(r.referenceCode) || !r.url) {
                throw new FlexServiceError('FLEX_BAD_RESPONSE', `IB Flex SendRequest said Success without a numeric ReferenceCode and a Url (query ${o.queryId})`, null, false);
            }
            const statementUrl = statementEndpoint(ctx, r.url);
            o.log?.info({ queryId: o.queryId, referenceCode: r.referenceCode, url: redactFlexUrl(statementUrl) }, 'flex statement requested');
            return { referenceCode: r.referenceCode, statementUrl };
        }
        await notReady(ctx, 'SendRequest', r);
    }
}
// The GetStatement endpoint IB named, which may be on another host than baseUrl. The token
// goes there too, so it must not be a step down from https.
function statementEndpoint(ctx, raw) {
    let u;
    try {
        u = new URL(raw);
    }
    catch {
        throw new FlexServiceError('FLEX_BAD_RESPONSE', `IB Flex SendRequest returned a Url that is not a URL: ${JSON.stringify(ctx.scrub(raw).slice(0, 200))}`, null, false);
    }
    const baseHttps = new URL(ctx.o.baseUrl).protocol === 'https:';
    if (u.protocol !== 'https:' && (baseHttps || u.protocol !== 'http:')) {
        throw new FlexServiceError('FLEX_BAD_RESPONSE', `IB Flex SendRequest returned a ${u.protocol} Url (${redactFlexUrl(u)}): the token is only sent over ${baseHttps ? 'https' : 'http(s)'}`, null, false);
    }
    return u;
}
async function pollStatement(ctx, referenceCode, endpoint, part) {
    const { o } = ctx;
    const url = new URL(endpoint);
    url.searchParams.set('t', o.token);
    url.searchParams.set('q', referenceCode);
    url.searchParams.set('v', '3');
    // The first poll waits too: a statement is rarely ready at once, and IB allows one
    // request a second, ten a minute, with a ten-minute penalty (1018) for more.
    ctx.lastWait = { ibCode: 1019, what: `statement ${referenceCode} requested` };
    await wait(ctx, o.pollIntervalMs, 'FLEX_TIMEOUT');
    for (;;) {
        const a = await exchange(ctx, url, 'GetStatement', part);
        if (a.kind === 'statement')
            return a.bytes;
        if (a.response.status === 'Success') {
            throw new FlexServiceError('FLEX_BAD_RESPONSE', `IB Flex GetStatement for reference ${referenceCode} answered a FlexStatementResponse with Status Success but no statement`, null, true);
        }
        await notReady(ctx, 'GetStatement', a.response);
    }
}
// A Warn/Fail answer: wait and return when it is worth asking again, else throw.
async function notReady(ctx, step, r) {
    const code = r.errorCode;
    const ibSays = r.errorMessage ? `: ${ctx.scrub(r.errorMessage)}` : '';
    if (code === null) {
        throw new FlexServiceError('FLEX_BAD_RESPONSE', `IB Flex ${step} answered Status ${JSON.stringify(ctx.scrub(r.status).slice(0, 40))} without an ErrorCode (query ${ctx.o.queryId})`, null, false);
    }
    if (code === THROTTLED) {
        ctx.lastWait = { ibCode: code, what: `${step} throttled (1018)${ibSays}` };
        ctx.o.log?.warn({ step, ibCode: code, waitMs: ctx.o.throttleBackoffMs }, 'flex request throttled by IB, backing off');
        await wait(ctx, ctx.o.throttleBackoffMs, 'FLEX_THROTTLED');
        return;
    }
    if (RETRY_LATER.has(code)) {
        ctx.lastWait = { ibCode: code, what: `${step} answered ${code}${ibSays}` };
        const log = code === 1019 ? ctx.o.log?.info.bind(ctx.o.log) : ctx.o.log?.warn.bind(ctx.o.log);
        log?.({ step, ibCode: code, message: r.errorMessage ? ctx.scrub(r.errorMessage) : null, waitMs: ctx.o.pollIntervalMs }, code === 1019 ? 'flex statement still generating' : 'flex service asks to try later');
        await wait(ctx, ctx.o.pollIntervalMs, 'FLEX_TIMEOUT');
        return;
    }
    const known = PERMANENT[code];
    if (known)
        throw new FlexServiceError(known[0], `IB Flex ${step} refused with code ${code}${ibSays} (query ${ctx.o.queryId}): ${known[1]}`, code, false);
    throw new FlexServiceError('FLEX_SERVICE', `IB Flex ${step} answered unknown code ${code}${ibSays} (query ${ctx.o.queryId})`, code, false);
}
// Waits ms unless that would pass the deadline, in which case it fails at once with
// errCode: there is no point sleeping towards a certain timeout.
async function wait(ctx, ms, errCode, transportError) {
    const { o } = ctx;
    if (o.signal?.aborted)
        throw aborted(ctx);
    if (Date.now() + ms > ctx.deadline) {
        if (errCode === 'FLEX_THROTTLED') {
            throw new FlexServiceError('FLEX_THROTTLED', `IB Flex throttled this token (1018, too many requests): the ${ms} ms back-off (throttleBackoffMs) does not fit in what is left of maxWaitMs (${o.maxWaitMs} ms); wait at least ten minutes before fetching again, and poll less often`, THROTTLED, true);
        }
        throw timeout(ctx, transportError);
    }
    try {
        await ctx.sleep(ms, o.signal);
    }
    catch (err) {
        if (o.signal?.aborted)
            throw aborted(ctx);
        throw err;
    }
    if (o.signal?.aborted)
        throw aborted(ctx);
}
function timeout(ctx, transportError) {
    const last = transportError ? `last error: ${transportError}` : ctx.lastWait ? `last answer: ${ctx.lastWait.what}` : 'no answer yet';
    return new FlexServiceError('FLEX_TIMEOUT', `IB Flex statement for query ${ctx.o.queryId} not fetched within maxWaitMs (${ctx.o.maxWaitMs} ms) after ${ctx.requests} requests; ${last}`, transportError ? null : ctx.lastWait?.ibCode ?? null, true);
}
function aborted(ctx) {
    return new BlotterError('FLEX_ABORTED', `IB Flex fetch for query ${ctx.o.queryId} aborted after ${ctx.requests} requests`);
}
// One request, retried on transport failures with capped exponential backoff.
async function exchange(ctx, url, step, part) {
    for (let attempt = 1;; attempt++) {
        if (ctx.requests >= FLEX_LIMITS.maxRequests) {
            throw new FlexServiceError('FLEX_TOO_MANY_REQUESTS', `IB Flex fetch for query ${ctx.o.queryId} stopped after ${ctx.requests} requests (the limit per fetch); ${ctx.lastWait ? `last answer: ${ctx.lastWait.what}` : 'no statement yet'}`, ctx.lastWait?.ibCode ?? null, true);
        }
        ctx.requests++;
        try {
            return await once(ctx, url, step, part);
        }
        catch (err) {
            if (ctx.o.signal?.aborted)
                throw aborted(ctx);
            if (err instanceof DeadlineReached)
                throw timeout(ctx, `${step} still running at the deadline`);
            if (!(err instanceof Transient))
                throw err;
            if (attempt >= FLEX_LIMITS.transportAttempts) {
                throw new FlexServiceError(err.errCode, `IB Flex ${step} failed ${attempt} times in a row (${redactFlexUrl(url)}); last: ${err.message}`, null, true);
            }
            const backoff = Math.min(FLEX_LIMITS.backoffCapMs, FLEX_LIMITS.backoffBaseMs * 2 ** (attempt - 1));
            ctx.o.log?.warn({ step, attempt, waitMs: backoff, error: err.message }, 'flex request failed, retrying');
            await wait(ctx, backoff, 'FLEX_TIMEOUT', err.message);
        }
    }
}
// One HTTP GET. The timeout is on silence, not on the whole transfer: it runs until the
// headers and is re-armed by every chunk, so a 100 MB statement arriving steadily is not cut
// off while a stalled one is; the deadline bounds the whole.
async function once(ctx, url, step, part) {
    const { o } = ctx;
    const left = ctx.deadline - Date.now();
    if (left <= 0)
        throw new DeadlineReached();
    const ac = new AbortController();
    const signal = o.signal ? AbortSignal.any([ac.signal, o.signal]) : ac.signal;
    const idle = setTimeout(() => ac.abort(new Transient('FLEX_NETWORK', `no data for ${o.requestTimeoutMs} ms (requestTimeoutMs)`)), o.requestTimeoutMs);
    const deadline = setTimeout(() => ac.abort(new DeadlineReached()), left);
    // What went wrong, given that something threw: our own abort reasons first.
    const why = (err) => {
        if (o.signal?.aborted)
            return err;
        if (ac.signal.aborted)
            return ac.signal.reason;
        if (err instanceof Transient || err instanceof FlexServiceError || err instanceof BlotterError)
            return err;
        return new Transient('FLEX_NETWORK', describe(ctx, err));
    };
    try {
        let res;
        try {
            res = await fetch(url, { headers: { 'User-Agent': o.userAgent, Accept: 'application/xml, text/xml, */*' }, signal });
        }
        catch (err) {
            throw why(err);
        }
        if (!res.body)
            throw new Transient('FLEX_NETWORK', `HTTP ${res.status} with no body`);
        const body = Readable.fromWeb(res.body);
        try {
            const head = await peek(body, () => idle.refresh());
            if (res.status !== 200) {
                const text = `IB Flex ${step} answered HTTP ${res.status} ${res.statusText} (${redactFlexUrl(url)}): ${excerpt(ctx, head.bytes)}`;
                body.destroy();
                if (res.status >= 500 || res.status === 408 || res.status === 429)
                    throw new Transient('FLEX_HTTP', text);
                throw new FlexServiceError('FLEX_HTTP', text, null, false);
            }
            if (head.root === 'FlexStatementResponse') {
                const text = await rest(ctx, body, head.bytes, step, () => idle.refresh());
                return { kind: 'response', response: parseResponse(text) };
            }
            if (head.root === 'FlexQueryResponse' && part !== null) {
                return { kind: 'statement', bytes: await save(body, head.bytes, part, () => idle.refresh()) };
            }
            body.destroy();
            throw new FlexServiceError('FLEX_BAD_RESPONSE', `IB Flex ${step} answered something other than ${part === null ? 'a FlexStatementResponse' : 'a statement or a FlexStatementResponse'} (${res.headers.get('content-type') ?? 'no content type'}): ${excerpt(ctx, head.bytes)}`, null, false);
        }
        catch (err) {
            body.destroy();
            throw why(err);
        }
    }
    finally {
        clearTimeout(idle);
        clearTimeout(deadline);
    }
}
// The first bytes of a body, enough to name its root element.
async function peek(body, progress) {
    let bytes = Buffer.alloc(0);
    for (;;) {
        const chunk = body.read();
        if (chunk !== null) {
            progress();
            bytes = Buffer.concat([bytes, chunk]);
            const root = rootElement(bytes);
            if (root !== undefined)
                return { bytes, root };
            if (bytes.length >= FLEX_LIMITS.peekMaxBytes)
                return { bytes, root: null };
            continue;
        }
        if (body.readableEnded)
            return { bytes, root: rootElement(bytes) ?? null };
        if (body.errored)
            throw body.errored;
        await new Promise((resolve, reject) => {
            const done = () => {
                body.off('readable', done).off('end', done).off('error', fail);
                resolve();
            };
            const fail = (err) => {
                body.off('readable', done).off('end', done).off('error', fail);
                reject(err);
            };
            body.on('readable', done).on('end', done).on('error', fail);
        });
    }
}
// The root element's name, null when the text is not XML, undefined when more bytes are
// needed to tell. Skips a BOM, whitespace, the <?xml?> prolog, comments and a doctype.
export function rootElement(bytes) {
    let s = bytes.toString('utf8');
    if (s.charCodeAt(0) === 0xfeff)
        s = s.slice(1);
    let i = 0;
    for (;;) {
        while (i < s.length && /\s/.test(s[i]))
            i++;
        if (i >= s.length)
            return undefined;
        if (s[i] !== '<')
            return null;
        // A chunk may end inside "<!--": wait for the rest before choosing what to skip.
        if (s.length - i < 4 && '<!--'.startsWith(s.slice(i)))
            return undefined;
        const skip = s.startsWith('<?', i) ? '?>' : s.startsWith('<!--', i) ? '-->' : s.startsWith('<!', i) ? '>' : null;
        if (skip === null)
            break;
        const end = s.indexOf(skip, i + 2);
        if (end < 0)
            return undefined;
        i = end + skip.length;
    }
    const m = /^<([A-Za-z_][\w.-]*)([\s>/])?/.exec(s.slice(i, i + 200));
    if (!m)
        return s.length - i < 200 ? undefined : null;
    return m[2] === undefined ? undefined : m[1];
}
// The rest of a small response, bounded.
async function rest(ctx, body, head, step, progress) {
    const chunks = [head];
    let n = head.length;
    for await (const chunk of body) {
        progress();
        n += chunk.length;
        if (n > FLEX_LIMITS.responseMaxBytes) {
            throw new FlexServiceError('FLEX_BAD_RESPONSE', `IB Flex ${step} answered a FlexStatementResponse over ${FLEX_LIMITS.responseMaxBytes} bytes: ${excerpt(ctx, head)}`, null, false);
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}
const END_TAG = Buffer.from('</FlexQueryResponse>');
// Streams the statement to part (fsynced on close, so the rename publishes a whole file) and
// checks it ends with its closing tag: a connection closed early without a Content-Length
// would otherwise pass for a short statement.
async function save(body, head, part, progress) {
    let bytes = 0;
    let tail = Buffer.alloc(0);
    await pipeline(body, async function* (source) {
        bytes = head.length;
        tail = head.subarray(-256);
        yield head;
        for await (const chunk of source) {
            progress();
            bytes += chunk.length;
            tail = Buffer.concat([tail, chunk]).subarray(-256);
            yield chunk;
        }
    }, fs.createWriteStream(part, { flush: true, mode: 0o600 }));
    const end = tail.toString('latin1').trimEnd();
    if (!end.endsWith(END_TAG.toString('latin1'))) {
        throw new Transient('FLEX_NETWORK', `statement cut off after ${bytes} bytes (no closing </FlexQueryResponse>)`);
    }
    return bytes;
}
// The five tags a FlexStatementResponse carries; a hand-written read because the document is
// tiny and fixed, and the statement parser is not needed to read it.
export function parseResponse(xml) {
    const tag = (name) => {
        const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`).exec(xml);
        if (m)
            return decodeEntities(m[1].replace(/^<!\[CDATA\[([\s\S]*)\]\]>$/, '$1').trim());
        return new RegExp(`<${name}(?:\\s[^>]*)?/>`).test(xml) ? '' : null;
    };
    const code = tag('ErrorCode');
    return {
        status: tag('Status') ?? '',
        referenceCode: tag('ReferenceCode'),
        url: tag('Url'),
        errorCode: code !== null && /^\d+$/.test(code) ? Number(code) : null,
        errorMessage: tag('ErrorMessage'),
    };
}
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function decodeEntities(s) {
    return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (whole, e) => {
        if (e[0] !== '#')
            return ENTITIES[e];
        const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    });
}
function excerpt(ctx, bytes) {
    const text = bytes.subarray(0, 400).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
    return text === '' ? '(empty body)' : JSON.stringify(ctx.scrub(text));
}
// A network error in words, with the socket-level code undici hides in cause.
function describe(ctx, err) {
    const e = err;
    const parts = [e?.message ?? String(err), e?.code, e?.cause?.code, e?.cause?.message].filter((p) => typeof p === 'string' && p !== '');
    return ctx.scrub([...new Set(parts)].join(': '));
}
