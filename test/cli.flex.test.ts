// `blotter flex fetch` end to end against the local fake of IB's Flex Web Service (file kept
// under BLOTTER_HOME/flex, imported, the token in no output), its refusals; and an import
// killed with SIGKILL in the middle of its COPY leaves nothing, so running it again lands
// the whole statement exactly once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { tradeRow } from '../agent/flex/write.ts';
import { CLI, NODE_ARGS, runCli, testDb } from './helpers/db.ts';
import { startFlexFake } from './helpers/flex-fake.ts';
import { ny, tempDir, writeFlexFile } from './helpers/flex-statements.ts';

const TOKEN = 'flex-token-5ecret-93c1';
const dir = tempDir(t, 'blotter-cliflex-');

async function statement(file: string, account: string, fills: number): Promise<string> {
  return writeFlexFile(file, { statements: [{
    account, fromDate: '2025-03-10', toDate: '2025-03-10', whenGenerated: ny('2025-03-11', '05:00:00'),
    parts: (w) => [{ section: 'Trades', rows: Array.from({ length: fills }, (_, i): [string, Record<string, string>] => ['Trade', tradeRow(w, {
      account, execId: `0000dd00.${(i + 1).toString(16).padStart(8, '0')}.01.01`, transactionId: String(500000 + i), tradeId: String(600000 + i), orderId: String(700000 + (i >> 1)),
      conId: '265598', symbol: 'AAPL', side: i % 2 ? 'SELL' : 'BUY', quantity: String(1 + (i % 7)), price: `${200 + (i % 50)}.${String(i % 100).padStart(2, '0')}`,
      commission: '1.0052', time: ny('2025-03-10', `1${i % 6}:${String(i % 60).padStart(2, '0')}:00`),
    })]) }],
  }] });
}

t.test('flex fetch: fetched, kept, imported; the token never shown', async (t) => {
  const { url, sql } = await testDb(t);
  const home = fs.mkdtempSync(path.join(dir, 'home-'));
  const fake = await startFlexFake({ token: TOKEN, statements: { 424242: fs.readFileSync(await statement(path.join(dir, 'fetch.xml'), 'U5000001', 3), 'utf8') }, pollsBeforeReady: { 424242: 1 } });
  t.teardown(() => fake.close());
  const env = { DATABASE_URL: url, BLOTTER_HOME: home, BLOTTER_FLEX_TOKEN: TOKEN, BLOTTER_FLEX_QUERIES: '424242', BLOTTER_FLEX_URL: fake.url, BLOTTER_FLEX_POLL_MS: '100' };
  const r = await runCli(['flex', 'fetch', '--from', '2025-03-10', '--to', '2025-03-10'], { env });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /query 424242: .*flex-424242-20250310-20250310-.*\.xml/);
  t.match(r.stdout, /U5000001\s+Trades\s+3\s+0\s+0/);
  t.notOk((r.stdout + r.stderr).includes(TOKEN), 'token not printed');
  t.match(fake.requests[0]!.query, { fd: '20250310', td: '20250310' });
  t.equal(fs.readdirSync(path.join(home, 'flex')).length, 1, 'the statement is kept');
  t.equal((await sql`select count(*)::int as n from ledger.flex_trades`)[0]!.n, 3);

  const again = await runCli(['flex', 'fetch', '--json'], { env });
  t.equal(again.code, 0, again.stderr);
  t.match(JSON.parse(again.stdout), { query: '424242', imported: { new: 0, known: 3 } }, 'a second fetch adds nothing');

  const bad = await runCli(['flex', 'fetch'], { env: { ...env, BLOTTER_FLEX_TOKEN: 'wrong-token-zz' } });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /FLEX_TOKEN_INVALID/);
  t.notOk(bad.stderr.includes('wrong-token-zz'), 'not even a wrong token is shown');
});

t.test('flex fetch refuses what it cannot do, before any request', async (t) => {
  const home = fs.mkdtempSync(path.join(dir, 'home-'));
  const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x', BLOTTER_HOME: home, BLOTTER_FLEX_TOKEN: '', BLOTTER_FLEX_QUERIES: '' };
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['flex', 'fetch'], { BLOTTER_FLEX_QUERIES: '1' }, /no Flex Web Service token: set flex\.token .*BLOTTER_FLEX_TOKEN.*\[FLEX_NO_TOKEN\]/],
    [['flex', 'fetch'], { BLOTTER_FLEX_TOKEN: 'x' }, /no Flex query to fetch.*\[FLEX_NO_QUERY\]/],
    [['flex', 'fetch', '--query', '12a'], { BLOTTER_FLEX_TOKEN: 'x' }, /--query must be a Flex query id/],
    [['flex', 'fetch', '--query', '1', '--from', '2025-03-01'], { BLOTTER_FLEX_TOKEN: 'x' }, /--from and --to go together/],
    [['flex', 'fetch', '--query', '1', '--from', '2025-3-1', '--to', '2025-03-02'], { BLOTTER_FLEX_TOKEN: 'x' }, /--from must be a date/],
    [['flex', 'import'], {}, /flex import needs at least one FILE/],
    [['flex', 'import', 'x.xml', '--date-format', 'yyyy/MM/dd'], {}, /--date-format must be MM\/dd\/yyyy or dd\/MM\/yyyy/],
  ];
  for (const [args, more, message] of cases) {
    const r = await runCli(args, { env: { ...env, ...more } });
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
  }
});

t.test('an import killed mid-COPY leaves nothing; run again, the statement lands once', async (t) => {
  const { url, sql } = await testDb(t);
  const file = await statement(path.join(dir, 'big.xml'), 'U5000002', 20_000);
  const child = spawn(process.execPath, [...NODE_ARGS, CLI, 'flex', 'import', file], { env: { ...process.env, DATABASE_URL: url }, stdio: 'ignore' });
  let copying = false;
  for (let i = 0; i < 600 && !copying; i++) {
    const [r] = await sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'copy ledger.events%' and state = 'active'`;
    copying = r!.n > 0;
    if (!copying) await new Promise((res) => setTimeout(res, 20));
  }
  t.ok(copying, 'the COPY was under way');
  child.kill('SIGKILL');
  await new Promise((res) => child.once('exit', res));
  // The server rolls the transaction back once it sees the client gone.
  for (let i = 0; i < 250; i++) {
    const [r] = await sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'copy ledger.events%'`;
    if (r!.n === 0) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  t.same(await sql`select count(*)::int as n from ledger.events where stream like 'flex:%'`, [{ n: 0 }], 'nothing of the killed import');
  const r = await runCli(['flex', 'import', file, '--json'], { env: { DATABASE_URL: url }, timeoutMs: 120_000 });
  t.equal(r.code, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { new: 20_000, known: 0 });
  t.same(await sql`select count(*)::int as n, count(distinct exec_id)::int as d from ledger.flex_trades where account = 'U5000002'`, [{ n: 20_000, d: 20_000 }]);
  t.same(await sql`select * from ledger.chain_problems()`, [], 'the chain verifies');
});

t.test('flex.date_format reads an ambiguous MM/dd statement without --date-format (as the morning task does)', async (t) => {
  const { url, sql } = await testDb(t);
  const file = await writeFlexFile(path.join(dir, 'mdy.xml'), { format: { date: 'MM/dd/yyyy', time: 'HHmmss', separator: ';' }, statements: [{
    account: 'U5000003', fromDate: '2025-03-04', toDate: '2025-03-04', whenGenerated: ny('2025-03-05', '05:00:00'),
    parts: (w) => [{ section: 'Trades', rows: [['Trade', tradeRow(w, { account: 'U5000003', execId: '0000dd01.1.01.01', transactionId: '1', tradeId: '2', orderId: '3',
      conId: '265598', symbol: 'AAPL', side: 'BUY', quantity: '1', price: '1', commission: '1', time: ny('2025-03-04', '10:00:00') })]] }],
  }] });
  const refused = await runCli(['flex', 'import', file], { env: { DATABASE_URL: url } });
  t.equal(refused.code, 2);
  t.match(refused.stderr, /FLEX_DATE_AMBIGUOUS/);
  const r = await runCli(['flex', 'import', file], { env: { DATABASE_URL: url, BLOTTER_FLEX_DATE_FORMAT: 'MM/dd/yyyy' } });
  t.equal(r.code, 0, r.stderr);
  t.same(await sql`select trade_date::text from ledger.flex_trades`, [{ trade_date: '2025-03-04' }], 'March 4, not 3 April');
});
