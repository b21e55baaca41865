// Configuration is validated in full at start: an unknown or invalid key, in the file or
// in the environment, stops start-up with a message naming it.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../agent/config.ts';
import { tempHome } from './helpers/agent.ts';
import { runCli } from './helpers/db.ts';

const base = fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf8');

function withFile(tt: { teardown: (fn: () => unknown) => void }, text: string): string {
  const f = path.join(tempHome(tt), 'blotter.yaml');
  fs.writeFileSync(f, text);
  return f;
}

t.test('the shipped file loads with its documented defaults', async (t) => {
  const c = loadConfig({ env: {} });
  t.equal(c.ingest.host, '127.0.0.1');
  t.equal(c.ingest.port, 7600);
  t.equal(c.logging.handlers.file.max_size, 10 * 1024 * 1024);
  t.equal(c.logging.handlers.file.max_files, 10);
  t.equal(c.spool.quota, 1024 ** 3);
  const i = c.ingest;
  t.same([i.headers_timeout_ms, i.body_timeout_ms, i.request_timeout_ms, i.keep_alive_timeout_ms, i.max_requests_per_socket, i.max_connections],
    [10_000, 30_000, 60_000, 65_000, 1000, 64], 'connection limits');
});

t.test('environment overrides, typed', async (t) => {
  const c = loadConfig({ env: { BLOTTER_INGEST_PORT: '7700', BLOTTER_INGEST_TOKEN: 'abc', BLOTTER_JOBS_ENABLED: 'false', BLOTTER_SPOOL_QUOTA: '2GB', BLOTTER_LOGGING_CATEGORIES_ORDER: 'debug', DATABASE_URL: 'postgres://x@h/db' } });
  t.same([c.ingest.port, c.ingest.token, c.jobs.enabled, c.spool.quota, c.logging.categories.order, c.database.url], [7700, 'abc', false, 2 * 1024 ** 3, 'debug', 'postgres://x@h/db']);
});

t.test('refusals name the key and what was expected', async (t) => {
  const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
    [base.replace('  port: 7600', '  port: 7600\n  prot: 1'), {}, /config ingest\.prot: unknown key \(expected one of host, port/],
    [base.replace('  port: 7600', '  port: 70000'), {}, /config ingest\.port: expected an integer from 0 to 65535, got 70000/],
    [base.replace('max_size: 10MB', 'max_size: lots'), {}, /config logging\.handlers\.file\.max_size: expected a size such as 512KB/],
    [base.replace('  level: info              #', '  level: chatty              #'), {}, /config logging\.level: expected one of trace, debug/],
    [base.replace('  enabled: true\n  concurrency', '  enabled: yes please\n  concurrency'), {}, /config jobs\.enabled: expected true or false/],
    [base.replace(/\n  batch_size: 5000.*\n/, '\n'), {}, /config writer\.batch_size: missing/],
    [base + '\nextra: 1\n', {}, /config extra: unknown key/],
    [base, { BLOTTER_INGEST_PORT: 'eighty' }, /config ingest\.port \(from BLOTTER_INGEST_PORT\): expected an integer/],
    [base, { BLOTTER_INGEST_PROT: '1' }, /environment BLOTTER_INGEST_PROT: not a blotter setting/],
    [base, { BLOTTER_INGEST_HEADERS_TIMEOUT_MS: '70000' }, /config ingest\.headers_timeout_ms \(70000\) exceeds ingest\.request_timeout_ms \(60000\)/],
    [base, { BLOTTER_INGEST_MAX_CONNECTIONS: '0' }, /config ingest\.max_connections \(from BLOTTER_INGEST_MAX_CONNECTIONS\): expected an integer from 1 to 100000/],
    ['database: 5\n', {}, /config database: expected a mapping/],
    ['port: 1\nport: 2\n', {}, /config file .*: Map keys must be unique/],
  ];
  for (const [text, env, message] of cases) {
    t.throws(() => loadConfig({ file: withFile(t, text), env }), { message }, String(message));
  }
});

t.test('blotter start refuses a bad config before doing anything', async (t) => {
  const home = tempHome(t);
  const f = path.join(home, 'bad.yaml');
  fs.writeFileSync(f, base.replace('group_commit_ms: 0', 'group_commit_ms: -1'));
  const r = await runCli(['start', '--config', f], { env: { BLOTTER_HOME: home, DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x' } });
  t.equal(r.code, 2);
  t.match(r.stderr, /config spool\.group_commit_ms: expected an integer from 0 to 1000, got -1 \[CONFIG_INVALID\]/);
  t.same(fs.readdirSync(home).sort(), ['bad.yaml'], 'nothing created');
});

t.test('the flex section: ids written as YAML numbers are ids; a config from before it has the defaults', async (t) => {
  const c = loadConfig({ file: withFile(t, base.replace('  queries: []', '  queries: [123456, 123457]')), env: {} });
  t.same(c.flex.queries, ['123456', '123457']);
  t.same(loadConfig({ env: { BLOTTER_FLEX_QUERIES: '1,22' } }).flex.queries, ['1', '22']);
  t.throws(() => loadConfig({ file: withFile(t, base.replace('  queries: []', '  queries: [12.5]')), env: {} }), { message: /config flex\.queries: expected a list of Flex query ids/ });
  t.throws(() => loadConfig({ env: { BLOTTER_FLEX_DATE_FORMAT: 'yy/MM/dd' } }), { message: /config flex\.date_format \(from BLOTTER_FLEX_DATE_FORMAT\): expected one of auto, MM\/dd\/yyyy, dd\/MM\/yyyy/ });
  const older = base.slice(0, base.indexOf('\nflex:')) + base.slice(base.indexOf('\nib:'));
  t.notOk(older.includes('flex:'), 'a config file written before the flex section');
  const o = loadConfig({ file: withFile(t, older), env: { BLOTTER_FLEX_TOKEN: 'x' } });
  t.same([o.flex.token, o.flex.poll_ms, o.flex.date_format], ['x', 6000, 'auto']);
  t.throws(() => loadConfig({ file: withFile(t, base.replace('  poll_ms: 6000', '')), env: {} }), { message: /config flex\.poll_ms: missing/ }, 'a key missing inside the section is still an error');
});

t.test('agent.v8_flags: flags only; memory bounds agree', async (t) => {
  t.equal(loadConfig({ env: {} }).agent.v8_flags, '--optimize-for-size', 'the default favours memory');
  t.same(loadConfig({ env: { BLOTTER_AGENT_V8_FLAGS: '' } }).agent.v8_flags, '', 'empty: Node\'s defaults');
  t.throws(() => loadConfig({ env: { BLOTTER_AGENT_V8_FLAGS: '--optimize-for-size; rm -rf /' } }), { message: /config agent\.v8_flags: "rm" is not a V8 flag|config agent\.v8_flags: "--optimize-for-size;" is not a V8 flag/ });
  t.throws(() => loadConfig({ env: { BLOTTER_INGEST_MAX_IN_FLIGHT: '1KB', BLOTTER_INGEST_MAX_BODY: '2KB' } }), { message: /ingest\.max_in_flight \(1024\) is less than ingest\.max_body \(2048\)/ });
});
