// The Flex Web Service client fetches a statement through SendRequest and GetStatement polls,
// and fails with a clear, token-free message on every refusal and fault. Method: a local fake
// of the service (test/helpers/flex-fake.ts) that answers as IB does, with faults scripted
// per request; waits go through an injected sleep that records them, so a ten-minute
// back-off costs nothing. Every log line and error of the file is kept and searched for the
// token at the end.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { inspect } from 'node:util';
import t from 'tap';
import { BlotterError } from "../agent/errors.js";
import { DEFAULT_FLEX_URL, FLEX_LIMITS, FlexServiceError, decodeEntities, fetchStatement, parseResponse, redactFlexUrl, rootElement } from "../agent/flex/webservice.js";
import { startFlexFake } from "./helpers/flex-fake.js";
// Distinctive, so that finding it anywhere in the output is a leak, not a coincidence.
const TOKEN = '7731946620SECRETtokenQZX';
const QUERY = '912345';
const UA = 'blotter/0.test';
const STATEMENT_PATH = '/statements/AccountManagement/FlexWebService/GetStatement';
// Everything the client said: log lines and errors (message, stack, inspected form).
const OUTPUT = [];
function statement(rows = 3) {
    const trades = Array.from({ length: rows }, (_, i) => `<Trade accountId="U1234567" symbol="AAPL" tradeID="${1000 + i}" quantity="10" tradePrice="190.25" />`).join('\n');
    return `<FlexQueryResponse queryName="blotter" type="AF">\n<FlexStatements count="1">\n<FlexStatement accountId="U1234567" fromDate="20240102" toDate="20240102">\n<Trades>\n${trades}\n</Trades>\n</FlexStatement>\n</FlexStatements>\n</FlexQueryResponse>\n`;
}
async function setup(tt, s = {}) {
    const fake = await startFlexFake({ token: TOKEN, statements: s.statements ?? { [QUERY]: statement() }, pollsBeforeReady: s.pollsBeforeReady, script: s.script });
    tt.teardown(() => fake.close());
    const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'blotter-flex-'));
    tt.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sleeps = [];
    const lines = [];
    const record = (level) => (obj, msg) => {
        const line = `${level} ${msg} ${JSON.stringify(obj)}`;
        lines.push(line);
        OUTPUT.push(line);
    };
    const options = {
        token: TOKEN,
        queryId: QUERY,
        baseUrl: fake.url,
        userAgent: UA,
        dest: path.join(dir, 'statement.xml'),
        pollIntervalMs: 5_000,
        maxWaitMs: 3_600_000,
        throttleBackoffMs: 600_000,
        requestTimeoutMs: 5_000,
        log: { info: record('info'), warn: record('warn') },
        ...(s.realSleep ? {} : { sleep: async (ms) => void sleeps.push(ms) }),
        ...s.options,
    };
    return { fake, dir, sleeps, lines, options, run: () => fetchStatement(options) };
}
// The error a promise rejects with, kept for the token search.
async function failure(tt, p) {
    try {
        await p;
    }
    catch (err) {
        OUTPUT.push(`${err.message}\n${err.stack}\n${inspect(err, { depth: 5 })}\n${JSON.stringify(err)}`);
        return err;
    }
    tt.fail('expected a rejection');
    throw new Error('resolved');
}
function leftovers(dir) {
    return fs.readdirSync(dir).sort();
}
t.test('a statement after two "generating" polls: the file is the statement, via the returned Url', async (t) => {
    const s = await setup(t, { pollsBeforeReady: { [QUERY]: 2 } });
    const r = await s.run();
    const body = statement();
    t.equal(fs.readFileSync(s.options.dest, 'utf8'), body, 'file identical to the statement');
    t.same(r, { file: s.options.dest, bytes: Buffer.byteLength(body), referenceCode: s.fake.requests[1].query.q, attempts: 4 });
    t.same(leftovers(s.dir), ['statement.xml'], 'no .part left');
    t.same(s.fake.requests.map((q) => q.path), ['/AccountManagement/FlexWebService/SendRequest', STATEMENT_PATH, STATEMENT_PATH, STATEMENT_PATH], 'GetStatement on the returned Url, not on baseUrl');
    t.ok(s.fake.requests.every((q) => q.userAgent === UA), 'User-Agent on every request');
    t.ok(s.fake.requests.every((q) => q.query.v === '3' && q.query.t === TOKEN), 'v=3 and the token on every request');
    t.equal(s.fake.requests[0].query.q, QUERY);
    t.notOk('fd' in s.fake.requests[0].query, 'no fd without fromDate');
    t.match(r.referenceCode, /^\d+$/);
    t.same(s.sleeps, [5_000, 5_000, 5_000], 'one poll interval before each GetStatement');
    t.match(s.lines.join('\n'), /flex statement still generating[\s\S]*flex statement saved/);
});
t.test('a BOM, prolog and comment before the root still mean "statement", kept byte for byte', async (t) => {
    const body = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- generated -->\n  ${statement()}`;
    const s = await setup(t, { statements: { [QUERY]: body } });
    await s.run();
    t.same(fs.readFileSync(s.options.dest), Buffer.from(body));
});
t.test('fromDate/toDate go to SendRequest as fd/td; a 365-day span is accepted', async (t) => {
    const s = await setup(t, { options: { fromDate: '20230101', toDate: '20240101' } });
    await s.run();
    t.equal(s.fake.requests[0].query.fd, '20230101');
    t.equal(s.fake.requests[0].query.td, '20240101');
    t.notOk('fd' in s.fake.requests[1].query, 'not on GetStatement');
});
t.test('bad options are refused, naming the option, before any request', async (t) => {
    const cases = [
        [{ fromDate: '2024011', toDate: '20240131' }, /option fromDate must be a date as yyyyMMdd, got "2024011"/],
        [{ fromDate: '20240101', toDate: '2024-01-31' }, /option toDate must be a date as yyyyMMdd/],
        [{ fromDate: '20240230', toDate: '20240301' }, /option fromDate 20240230 is not a calendar date/],
        [{ fromDate: '20240301', toDate: '20240201' }, /option fromDate 20240301 is after toDate 20240201/],
        [{ fromDate: '20230101', toDate: '20240102' }, /option toDate 20240102 is 366 days after fromDate 20230101: IB serves at most 365 days/],
        [{ fromDate: '20240101' }, /option toDate is required when the other of fromDate\/toDate is given/],
        [{ toDate: '20240101' }, /option fromDate is required/],
        [{ token: '' }, /option token is empty \(set flex\.token \/ BLOTTER_FLEX_TOKEN\)/],
        [{ queryId: 'my query' }, /option queryId must be the numeric query id/],
        [{ userAgent: ' ' }, /option userAgent is empty/],
        [{ baseUrl: 'not a url' }, /option baseUrl is not a URL/],
        [{ baseUrl: 'ftp://example.com/x' }, /option baseUrl must be an http\(s\) URL/],
        [{ pollIntervalMs: -1 }, /option pollIntervalMs must be a number of milliseconds from 0/],
        [{ maxWaitMs: 2 ** 31 }, /option maxWaitMs must be a number of milliseconds from 1 to 2147483647/],
        [{ requestTimeoutMs: Number.NaN }, /option requestTimeoutMs/],
        [{ dest: '/nonexistent-blotter-dir/statement.xml' }, /dest \/nonexistent-blotter-dir\/statement\.xml: its directory does not exist/],
    ];
    for (const [options, message] of cases) {
        const s = await setup(t, { options });
        const err = await failure(t, s.run());
        t.equal(err.code, 'FLEX_OPTIONS', String(message));
        t.match(err.message, message);
        t.equal(s.fake.requests.length, 0, 'no request made');
    }
});
t.test('each permanent code fails at once with what to do, and makes no further request', async (t) => {
    const cases = [
        [1003, 'FLEX_NOT_AVAILABLE', /check the query's period/],
        [1010, 'FLEX_LEGACY_QUERY', /Activity Flex Query/],
        [1011, 'FLEX_ACCOUNT_INACTIVE', /inactive/],
        [1012, 'FLEX_TOKEN_EXPIRED', /the Flex token has expired: generate a new one in Client Portal → Settings → Flex Web Service and set flex\.token \/ BLOTTER_FLEX_TOKEN/],
        [1013, 'FLEX_IP_RESTRICTED', /restricted to other IP addresses/],
        [1014, 'FLEX_QUERY_INVALID', /check flex\.query_id/],
        [1015, 'FLEX_TOKEN_INVALID', /the Flex token is invalid/],
        [1016, 'FLEX_ACCOUNT_INVALID', /account/],
        [1017, 'FLEX_REFERENCE_INVALID', /run the fetch again/],
        [1020, 'FLEX_REQUEST_INVALID', /check flex\.query_id and the fromDate\/toDate period/],
    ];
    for (const [ibCode, code, advice] of cases) {
        for (const on of ['SendRequest', 'GetStatement']) {
            const s = await setup(t, { script: [{ on, code: ibCode, message: `IB says ${ibCode} &amp; more.` }] });
            const err = await failure(t, s.run());
            t.ok(err instanceof FlexServiceError, `${ibCode} on ${on}`);
            t.same([err.code, err.ibCode, err.retryable], [code, ibCode, false]);
            t.match(err.message, new RegExp(`IB Flex ${on} refused with code ${ibCode}: IB says ${ibCode} & more\\. \\(query ${QUERY}\\)`));
            t.match(err.message, advice);
            t.equal(s.fake.requests.length, on === 'SendRequest' ? 1 : 2, 'no further request');
            t.same(leftovers(s.dir), [], 'nothing written');
        }
    }
});
t.test('the fake refuses a wrong token (1015) and an unknown query (1014) as IB does', async (t) => {
    const wrong = await setup(t, { options: { token: 'another-token' } });
    t.equal((await failure(t, wrong.run())).code, 'FLEX_TOKEN_INVALID');
    const unknown = await setup(t, { options: { queryId: '404' } });
    t.equal((await failure(t, unknown.run())).code, 'FLEX_QUERY_INVALID');
    t.equal(wrong.fake.requests.length + unknown.fake.requests.length, 2);
});
t.test('an unknown code fails with the code and IB\'s message', async (t) => {
    const s = await setup(t, { script: [{ code: 1099, message: 'Something new.' }] });
    const err = await failure(t, s.run());
    t.same([err.code, err.ibCode, err.retryable], ['FLEX_SERVICE', 1099, false]);
    t.match(err.message, /IB Flex SendRequest answered unknown code 1099: Something new\. \(query 912345\)/);
    t.equal(s.fake.requests.length, 1);
});
t.test('1018 (throttled) waits throttleBackoffMs before the next request, then succeeds', async (t) => {
    const s = await setup(t, { script: [{ on: 'SendRequest', code: 1018, message: 'Too many requests have been made from this token.' }, { on: 'GetStatement', code: 1018 }] });
    const r = await s.run();
    t.equal(r.attempts, 4);
    t.same(s.sleeps, [600_000, 5_000, 600_000], 'back-off, poll interval, back-off');
    t.equal(fs.readFileSync(s.options.dest, 'utf8'), statement());
    t.match(s.lines.join('\n'), /throttled by IB, backing off/);
});
t.test('1018 whose back-off does not fit in maxWaitMs fails at once with FLEX_THROTTLED', async (t) => {
    const s = await setup(t, { script: [{ code: 1018 }], options: { maxWaitMs: 60_000 } });
    const err = await failure(t, s.run());
    t.same([err.code, err.ibCode, err.retryable], ['FLEX_THROTTLED', 1018, true]);
    t.match(err.message, /throttled this token \(1018, too many requests\).*wait at least ten minutes/);
    t.same(s.sleeps, [], 'did not sleep towards a certain failure');
    t.equal(s.fake.requests.length, 1);
});
t.test('retry-later codes are asked again after pollIntervalMs', async (t) => {
    const s = await setup(t, { script: [{ on: 'SendRequest', code: 1001 }, { on: 'GetStatement', code: 1009 }, { on: 'GetStatement', code: 1021 }] });
    const r = await s.run();
    t.equal(r.attempts, 5, 'SendRequest twice, GetStatement three times');
    t.same(s.sleeps, [5_000, 5_000, 5_000, 5_000], 'after 1001, before the first poll, after 1009, after 1021');
    t.equal(s.fake.requests.filter((q) => q.path.endsWith('SendRequest')).length, 2);
});
t.test('a statement not ready within maxWaitMs fails with FLEX_TIMEOUT', async (t) => {
    // Generous times: on a loaded machine a poll may still be running at the deadline, which
    // fails the same way with another last answer.
    const s = await setup(t, { pollsBeforeReady: { [QUERY]: 1e9 }, realSleep: true, options: { pollIntervalMs: 100, maxWaitMs: 1500 } });
    const started = Date.now();
    const err = await failure(t, s.run());
    t.same([err.code, err.retryable], ['FLEX_TIMEOUT', true]);
    t.match(err.message, /IB Flex statement for query 912345 not fetched within maxWaitMs \(1500 ms\)/);
    if (err.ibCode === 1019)
        t.match(err.message, /after \d+ requests; last answer: GetStatement answered 1019/);
    else
        t.match(err.message, /GetStatement still running at the deadline/);
    t.ok(Date.now() - started < 6_000, 'fails near the deadline');
    t.ok(s.fake.requests.length > 3 && s.fake.requests.length < 40, `polled ${s.fake.requests.length} times`);
    t.same(leftovers(s.dir), []);
});
t.test('a request still running at the deadline is cut off with FLEX_TIMEOUT', async (t) => {
    const s = await setup(t, { script: [{ on: 'GetStatement', delayMs: 10_000 }], options: { maxWaitMs: 300, pollIntervalMs: 0, requestTimeoutMs: 5_000 } });
    const started = Date.now();
    const err = await failure(t, s.run());
    t.equal(err.code, 'FLEX_TIMEOUT');
    t.match(err.message, /GetStatement still running at the deadline/);
    t.ok(Date.now() - started < 2_000);
});
t.test('network faults and 5xx are retried with capped exponential backoff, then succeed', async (t) => {
    const s = await setup(t, {
        script: [
            { on: 'SendRequest', reset: true },
            { on: 'SendRequest', http: 500 },
            { on: 'SendRequest', delayMs: 2_000 }, // past requestTimeoutMs
            { on: 'GetStatement', truncate: true },
            { on: 'GetStatement', stall: true },
            { on: 'GetStatement', body: '<FlexQueryResponse queryName="blotter"><FlexStatements count="1">' }, // whole reply, no end tag
        ],
        options: { requestTimeoutMs: 300 },
    });
    const r = await s.run();
    t.equal(fs.readFileSync(s.options.dest, 'utf8'), statement());
    t.equal(r.attempts, 8);
    t.same(s.sleeps, [1_000, 2_000, 4_000, 5_000, 1_000, 2_000, 4_000], 'backoff doubles per attempt, reset per request');
    const warned = s.lines.filter((l) => l.startsWith('warn flex request failed')).join('\n');
    t.match(warned, /other side closed|ECONNRESET|fetch failed/);
    t.match(warned, /HTTP 500/);
    t.match(warned, /no data for 300 ms \(requestTimeoutMs\)/);
    t.match(warned, /statement cut off after \d+ bytes/);
    t.same(leftovers(s.dir), ['statement.xml']);
});
t.test('transport retries are bounded: five 503s in a row fail with FLEX_HTTP', async (t) => {
    const s = await setup(t, { script: Array.from({ length: 6 }, () => ({ http: 503, body: 'Service Unavailable' })) });
    const err = await failure(t, s.run());
    t.same([err.code, err.ibCode, err.retryable], ['FLEX_HTTP', null, true]);
    t.match(err.message, /IB Flex SendRequest failed 5 times in a row .*; last: IB Flex SendRequest answered HTTP 503 Service Unavailable .*"Service Unavailable"/);
    t.equal(s.fake.requests.length, FLEX_LIMITS.transportAttempts);
    t.same(s.sleeps, [1_000, 2_000, 4_000, 8_000]);
});
t.test('polls are bounded by a request count even when maxWaitMs would allow more', async (t) => {
    const s = await setup(t, { pollsBeforeReady: { [QUERY]: 1e9 }, options: { pollIntervalMs: 1 } });
    const err = await failure(t, s.run());
    t.same([err.code, err.ibCode, err.retryable], ['FLEX_TOO_MANY_REQUESTS', 1019, true]);
    t.equal(s.fake.requests.length, FLEX_LIMITS.maxRequests);
});
t.test('a client error status, a non-XML answer and a bad Url fail at once with an excerpt', async (t) => {
    const notFound = await setup(t, { script: [{ http: 404, body: `<html>Not here ${TOKEN}</html>` }] });
    let err = await failure(t, notFound.run());
    t.same([err.code, err.retryable], ['FLEX_HTTP', false]);
    t.match(err.message, /IB Flex SendRequest answered HTTP 404 Not Found \(http:\/\/127\.0\.0\.1:\d+\/AccountManagement\/FlexWebService\/SendRequest\?t=\*\*\*&q=912345&v=3\): "<html>Not here \*\*\*<\/html>"/);
    t.equal(notFound.fake.requests.length, 1);
    const html = await setup(t, { script: [{ on: 'GetStatement', body: '<!DOCTYPE html><html><body>Maintenance</body></html>' }] });
    err = await failure(t, html.run());
    t.equal(err.code, 'FLEX_BAD_RESPONSE');
    t.match(err.message, /GetStatement answered something other than a statement or a FlexStatementResponse \(text\/xml;charset=UTF-8\): "<!DOCTYPE html><html><body>Maintenance/);
    const text = await setup(t, { script: [{ body: 'OK' }] });
    t.match((await failure(t, text.run())).message, /SendRequest answered something other than a FlexStatementResponse .*: "OK"/);
    const ftp = await setup(t, { script: [{ body: '<FlexStatementResponse><Status>Success</Status><ReferenceCode>1</ReferenceCode><Url>ftp://x/GetStatement</Url></FlexStatementResponse>' }] });
    t.match((await failure(t, ftp.run())).message, /returned a ftp: Url \(ftp:\/\/x\/GetStatement\): the token is only sent over http\(s\)/);
    const noRef = await setup(t, { script: [{ body: '<FlexStatementResponse><Status>Success</Status></FlexStatementResponse>' }] });
    t.match((await failure(t, noRef.run())).message, /said Success without a numeric ReferenceCode and a Url/);
});
t.test('abort during a wait and during a download rejects promptly and leaves no .part', async (t) => {
    const waiting = await setup(t, { realSleep: true, options: { pollIntervalMs: 30_000 } });
    const ac1 = new AbortController();
    setTimeout(() => ac1.abort(), 100);
    let started = Date.now();
    let err = await failure(t, fetchStatement({ ...waiting.options, signal: ac1.signal }));
    t.equal(err.code, 'FLEX_ABORTED');
    t.ok(Date.now() - started < 1_000, 'prompt');
    t.equal(waiting.fake.requests.length, 1);
    const streaming = await setup(t, { script: [{ on: 'GetStatement', stall: true }], options: { pollIntervalMs: 0, requestTimeoutMs: 30_000 } });
    const ac2 = new AbortController();
    const part = `${streaming.options.dest}.part`;
    const poll = setInterval(() => {
        if (fs.existsSync(part))
            ac2.abort(); // abort once the download has begun
    }, 10);
    t.teardown(() => clearInterval(poll));
    started = Date.now();
    err = await failure(t, fetchStatement({ ...streaming.options, signal: ac2.signal }));
    t.equal(err.code, 'FLEX_ABORTED');
    t.ok(ac2.signal.aborted && Date.now() - started < 2_000, 'aborted mid-download, promptly');
    t.same(leftovers(streaming.dir), [], 'the .part is removed');
    const before = await setup(t);
    err = await failure(t, fetchStatement({ ...before.options, signal: AbortSignal.abort() }));
    t.equal(err.code, 'FLEX_ABORTED');
});
t.test('a 20 MB statement streams to disk whole', async (t) => {
    const body = statement(230_000);
    t.ok(body.length > 20 * 1024 * 1024, `${body.length} bytes`);
    const s = await setup(t, { statements: { [QUERY]: body } });
    const r = await s.run();
    t.equal(fs.statSync(s.options.dest).size, Buffer.byteLength(body));
    t.equal(r.bytes, Buffer.byteLength(body));
    const digest = (b) => crypto.createHash('sha256').update(b).digest('hex');
    t.equal(digest(fs.readFileSync(s.options.dest)), digest(body));
});
t.test('the fake refuses a request without a User-Agent, as IB\'s edge does', async (t) => {
    const s = await setup(t);
    const status = await new Promise((resolve, reject) => {
        http.get(`${s.fake.url}/SendRequest?t=${TOKEN}&q=${QUERY}&v=3`, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        }).on('error', reject);
    });
    t.equal(status, 403);
});
t.test('redactFlexUrl, the response reader and the root sniffer', async (t) => {
    t.equal(redactFlexUrl(`https://h/x/SendRequest?t=${TOKEN}&q=1&v=3`), 'https://h/x/SendRequest?t=***&q=1&v=3');
    t.equal(redactFlexUrl(`not a url ?t=${TOKEN}&q=1`), 'not a url ?t=***&q=1');
    t.equal(redactFlexUrl(new URL(DEFAULT_FLEX_URL)), DEFAULT_FLEX_URL);
    t.same(parseResponse('<FlexStatementResponse timestamp="x">\n<Status>Success</Status>\n<ReferenceCode>123</ReferenceCode>\n<Url>https://gdcdyn.interactivebrokers.com/Universal/servlet/FlexStatementService.GetStatement?a=1&amp;b=2</Url>\n</FlexStatementResponse>'), { status: 'Success', referenceCode: '123', url: 'https://gdcdyn.interactivebrokers.com/Universal/servlet/FlexStatementService.GetStatement?a=1&b=2', errorCode: null, errorMessage: null });
    t.same(parseResponse('<FlexStatementResponse><Status>Warn</Status><ErrorCode>1019</ErrorCode><ErrorMessage>Statement &lt;generation&gt; &quot;in&quot; &apos;progress&apos;</ErrorMessage></FlexStatementResponse>'), { status: 'Warn', referenceCode: null, url: null, errorCode: 1019, errorMessage: 'Statement <generation> "in" \'progress\'' });
    t.equal(decodeEntities('&amp;lt; &#65;&#x42;'), '&lt; AB');
    t.equal(rootElement(Buffer.from('\uFEFF <?xml version="1.0"?><!-- > --><FlexQueryResponse a="1">')), 'FlexQueryResponse');
    t.equal(rootElement(Buffer.from('<?xml version="1.0"?>\n<FlexStatementResponse>')), 'FlexStatementResponse');
    t.equal(rootElement(Buffer.from('<?xml version="1.0"?>\n<Flex')), undefined, 'needs more bytes');
    t.equal(rootElement(Buffer.from('<!-')), undefined, 'needs more bytes');
    t.equal(rootElement(Buffer.from('{"error": 1}')), null, 'not XML');
});
// Last: every log line and error the file produced, searched for the token.
t.test('the token appears in no log line and no error', async (t) => {
    t.ok(OUTPUT.length > 50, `${OUTPUT.length} pieces of output searched`);
    t.ok(OUTPUT.some((o) => o.includes('t=***')), 'URLs were in the output, redacted');
    const leaks = OUTPUT.filter((o) => o.includes(TOKEN));
    t.same(leaks, [], 'no leaks');
});
