// A local fake of IB's Flex Web Service on 127.0.0.1, answering as the real one does:
// SendRequest checks the token, the query id, v=3 and the User-Agent, and hands out a
// reference code with a GetStatement Url on its own host (under a different path than
// baseUrl, so a client that ignores the Url and reuses baseUrl is caught); GetStatement
// answers Warn 1019 for the first polls, then the statement. A script injects faults, one
// per request, in order.
import http from 'node:http';
const BASE_PATH = '/AccountManagement/FlexWebService';
// Where GetStatement lives, standing for the other host IB may name (gdcdyn vs ndcdyn).
const STATEMENT_PATH = '/statements/AccountManagement/FlexWebService/GetStatement';
export async function startFlexFake(opts) {
    const script = [...(opts.script ?? [])];
    const requests = [];
    const refs = new Map();
    const timers = new Set();
    let nextRef = 4_100_000_001;
    let origin = '';
    const xml = (res, body) => {
        res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
    };
    const fail = (res, code, message, status = 'Fail') => xml(res, `<FlexStatementResponse timestamp="28 August, 2012 10:37 AM EDT">\n<Status>${status}</Status>\n<ErrorCode>${code}</ErrorCode>\n<ErrorMessage>${message}</ErrorMessage>\n</FlexStatementResponse>\n`);
    const sendRequest = (res, q) => {
        if (q.t !== opts.token)
            return fail(res, 1015, 'Token is invalid.');
        if (!q.q || !(q.q in opts.statements))
            return fail(res, 1014, 'Query is invalid.');
        if (q.v !== '3')
            return fail(res, 1020, 'Invalid request or unable to validate request.');
        const ref = String(nextRef++);
        refs.set(ref, { queryId: q.q, polls: 0 });
        xml(res, `<FlexStatementResponse timestamp="28 August, 2012 10:37 AM EDT">\n<Status>Success</Status>\n<ReferenceCode>${ref}</ReferenceCode>\n<Url>${origin}${STATEMENT_PATH}</Url>\n</FlexStatementResponse>\n`);
    };
    // The statement for a GetStatement request, or null when an error was answered.
    const statementFor = (res, q) => {
        const ref = refs.get(q.q ?? '');
        if (q.t !== opts.token)
            fail(res, 1015, 'Token is invalid.');
        else if (!ref)
            fail(res, 1017, 'Reference code is invalid.');
        if (q.t !== opts.token || !ref)
            return null;
        return opts.statements[ref.queryId];
    };
    const getStatement = (res, q) => {
        const statement = statementFor(res, q);
        if (statement === null)
            return;
        const ref = refs.get(q.q);
        if (ref.polls++ < (opts.pollsBeforeReady?.[ref.queryId] ?? 0))
            return fail(res, 1019, 'Statement generation in progress. Please try again shortly.', 'Warn');
        res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(statement) });
        res.end(statement);
    };
    const normal = (req, res, path, q) => {
        if (path === `${BASE_PATH}/SendRequest`)
            return sendRequest(res, q);
        if (path === STATEMENT_PATH)
            return getStatement(res, q);
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end(`<html><body><h1>404 Not Found</h1>${req.url?.replace(/t=[^&]*/, 't=...')}</body></html>`);
    };
    const server = http.createServer((req, res) => {
        const u = new URL(req.url ?? '/', 'http://fake');
        const query = Object.fromEntries(u.searchParams);
        const userAgent = req.headers['user-agent'];
        requests.push({ path: u.pathname, query, userAgent, at: Date.now() });
        // IB's edge refuses a request without a User-Agent before the service sees it.
        if (!userAgent) {
            res.writeHead(403, { 'content-type': 'text/html' });
            return res.end('<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>You don\'t have permission to access this resource.</BODY></HTML>');
        }
        const endpoint = u.pathname === STATEMENT_PATH ? 'GetStatement' : 'SendRequest';
        const step = script[0] && (!script[0].on || script[0].on === endpoint) ? script.shift() : undefined;
        if (!step)
            return normal(req, res, u.pathname, query);
        if ('code' in step)
            return fail(res, step.code, step.message ?? `Scripted error ${step.code}.`, step.status ?? (step.code === 1019 ? 'Warn' : 'Fail'));
        if ('http' in step) {
            res.writeHead(step.http, { 'content-type': 'text/html' });
            return res.end(step.body ?? `<html><body>HTTP ${step.http}</body></html>`);
        }
        if ('delayMs' in step) {
            const timer = setTimeout(() => {
                timers.delete(timer);
                if (!res.destroyed)
                    normal(req, res, u.pathname, query);
            }, step.delayMs);
            return void timers.add(timer);
        }
        if ('reset' in step)
            return void req.socket.destroy();
        if ('body' in step)
            return xml(res, step.body);
        const statement = statementFor(res, query);
        if (statement === null)
            return;
        const half = Buffer.from(statement).subarray(0, Math.floor(Buffer.byteLength(statement) / 2));
        res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(statement) });
        res.write(half, () => {
            if ('truncate' in step)
                req.socket.destroy();
        });
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
    });
    origin = `http://127.0.0.1:${server.address().port}`;
    return {
        url: `${origin}${BASE_PATH}`,
        requests,
        close: () => new Promise((resolve) => {
            for (const t of timers)
                clearTimeout(t);
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
