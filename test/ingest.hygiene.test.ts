// The ingest API's connection hygiene: a client that stalls in its headers or trickles its
// body is cut with a 408 or a closed socket, connections past ingest.max_connections are
// closed at once, keep-alive connections end after their requests or their idle time, the
// bearer token appears in no log line (trace level, wrong and right tokens, the start-up
// line), and an API bound beyond loopback says so in a warning. Method: real agents with
// timeouts of a few hundred ms, raw `net` sockets for the misbehaving clients, and loose
// bounds ("closed within 5 s"): behaviour, not speed.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { bearerMatcher, isLoopback } from '../agent/ingest/connections.ts';
import { testDb } from './helpers/db.ts';
import { childAgent, get, inProcessAgent, order, post, TOKEN, tempHome, until } from './helpers/agent.ts';

const { url, sql } = await testDb(t);
const count = async () => (await sql`select count(*)::int as n from ledger.events`)[0]!.n;

type Talk = { data: string; closed: boolean; closedAfterMs: number | null; socket: net.Socket };

// A raw client: connects, writes what it is given, and records what comes back and when
// the server closed the connection.
function rawClient(port: number): Promise<Talk> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const talk: Talk = { data: '', closed: false, closedAfterMs: null, socket };
    socket.on('data', (d) => { talk.data += d.toString(); });
    socket.on('error', () => {});
    socket.on('close', () => {
      talk.closed = true;
      talk.closedAfterMs = Date.now() - started;
    });
    socket.once('connect', () => resolve(talk));
    socket.once('error', reject);
  });
}

const closedWithin = (talk: Talk, ms: number) => until(async () => talk.closed, ms, 20).then(() => true, () => false);

function request(method: string, route: string, headers: Record<string, string | number> = {}): string {
  const h = { host: 'blotter', authorization: `Bearer ${TOKEN}`, ...headers };
  return `${method} ${route} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

// Whether the last response on a connection has arrived whole (a chunked JSON body ends
// with its zero-length chunk).
const whole = (data: string) => /(\r\n0\r\n\r\n|\})$/.test(data);

// Responses on one connection, in order: status and headers of each.
function responses(data: string): { status: number; headers: string }[] {
  return [...data.matchAll(/HTTP\/1\.1 (\d{3})[^\r]*\r\n((?:[^\r]+\r\n)*)\r\n/g)].map((m) => ({ status: Number(m[1]), headers: m[2]!.toLowerCase() }));
}

t.test('the token check and the loopback test', async (t) => {
  const matches = bearerMatcher('s3cret-token');
  t.ok(matches('Bearer s3cret-token'), 'the token');
  for (const scheme of ['bearer', 'BEARER', 'BeArEr']) t.ok(matches(`${scheme} s3cret-token`), `scheme ${scheme}: case-insensitive (RFC 9110)`);
  for (const wrong of [undefined, '', 'Bearer ', 'Bearer s3cret-toke', 'Bearer s3cret-token-', 'Bearer s3cret-tokeN', 's3cret-token', 'Basic s3cret-token', 'Bearers3cret-token', 'xBearer s3cret-token']) {
    t.notOk(matches(wrong), `refused: ${JSON.stringify(wrong)}`);
  }
  t.notOk(bearerMatcher('')('Bearer '), 'an empty token matches nothing, not even an empty one');
  for (const h of ['127.0.0.1', '127.0.0.53', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) t.ok(isLoopback(h), `${h} is loopback`);
  for (const h of ['0.0.0.0', '::', '10.1.2.3', '192.168.0.10', '::ffff:10.0.0.1', 'blotter.example.com', '128.0.0.1']) t.notOk(isLoopback(h), `${h} is not loopback`);
});

t.test('stalled headers and trickled bodies are cut; keep-alive connections end', async (t) => {
  const agent = await inProcessAgent(t, url, {
    BLOTTER_INGEST_HEADERS_TIMEOUT_MS: '300', BLOTTER_INGEST_BODY_TIMEOUT_MS: '300', BLOTTER_INGEST_REQUEST_TIMEOUT_MS: '30000',
    BLOTTER_INGEST_KEEP_ALIVE_TIMEOUT_MS: '300', BLOTTER_INGEST_MAX_REQUESTS_PER_SOCKET: '3',
  });
  const port = agent.port;

  t.test('a connection that sends nothing is closed', async (t) => {
    const c = await rawClient(port);
    t.ok(await closedWithin(c, 5000), 'closed within 5 s (headers_timeout_ms 300)');
  });

  t.test('headers begun and never finished: 408, connection closed', async (t) => {
    const c = await rawClient(port);
    c.socket.write(`POST /v1/events HTTP/1.1\r\nhost: blotter\r\nauthorization: Bearer ${TOKEN}\r\n`);
    t.ok(await closedWithin(c, 5000), 'closed within 5 s');
    const r = responses(c.data);
    t.ok(r.length === 0 || r[0]!.status === 408, `408 or nothing: ${JSON.stringify(c.data)}`);
  });

  t.test('a body that trickles in is cut at body_timeout_ms: 408 naming it, closed, nothing written', async (t) => {
    const before = await count();
    const c = await rawClient(port);
    const body = JSON.stringify([order(7001)]);
    c.socket.write(request('POST', '/v1/events', { 'content-type': 'application/json', 'content-length': body.length }));
    let i = 0;
    const drip = setInterval(() => {
      if (c.closed || i >= body.length - 1) return;
      c.socket.write(body[i++]!);
    }, 50);
    t.teardown(() => clearInterval(drip));
    t.ok(await closedWithin(c, 5000), 'closed within 5 s');
    clearInterval(drip);
    t.ok(i < body.length, 'the body was never finished');
    const r = responses(c.data);
    t.equal(r[0]?.status, 408, c.data);
    t.match(r[0]?.headers, /connection: close/);
    t.match(c.data, /body not received within ingest\.body_timeout_ms \(300 ms\)/);
    await new Promise((res) => setTimeout(res, 200));
    t.equal(await count(), before, 'nothing written');
    const ok = await post(port, '/v1/events', [order(7002)]);
    t.equal(ok.status, 202, 'the next client is served');
  });

  t.test('a keep-alive connection closes after max_requests_per_socket requests', async (t) => {
    const c = await rawClient(port);
    for (let n = 1; n <= 3; n++) {
      c.socket.write(request('GET', '/v1/health'));
      await until(async () => responses(c.data).length === n && whole(c.data), 5000, 10);
    }
    const r = responses(c.data);
    t.same(r.map((x) => x.status), [200, 200, 200]);
    t.match(r[0]!.headers, /connection: keep-alive/);
    t.match(r[0]!.headers, /keep-alive: timeout=\d+, max=3/);
    t.match(r[2]!.headers, /connection: close/, 'the third says Connection: close');
    t.ok(await closedWithin(c, 5000), 'and the server closes it');
    t.equal(responses(c.data).length, 3);
  });

  t.test('an idle keep-alive connection closes after keep_alive_timeout_ms', async (t) => {
    const c = await rawClient(port);
    c.socket.write(request('GET', '/v1/health'));
    await until(async () => responses(c.data).length === 1 && whole(c.data), 5000, 10);
    t.match(responses(c.data)[0]!.headers, /connection: keep-alive/);
    t.ok(await closedWithin(c, 5000), 'closed within 5 s (keep_alive_timeout_ms 300)');
  });
});

t.test('a request not received whole within request_timeout_ms: 408, closed', async (t) => {
  // The body deadline is long here: Node's own limit on the whole request is what acts.
  const agent = await inProcessAgent(t, url, { BLOTTER_INGEST_HEADERS_TIMEOUT_MS: '300', BLOTTER_INGEST_REQUEST_TIMEOUT_MS: '500', BLOTTER_INGEST_BODY_TIMEOUT_MS: '60000' });
  const c = await rawClient(agent.port);
  c.socket.write(request('POST', '/v1/events', { 'content-type': 'application/json', 'content-length': 100 }) + '[{"event_type":');
  t.ok(await closedWithin(c, 5000), 'closed within 5 s');
  const r = responses(c.data);
  t.ok(r.length === 0 || r[0]!.status === 408, `408 or nothing: ${JSON.stringify(c.data)}`);
});

t.test('connections past max_connections are closed at once; the others are served', async (t) => {
  const agent = await inProcessAgent(t, url, { BLOTTER_INGEST_MAX_CONNECTIONS: '4', BLOTTER_INGEST_KEEP_ALIVE_TIMEOUT_MS: '60000' });
  const port = agent.port;
  const held: Talk[] = [];
  for (let n = 0; n < 4; n++) {
    const c = await rawClient(port);
    c.socket.write(request('GET', '/v1/health'));
    await until(async () => responses(c.data).length === 1, 5000, 10);
    held.push(c);
  }
  t.teardown(() => held.forEach((c) => c.socket.destroy()));
  t.same(held.map((c) => responses(c.data)[0]!.status), [200, 200, 200, 200], 'four connections served and kept open');
  const fifth = await rawClient(port);
  fifth.socket.write(request('GET', '/v1/health'));
  t.ok(await closedWithin(fifth, 5000), 'the fifth is closed');
  t.equal(fifth.data, '', 'without an answer');
  t.notOk(held.some((c) => c.closed), 'the four stay open');
  held[1]!.socket.write(request('GET', '/v1/health'));
  await until(async () => responses(held[1]!.data).length === 2, 5000, 10);
  t.pass('a held connection is still served');
  // The cap counts open connections: one closed makes room for one more.
  held[0]!.socket.destroy();
  let again: Talk | null = null;
  await until(async () => {
    again?.socket.destroy();
    again = await rawClient(port);
    again.socket.write(request('GET', '/v1/health'));
    return until(async () => responses(again!.data).length === 1 || again!.closed, 5000, 10).then(() => responses(again!.data).length === 1);
  }, 5000, 100);
  t.equal(responses(again!.data)[0]!.status, 200, 'a new connection is served once one has closed');
  again!.socket.destroy();
  held.forEach((c) => c.socket.destroy());
  let metrics = { status: 0, text: '' };
  await until(async () => {
    metrics = await get(port, '/metrics').catch(() => metrics);
    return metrics.status === 200;
  }, 5000, 50);
  t.match(metrics.text, /blotter_ingest_connections_refused_total(\{\})? [1-9]/, 'refusals are counted');
});

// Every file the file sink wrote under the agent's home.
function fileLogs(home: string): string {
  const dir = path.join(home, 'logs');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('') : '';
}

const TRACE = {
  BLOTTER_LOGGING_LEVEL: 'trace', BLOTTER_LOGGING_FORMAT: 'json',
  BLOTTER_LOGGING_HANDLERS_CONSOLE_ENABLED: 'true', BLOTTER_LOGGING_HANDLERS_CONSOLE_LEVEL: 'trace',
  BLOTTER_LOGGING_HANDLERS_FILE_LEVEL: 'trace', BLOTTER_LOGGING_HANDLERS_DATABASE_LEVEL: 'trace',
  ...Object.fromEntries(['connection', 'order', 'execution', 'position', 'balance', 'error', 'system', 'metric', 'user'].map((c) => [`BLOTTER_LOGGING_CATEGORIES_${c.toUpperCase()}`, 'trace'])),
};

async function stopChild(proc: import('node:child_process').ChildProcess): Promise<void> {
  const exited = new Promise((res) => proc.once('exit', res));
  proc.kill('SIGTERM');
  await exited;
}

t.test('the bearer token is in no log line, at trace level, for wrong and right tokens', async (t) => {
  const token = 'hygiene-Token-9f8e7d6c5b4a39281706';
  const home = tempHome(t);
  const child = await childAgent(url, home, { ...TRACE, BLOTTER_INGEST_TOKEN: token });
  t.teardown(() => { if (child.proc.exitCode === null) child.proc.kill('SIGKILL'); });
  for (const wrong of [token.slice(0, -1), token + 'x', token.toUpperCase(), `${token} ${token}`]) {
    t.equal((await post(child.port, '/v1/events', [order(8001)], { token: wrong })).status, 401, 'a wrong token: 401');
    t.equal((await get(child.port, '/v1/health', wrong)).status, 401);
  }
  t.equal((await post(child.port, '/v1/events', [order(8002)], { token })).status, 202, 'the right one: 202');
  t.equal((await get(child.port, '/v1/health', token)).status, 200);
  t.equal((await post(child.port, '/v1/logs', [{ level: 'info', msg: 'hello', fields: { token } }], { token })).status, 202, 'a bot log line carrying it in a field');
  await until(async () => (await sql`select count(*)::int as n from ops.logs where msg = 'hello'`)[0]!.n === 1);
  await stopChild(child.proc);
  const out = child.output();
  t.match(out, /"msg":"ingest API listening"/, 'the start-up line was captured, as JSON at trace level');
  t.notOk(out.includes(token.slice(0, 12)), 'the token is not in the console output');
  const files = fileLogs(home);
  t.match(files, /ingest API listening/, 'the file sink wrote');
  t.notOk(files.includes(token.slice(0, 12)), 'nor in the log file');
  const db = await sql`select count(*)::int as n from ops.logs where msg like ${'%' + token.slice(0, 12) + '%'} or fields::text like ${'%' + token.slice(0, 12) + '%'}`;
  t.equal(db[0]!.n, 0, 'nor in ops.logs');
});

t.test('a token the agent made itself is not printed at start: the file it is in is', async (t) => {
  const home = tempHome(t);
  const child = await childAgent(url, home, { ...TRACE, BLOTTER_INGEST_TOKEN: '' });
  t.teardown(() => { if (child.proc.exitCode === null) child.proc.kill('SIGKILL'); });
  const token = fs.readFileSync(path.join(home, 'ingest-token'), 'utf8').trim();
  t.ok(token.length >= 24, 'a token was made');
  t.equal((await get(child.port, '/v1/health', token)).status, 200, 'and it is the one');
  await stopChild(child.proc);
  const out = child.output() + fileLogs(home);
  t.match(out, /"token_file":"[^"]*ingest-token"/, 'the start-up line names the file');
  t.notOk(out.includes(token), 'not the token');
});

t.test('an API bound beyond loopback is warned about at start; the default is not', async (t) => {
  const wide = await inProcessAgent(t, url, { BLOTTER_INGEST_HOST: '0.0.0.0' });
  const local = await inProcessAgent(t, url);
  await Promise.all([wide.stop(), local.stop()]);
  const warned = fileLogs(wide.home).split('\n').filter((l) => l.includes('not a loopback address'));
  t.equal(warned.length, 1, 'one warning');
  t.match(JSON.parse(warned[0]!), { level: 'warn', host: '0.0.0.0' }, 'at warn level, naming the host');
  t.match(fileLogs(local.home), /ingest API listening/);
  t.notMatch(fileLogs(local.home), /not a loopback address/, 'none on 127.0.0.1');
});
