// The command line's manners: every command answers --help and -h with its own usage
// (exit 0); a mistake gets one line naming it and a pointer to that help, never the whole
// usage; and answers that could be misread are not given: an unknown stream is an error,
// not "chain intact", and a query that matched nothing says so.
import t from 'tap';
import { COMMANDS, isGroup, main, validOptions } from "../agent/cli.js";
import { BIN, runCli, testDb } from "./helpers/db.js";
// A sample run as the real process; the whole table is asked in-process below.
const SAMPLE = ['start', 'demo', 'migrate', 'append', 'verify', 'digest', 'logs', 'db'];
// Nothing here may reach a database by accident.
const offline = { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none' };
t.test('a sample of commands, as the real process, answers --help and -h with its own usage', async (t) => {
    for (const cmd of SAMPLE) {
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
    for (const cmd of SAMPLE)
        t.match(all.stdout, new RegExp(`\\n {2}${cmd} `), `blotter --help lists ${cmd}`);
    t.match(all.stdout, /Database: every command but demo acts on the first of\n {2}1\. DATABASE_URL\n {2}2\. BLOTTER_DATABASE_URL\n {2}3\. database\.url in the config file/);
    const demo = await runCli(['demo', '--help'], { env: offline });
    t.match(demo.stdout, /DATABASE_URL, BLOTTER_DATABASE_URL, the config file and\nBLOTTER_HOME are ignored/, 'demo says it ignores DATABASE_URL');
});
// main() in this process, its output captured: the whole table in a second, where a child
// per case would take a minute on a busy machine. The cases above and below run the real
// process.
async function inProcess(argv) {
    const saved = { out: process.stdout.write, err: process.stderr.write, env: process.env.DATABASE_URL };
    let stdout = '';
    let stderr = '';
    process.stdout.write = ((chunk) => { stdout += String(chunk); return true; });
    process.stderr.write = ((chunk) => { stderr += String(chunk); return true; });
    process.env.DATABASE_URL = offline.DATABASE_URL;
    try {
        return { code: await main(argv), stdout, stderr };
    }
    finally {
        process.stdout.write = saved.out;
        process.stderr.write = saved.err;
        if (saved.env === undefined)
            delete process.env.DATABASE_URL;
        else
            process.env.DATABASE_URL = saved.env;
    }
}
// Every entry of the command table, groups and their subcommands, as [words, command].
function everyCommand() {
    const all = [];
    for (const [name, c] of Object.entries(COMMANDS)) {
        if (!isGroup(c)) {
            all.push([[name], c]);
            continue;
        }
        all.push([[name], undefined]);
        for (const [sub, sc] of Object.entries(c.subcommands))
            all.push([[name, sub], sc]);
    }
    return all;
}
t.test('every command and subcommand of the table answers --help and -h with its own usage', async (t) => {
    const all = everyCommand();
    t.ok(all.length >= 25, `the table has ${all.length} commands and subcommands`);
    for (const name of ['recon', 'breaks', 'flex', 'report', 'retention', 'db', 'archive', 'verify-archive', 'purge', 'erase-subject', 'backup', 'restore']) {
        t.ok(COMMANDS[name], `${name} is in the table`);
    }
    for (const [words] of all) {
        const label = words.join(' ');
        for (const flag of ['--help', '-h']) {
            const r = await inProcess([...words, flag]);
            t.equal(r.code, 0, `${label} ${flag} exits 0: ${r.stderr}`);
            t.match(r.stdout, new RegExp(`^usage: blotter ${label}\\b`), `${label} ${flag} prints its usage`);
            t.equal(r.stderr, '', `${label} ${flag}: nothing on stderr`);
        }
        const viaHelp = await inProcess(['help', ...words]);
        t.match(viaHelp.stdout, new RegExp(`^usage: blotter ${label}\\b`), `blotter help ${label}`);
    }
    const top = await inProcess(['--help']);
    for (const name of Object.keys(COMMANDS))
        t.match(top.stdout, new RegExp(`\\n {2}${name} `), `blotter --help lists ${name}`);
});
t.test('an unknown option anywhere in the table: exit 2, naming the valid options, nothing done', async (t) => {
    for (const [words, cmd] of everyCommand()) {
        const label = words.join(' ');
        for (const bad of ['--no-such-option', '-Z']) {
            const r = await inProcess([...words, bad]);
            t.equal(r.code, 2, `${label} ${bad} exits 2`);
            t.equal(r.stdout, '', `${label} ${bad}: nothing on stdout`);
            const valid = cmd ? validOptions(cmd).join(', ') : `--help; the others follow the subcommand: `;
            t.ok(r.stderr.startsWith(`blotter ${label}: unknown option ${bad} (valid: ${valid}`), `${label} ${bad} lists the valid options: ${r.stderr}`);
            t.equal(r.stderr.split('\n').length, 2, `${label} ${bad}: one line`);
        }
    }
    // The real process, for the example in the README.
    const r = await runCli(['verify', '--foo'], { env: offline });
    t.same([r.code, r.stdout, r.stderr], [2, '', 'blotter verify: unknown option --foo (valid: --stream, --digest, --public-key, --json, --config) (see blotter verify --help)\n']);
});
t.test('a mistake is one line naming it, with a pointer to the help', async (t) => {
    const cases = [
        [['verify', '--bogus'], 'blotter verify: unknown option --bogus (valid: --stream, --digest, --public-key, --json, --config) (see blotter verify --help)'],
        [['verify', '--stream'], 'blotter verify: option --stream needs a value (see blotter verify --help)'],
        [['verify', '--json=yes'], 'blotter verify: option --json takes no value (see blotter verify --help)'],
        [['verify', 'extra'], 'blotter verify: unexpected argument "extra" (see blotter verify --help)'],
        [['logs', '--level', 'loud'], 'blotter logs: --level must be one of trace, debug, info, warn, error, fatal (see blotter logs --help)'],
        [['digest'], 'blotter digest: digest needs --out FILE; keep that file outside the database host (see blotter digest --help)'],
        [['db', 'restart'], 'blotter db: expected start, stop, status or url, not "restart" (see blotter db --help)'],
        [['start', '--port', '1'], 'blotter start: unknown option --port (valid: --config) (see blotter start --help)'],
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
    await sql `insert into ledger.events (stream, occurred_at, source, event_type, payload)
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
    await sql `insert into ops.logs (logged_at, level, category, source, msg) values (now(), 'info', 'order', 'agent', 'placed')`;
    const miss = await runCli(['logs', '--level', 'error', '--grep', 'placed'], { env });
    t.same([miss.code, miss.stdout, miss.stderr], [0, '', 'blotter: no log lines match --level error --grep placed\n']);
    const hit = await runCli(['logs', '--grep', 'placed'], { env });
    t.match(hit.stdout, /INFO {2}\[order\] placed/);
    t.equal(hit.stderr, '');
});
