// Flex import at scale: one Activity statement with 100,000 executions (about 50
// instruments, orders of 1 to 3 fills over one New York trading day) and one ORDER roll-up
// row per order, written before anything is measured, then imported into a fresh migrated
// database by a child process that does nothing else (its peak RSS is the importer's), and
// imported once more (every row known). Baseline, in the same run: the events the import
// produced, read back from the ledger and COPYed through openCopy into a second fresh
// database, so the ratio is what reading the XML costs on top of the ledger's own append.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import type { ImportResult } from '../agent/flex/import.ts';
import { FlexWriter, newYorkInstant, tradeRow, type FlexFill } from '../agent/flex/write.ts';
import { appendedInTransaction, openCopy } from '../agent/ledger/copy.ts';
import type { LedgerEvent } from '../agent/ledger/event.ts';
import { withBenchDatabase, withMigratedDatabase } from './db.ts';
import { mulberry32 } from '../scripts/mulberry32.ts';

const ACCOUNT = 'U7654321';
const DAY = '2026-03-13'; // a Friday, New York on daylight time (UTC-4)

// [symbol, conid, listing exchange, reference price]
const INSTRUMENTS: Array<[string, string, string, number]> = [
  ['AAPL', '265598', 'NASDAQ', 213.49], ['MSFT', '272093', 'NASDAQ', 415.72], ['AMZN', '3691937', 'NASDAQ', 198.11],
  ['NVDA', '4815747', 'NASDAQ', 121.38], ['TSLA', '76792991', 'NASDAQ', 248.5], ['GOOGL', '208813719', 'NASDAQ', 171.02],
  ['META', '107113386', 'NASDAQ', 602.3], ['SPY', '756733', 'ARCA', 561.27], ['QQQ', '320227571', 'NASDAQ', 478.93],
  ['IWM', '9579970', 'ARCA', 205.64], ['AMD', '4391', 'NASDAQ', 103.77], ['INTC', '270639', 'NASDAQ', 20.41],
  ['NFLX', '15124833', 'NASDAQ', 931.8], ['JPM', '1520593', 'NYSE', 237.15], ['BAC', '10098', 'NYSE', 41.29],
  ['XOM', '13977', 'NYSE', 108.66], ['CVX', '5251', 'NYSE', 150.02], ['KO', '8894', 'NYSE', 70.13],
  ['PEP', '11017', 'NASDAQ', 148.9], ['WMT', '13824', 'NYSE', 86.48], ['DIS', '6459', 'NYSE', 99.87],
  ['BA', '4762', 'NYSE', 171.33], ['CSCO', '268084', 'NASDAQ', 60.12], ['ORCL', '272800', 'NYSE', 149.76],
  ['CRM', '36816695', 'NYSE', 287.4], ['ADBE', '265768', 'NASDAQ', 388.51], ['PYPL', '199169591', 'NASDAQ', 68.92],
  ['UBER', '365207014', 'NYSE', 73.05], ['PLTR', '444857009', 'NASDAQ', 86.21], ['SOFI', '486385463', 'NASDAQ', 12.37],
  ['F', '9599491', 'NYSE', 9.87], ['T', '37018770', 'NYSE', 27.44], ['PFE', '11311', 'NYSE', 25.91],
  ['MRNA', '344809106', 'NASDAQ', 31.6], ['GE', '498843743', 'NYSE', 196.25], ['GM', '80286', 'NYSE', 47.83],
  ['NKE', '10291', 'NYSE', 71.12], ['SBUX', '274105', 'NASDAQ', 97.58], ['COST', '272997', 'NASDAQ', 901.66],
  ['V', '49462172', 'NYSE', 337.2], ['MA', '35551011', 'NYSE', 528.05], ['HOOD', '479524093', 'NASDAQ', 41.77],
  ['COIN', '481691285', 'NASDAQ', 199.4], ['MU', '9939', 'NASDAQ', 94.03], ['QCOM', '273544', 'NASDAQ', 155.88],
  ['SMCI', '388958588', 'NASDAQ', 39.71], ['GME', '36285627', 'NYSE', 24.66], ['RIVN', '525768800', 'NASDAQ', 11.93],
  ['NIO', '332794741', 'NYSE', 4.2179], ['TLRY', '319751480', 'NASDAQ', 0.8312],
];
// Execution venues and their per-share fee (negative: a rebate), as IB passes them through.
const VENUES: Array<[string, number]> = [
  ['ISLAND', 0.003], ['ARCA', 0.0030], ['NYSE', 0.00275], ['BATS', -0.0020], ['IEX', 0.0009],
  ['EDGX', 0.0029], ['DARK', 0.00118], ['IBKRATS', 0], ['BYX', -0.0005], ['MEMX', 0.00295],
];

const hms = (s: number): string =>
  [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((x) => String(x).padStart(2, '0')).join(':');
const trim = (x: number, decimals: number): string => String(Number(x.toFixed(decimals)));

// The statement: n executions and one Order row per order. Returns the number of orders.
export async function writeStatement(file: string, n: number): Promise<number> {
  const w = new FlexWriter(file, { type: 'AF', queryName: 'blotter-bench-activity', statements: 1 });
  w.startStatement({ account: ACCOUNT, fromDate: DAY, toDate: DAY, period: 'LastBusinessDay', whenGenerated: newYorkInstant('2026-03-14', '06:12:45') });
  w.open('Trades');
  const settle = w.d('2026-03-16'); // T+1 over the weekend
  const rand = mulberry32(20260313);
  const open = 9.5 * 3600, span = 6.5 * 3600; // 09:30 to 16:00 New York
  let exec = 0, orders = 0;
  while (exec < n) {
    const nFills = Math.min(n - exec, 1 + Math.floor(rand() * 3));
    const [symbol, conId, listing, ref] = INSTRUMENTS[Math.floor(rand() * INSTRUMENTS.length)]!;
    const side = rand() < 0.5 ? 'BUY' : 'SELL';
    const orderId = String(4_815_162_342 + orders * 3 + Math.floor(rand() * 3));
    const orderRef = `mm-a:${orders}`;
    const openClose = rand() < 0.5 ? 'O' : 'C';
    const decimals = ref < 1 ? 4 : ref < 5 ? 4 : 2;
    let totalQty = 0, totalMoney = 0, totalComm = 0, first: FlexFill | null = null;
    for (let k = 0; k < nFills; k++) {
      const i = exec + k;
      const time = newYorkInstant(DAY, hms(open + Math.floor((i * span) / n)));
      const qty = rand() < 0.6 ? 100 * (1 + Math.floor(rand() * 5)) : 1 + Math.floor(rand() * 300);
      const px = ref * (1 + (rand() - 0.5) * 0.02);
      const price = px.toFixed(decimals);
      // IBKR Pro fixed-ish: per share with a minimum, plus clearing and (sells) regulatory fees.
      const [venue, venueFee] = VENUES[i % VENUES.length]!;
      const comm = Math.max(0.35, Math.max(0.35, qty * 0.0035) + qty * (0.0002 + venueFee) +
        (side === 'SELL' ? qty * Number(price) * 0.0000278 + qty * 0.000166 : 0));
      const fill: FlexFill = {
        account: ACCOUNT, execId: `0000e0d5.${(0x65710a3f + i * 7).toString(16).padStart(8, '0')}.01.01`,
        transactionId: String(31_245_000_000 + i * 2), tradeId: String(7_123_000_000 + i), orderId, orderRef,
        conId, symbol, side, quantity: String(qty), price, commission: trim(comm, 4), time, exchange: listing, openClose,
        notes: k < nFills - 1 ? 'P' : '',
      };
      first ??= fill;
      totalQty += qty;
      totalMoney += qty * Number(price);
      totalComm += Number(fill.commission);
      await w.row('Trade', tradeRow(w, fill, { exchange: venue, settleDateTarget: settle }));
    }
    // The order's roll-up, as IB writes it after its executions: totals, average price,
    // no execution or transaction ids. The importer must skip it.
    const roll = tradeRow(w, { ...first!, execId: '', transactionId: '', tradeId: '', quantity: String(totalQty),
      price: trim(totalMoney / totalQty, 6), commission: trim(totalComm, 6), notes: '' },
    { levelOfDetail: 'ORDER', exchange: '--', exchOrderId: '--', extExecID: '--', settleDateTarget: settle });
    await w.row('Order', roll);
    exec += nFills;
    orders++;
  }
  w.close('Trades');
  w.endStatement();
  await w.end();
  return orders;
}

// The child: connect, import the file, report the time, counts and peak RSS. Nothing else
// is loaded, so the RSS is the importer's (plus Node's and postgres.js's own).
const CHILD = `
const [importUrl, postgresUrl, dbUrl, file] = process.argv.slice(1);
const { importFlexFile, keepYoungGenerationSmall } = await import(importUrl);
keepYoungGenerationSmall(); // as blotter flex import does
const { default: postgres } = await import(postgresUrl);
const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
await sql.unsafe('select 1');
const t = process.hrtime.bigint();
const result = await importFlexFile(sql, file);
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
const maxRssKb = process.resourceUsage().maxRSS;
await sql.end({ timeout: 5 });
process.stdout.write(JSON.stringify({ seconds, maxRssKb, result }));
`;

type ChildReport = { seconds: number; maxRssKb: number; result: ImportResult };

function importInChild(dbUrl: string, file: string): Promise<ChildReport> {
  const importUrl = new URL('../agent/flex/import.ts', import.meta.url).href;
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', CHILD, importUrl, import.meta.resolve('postgres'), dbUrl, file],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`the import child exited ${code ?? signal}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out) as ChildReport);
      } catch {
        reject(new Error(`the import child wrote no report: ${out.slice(0, 500)} ${err.trim()}`));
      }
    });
  });
}

function check(label: string, r: ImportResult, want: { rows: number; new: number; known: number; skipped: number; statementNew: boolean }): void {
  const got = { rows: r.rows, new: r.new, known: r.known, skipped: r.skipped, statementNew: r.statements.length === 1 && r.statements[0]!.new };
  const sectionsOk = r.sections.length === 1 && r.sections[0]!.section === 'Trades' && r.sections[0]!.account === ACCOUNT;
  if (!sectionsOk || JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${label}: expected ${JSON.stringify(want)}, the importer reported ${JSON.stringify(got)} (sections ${JSON.stringify(r.sections)})`);
  }
}

const seconds = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { n: { type: 'string' }, json: { type: 'boolean' } }, strict: false });
  const n = Number(values.n ?? 100_000);
  const t0 = process.hrtime.bigint();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-bench-flex-'));
  try {
    const file = path.join(dir, 'activity.xml');
    const t = process.hrtime.bigint();
    const orders = await writeStatement(file, n);
    const generateS = seconds(t);
    const fileMb = fs.statSync(file).size / 1024 / 1024;

    return await withBenchDatabase('flex', async (sql, url) => {
      // Each timed phase starts from a checkpoint, so none pays for the one before's WAL.
      const checkpoint = () => sql`checkpoint`.catch(() => {}); // needs pg_checkpoint: skipped without it
      await checkpoint();
      const first = await importInChild(url, file);
      check('first import', first.result, { rows: n + orders, new: n, known: 0, skipped: orders, statementNew: true });
      const [landed] = await sql`select count(*)::int as n, min(occurred_at) as lo, max(occurred_at) as hi
                                   from ledger.events where source = 'flex' and event_type = 'flex_trade'`;
      const open = new Date(newYorkInstant(DAY, '09:30:00')), close = new Date(newYorkInstant(DAY, '16:00:00'));
      if (landed!.n !== n || landed!.lo < open || landed!.hi >= close) {
        throw new Error(`the ledger holds ${landed!.n} flex trades from ${landed!.lo?.toISOString()} to ${landed!.hi?.toISOString()}, expected ${n} between ${open.toISOString()} and ${close.toISOString()}`);
      }
      await checkpoint();
      const again = await importInChild(url, file);
      check('second import', again.result, { rows: n + orders, new: 0, known: n, skipped: orders, statementNew: false });

      // Baseline: the same events (payloads compacted back to the text the importer sent)
      // through openCopy into a fresh ledger, in one transaction as the importer does.
      const evs: LedgerEvent[] = (await sql`
        select stream, to_json(occurred_at) #>> '{}' as occurred_at, source, event_type, entity_type, entity_id, account,
               actor, session_id, idempotency_key, payload::text as payload
          from ledger.events where source = 'flex' and event_type = 'flex_trade' order by seq`).map((r) => ({
        stream: r.stream, occurredAt: r.occurred_at, source: r.source, eventType: r.event_type, entityType: r.entity_type,
        entityId: r.entity_id, account: r.account, actor: r.actor, sessionId: r.session_id, idempotencyKey: r.idempotency_key,
        payload: JSON.stringify(JSON.parse(r.payload as string)),
      }));
      const payloadBytes = evs.reduce((s, e) => s + e.payload.length, 0);
      const copyS = await withMigratedDatabase(url, 'flexcopy', async (copyDb) => {
        await checkpoint();
        const t1 = process.hrtime.bigint();
        const appended = await copyDb.begin(async (tx) => {
          const sink = await openCopy(tx);
          for (const e of evs) await sink.write(e);
          await sink.end();
          return appendedInTransaction(tx);
        });
        const s = seconds(t1);
        if (appended !== n) throw new Error(`the baseline COPY landed ${appended} of ${n}`);
        return s;
      });

      const rowsPerS = n / first.seconds, copyPerS = n / copyS;
      return {
        case: 'flex',
        executions: n,
        order_rows_skipped: orders,
        file_mb: +fileMb.toFixed(1),
        payload_avg_bytes: Math.round(payloadBytes / n),
        generate_s: +generateS.toFixed(2),
        seconds: +first.seconds.toFixed(3),
        rows_per_s: Math.round(rowsPerS),
        rss_mb: Math.round(first.maxRssKb / 1024),
        reimport_seconds: +again.seconds.toFixed(3),
        reimport_rows_per_s: Math.round(n / again.seconds),
        reimport_rss_mb: Math.round(again.maxRssKb / 1024),
        raw_copy_rows_per_s: Math.round(copyPerS),
        vs_copy: +(rowsPerS / copyPerS).toFixed(3),
        case_s: +seconds(t0).toFixed(1),
      };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
