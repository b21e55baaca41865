// The command line's manners: every command answers --help and -h with its own usage
// (exit 0); a mistake gets one line naming it and a pointer to that help, never the whole
// usage; and answers that could be misread are not given: an unknown stream is an error,
// not "chain intact", and a query that matched nothing says so.
import t from 'tap';
import { BIN, runCli, testDb } from './helpers/db.ts';

const COMMANDS = ['start', 'demo', 'migrate', 'append', 'verify', 'digest', 'logs', 'db'];
// Nothing here may reach a database by accident.
const offline = { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none' };

t.test('every command answers --help and -h with its own usage', async (t) => {
  for (const cmd of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      const r = await runCli([cmd, flag], { env: offline });
      t.equal(r.code, 0, `${cmd} ${flag}: ${r.stderr}`);
      t.match(r.stdout, new RegExp(`^usage: blotter ${cmd}\\b`), `${cmd} ${flag}`);
      t.equal(r.stderr, '', `${cmd} ${flag}: nothing on stderr`);
    }
  }
  const after = await runCli(['verify', '--stream', 'x', '--help'], { env: offline });
  t.match(after.stdout, /^usage: blotter verify/, '--help after other options');
  const top = await runCli(['help', 'logs'], { env: offline });
  t.match(top.stdout, /^usage: blotter logs/);
  const all = await runCli(['--help'], { env: offline, entry: BIN });
  t.equal(all.code, 0);
  for (const cmd of COMMANDS) t.match(all.stdout, new RegExp(`\\n {2}${cmd} `), `blotter --help lists ${cmd}`);
  t.match(all.stdout, /Database: every command but demo acts on the first of\n {2}1\. DATABASE_URL\n {2}2\. BLOTTER_DATABASE_URL\n {2}3\. database\.url in the config file/);
  const demo = await runCli(['demo', '--help'], { env: offline });
  t.match(demo.stdout, /DATABASE_URL, BLOTTER_DATABASE_URL, the config file and\nBLOTTER_HOME are ignored/, 'demo says it ignores DATABASE_URL');
});

t.test('a mistake is one line naming it, with a pointer to the help', async (t) => {
  const cases: [string[], string][] = [
    [['verify', '--bogus'], 'blotter verify: unknown option --bogus (see blotter verify --help)'],
    [['verify', '--stream'], 'blotter verify: option --stream needs a value (see blotter verify --help)'],
    [['verify', '--json=yes'], 'blotter verify: option --json takes no value (see blotter verify --help)'],
    [['verify', 'extra'], 'blotter verify: unexpected argument "extra" (see blotter verify --help)'],
    [['logs', '--level', 'loud'], 'blotter logs: --level must be one of trace, debug, info, warn, error, fatal (see blotter logs --help)'],
    [['digest'], 'blotter digest: digest needs --out FILE; keep that file outside the database host (see blotter digest --help)'],
    [['db', 'restart'], 'blotter db: expected start, stop, status or url, not "restart" (see blotter db --help)'],
    [['start', '--port', '1'], 'blotter start: unknown option --port (see blotter start --help)'],
    [['frobnicate'], 'blotter: unknown command "frobnicate" (see blotter --help)'],
  ];
  for (const [args, line] of cases) {
    const r = await runCli(args, { env: offline });
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr, line + '\n', args.join(' '));
    t.equal(r.stdout, '', `${args.join(' ')}: no usage dump`);
  }
});

t.test('verify and digest of a stream that does not exist: exit 2, naming the streams there are', async (t) => {
  const { url, sql } = await testDb(t);
  const env = { DATABASE_URL: url };
  const empty = await runCli(['verify', '--stream', 'nosuch'], { env });
  t.equal(empty.code, 2);
  t.equal(empty.stderr, 'blotter verify: no stream "nosuch" in the ledger (the ledger has none) [STREAM_UNKNOWN]\n');
  t.notMatch(empty.stdout, /chain intact/);
  await sql`insert into ledger.events (stream, occurred_at, source, event_type, payload)
            select s, now(), 'bot', 'fill', '{}'::jsonb from unnest(array['alpha', 'beta']) s`;
  const r = await runCli(['verify', '--stream', 'nosuch', '--json'], { env });
  t.equal(r.code, 2);
  t.match(r.stderr, /no stream "nosuch" in the ledger \(streams: alpha, beta\)/);
  t.equal(r.stdout, '');
  const d = await runCli(['digest', '--stream', 'nosuch', '--out', '/dev/null'], { env });
  t.equal(d.code, 2);
  t.match(d.stderr, /^blotter digest: .*"nosuch"/);
  const ok = await runCli(['verify', '--stream', 'alpha'], { env });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /ok {7}alpha: 1 rows\nchain intact/);
  const all = await runCli(['verify'], { env: { DATABASE_URL: (await testDb(t)).url } });
  t.equal(all.code, 0, 'an empty ledger verifies');
  t.match(all.stdout, /the ledger is empty\nchain intact/);
});

t.test('logs that match nothing say so on stderr', async (t) => {
  const { url, sql } = await testDb(t);
  const env = { DATABASE_URL: url };
  const none = await runCli(['logs'], { env });
  t.same([none.code, none.stdout, none.stderr], [0, '', 'blotter: the log (ops.logs) has no lines\n']);
  await sql`insert into ops.logs (logged_at, level, category, source, msg) values (now(), 'info', 'order', 'agent', 'placed')`;
  const miss = await runCli(['logs', '--level', 'error', '--grep', 'placed'], { env });
  t.same([miss.code, miss.stdout, miss.stderr], [0, '', 'blotter: no log lines match --level error --grep placed\n']);
  const hit = await runCli(['logs', '--grep', 'placed'], { env });
  t.match(hit.stdout, /INFO {2}\[order\] placed/);
  t.equal(hit.stderr, '');
});
