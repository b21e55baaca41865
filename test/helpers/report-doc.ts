// Report documents for the format tests and the HTML benchmark, with no database: a month
// of trading made up from a seeded generator (the same document on every run), sized like a
// real monthly report, and values chosen to be awkward (negatives, nulls, a symbol that is
// an HTML injection, exact decimals with more digits than a float keeps).
import type { Chart, ReportDocument, Row, Table } from '../../agent/report/model.ts';
import { mulberry32 as rng } from '../../scripts/mulberry32.ts';

export const HOSTILE = '<script>alert(1)</script>';

// The weekdays of a month from a start date, up to n of them.
export function tradingDays(from: string, n: number): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); out.length < n; t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM', 'XOM', 'SPY', 'QQQ', 'IWM', 'ES', 'NQ', 'GLD'];

type Options = { days?: number; trades?: number; seed?: number; from?: string; asyncTrades?: boolean; hostile?: boolean };

// A monthly report: headlines, the five charts, a daily table and a table of round trips.
export function monthlyDocument(opts: Options = {}): ReportDocument {
  const rand = rng(opts.seed ?? 11);
  const days = tradingDays(opts.from ?? '2026-11-02', opts.days ?? 21);
  const nTrades = opts.trades ?? 300;
  const hostile = opts.hostile ?? false;

  // Round trips spread over the days, P&L in cents as integers so sums are exact.
  const trades: Row[] = [];
  const pnlByDay = new Map<string, number>();
  const slippage: string[] = [];
  for (let i = 0; i < nTrades; i++) {
    const day = days[Math.floor((i * days.length) / nTrades)]!;
    const symbol = hostile && i === 3 ? HOSTILE : SYMBOLS[Math.floor(rand() * SYMBOLS.length)]!;
    const qty = (1 + Math.floor(rand() * 40)) * 10;
    const entryCents = 5_000 + Math.floor(rand() * 40_000);
    const moveCents = Math.round((rand() - 0.46) * entryCents * 0.02);
    const exitCents = entryCents + moveCents;
    const gross = moveCents * qty;                    // cents
    const commission = Math.max(100, qty) ;           // cents: 1 cent a share, 1.00 minimum
    const net = gross - commission;
    pnlByDay.set(day, (pnlByDay.get(day) ?? 0) + net);
    const slip = (rand() - 0.35) * 12;
    slippage.push(slip.toFixed(2));
    const minute = 30 + Math.floor((i % 12) * 30);
    trades.push({
      close_time: `${day}T${String(14 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`,
      symbol,
      direction: rand() < 0.7 ? 'long' : 'short',
      quantity: String(qty),
      entry_price: cents(entryCents, 4),
      exit_price: cents(exitCents, 4),
      gross_pnl: cents(gross),
      commission: cents(commission),
      net_pnl: cents(net),
      slippage_bps: i % 17 === 0 ? null : slip.toFixed(2),
      holding_time: `00:${String(5 + (i % 50)).padStart(2, '0')}:00`,
      strategy: hostile && i === 5 ? 'mean "revert" & <b>bold</b>' : ['momentum', 'mean-revert', 'pairs'][i % 3]!,
    });
  }

  const start = 1_000_000_00; // cents: 1,000,000.00
  let nav = start;
  let peak = start;
  let maxDd = 0;
  const daily: Row[] = [];
  const equity: { date: string; value: string }[] = [];
  const drawdown: { date: string; value: string }[] = [];
  const pnl: { date: string; value: string }[] = [];
  for (const [i, day] of days.entries()) {
    const dayNet = pnlByDay.get(day) ?? 0;
    const ret = dayNet / nav;
    nav += dayNet;
    peak = Math.max(peak, nav);
    const dd = nav / peak - 1;
    maxDd = Math.min(maxDd, dd);
    const n = trades.filter((t) => (t.close_time as string).startsWith(day));
    const wins = n.filter((t) => !String(t.net_pnl).startsWith('-')).length;
    daily.push({
      trade_date: day,
      total_trades: n.length,
      gross_pnl: cents(n.reduce((s, t) => s + toCents(t.gross_pnl as string), 0)),
      commission: cents(n.reduce((s, t) => s + toCents(t.commission as string), 0)),
      net_pnl: cents(dayNet),
      win_rate: n.length ? (wins / n.length).toFixed(4) : null,
      day_return: ret.toFixed(10),
      nav: cents(nav),
      sharpe_ratio: i < 2 ? null : (0.8 + rand()).toFixed(6),
    });
    equity.push({ date: day, value: (nav / start).toFixed(8) });
    drawdown.push({ date: day, value: dd.toFixed(8) });
    pnl.push({ date: day, value: cents(dayNet) });
  }

  const monthly: Extract<Chart, { kind: 'monthly_returns' }>['cells'] = [];
  for (let m = 1; m <= 12; m++) monthly.push({ year: 2025, month: m, value: ((rand() - 0.4) * 0.06).toFixed(6) });
  for (let m = 1; m <= 10; m++) monthly.push({ year: 2026, month: m, value: ((rand() - 0.4) * 0.06).toFixed(6) });
  monthly.push({ year: 2026, month: 11, value: (nav / start - 1).toFixed(6) });

  const totalNet = daily.reduce((s, d) => s + toCents(d.net_pnl as string), 0);
  const tradeTable: Table = {
    name: 'trades',
    title: 'Round trips',
    description: 'Every position opened and closed in the period, matched first in, first out.',
    columns: [
      { name: 'close_time', label: 'Closed', type: 'timestamp' },
      { name: 'symbol', label: 'Symbol', type: 'text' },
      { name: 'strategy', label: 'Strategy', type: 'text' },
      { name: 'direction', label: 'Side', type: 'text' },
      { name: 'quantity', label: 'Qty', type: 'decimal', format: 'quantity' },
      { name: 'entry_price', label: 'Entry', type: 'decimal', format: 'price' },
      { name: 'exit_price', label: 'Exit', type: 'decimal', format: 'price' },
      { name: 'gross_pnl', label: 'Gross P&L', type: 'decimal', format: 'money' },
      { name: 'commission', label: 'Commission', type: 'decimal', format: 'money' },
      { name: 'net_pnl', label: 'Net P&L', type: 'decimal', format: 'money', doc: 'gross P&L less commissions' },
      { name: 'slippage_bps', label: 'Slippage', type: 'decimal', format: 'bps' },
      { name: 'holding_time', label: 'Held', type: 'interval' },
    ],
    rows: opts.asyncTrades ? inBatches(trades, 64) : trades,
  };

  return {
    meta: {
      report: 'monthly',
      title: 'Monthly trading report',
      parameters: { from: days[0]!, to: days[days.length - 1]!, account: hostile ? `U1234567 ${HOSTILE}` : 'U1234567', format: 'html' },
      generatedAt: '2026-12-01T06:15:02.123Z',
      generator: 'blotter 0.1.0',
      freshness: [
        { name: 'trades', refreshedAt: '2026-12-01T06:00:01.5Z', eventsThroughSeq: '184467' },
        { name: 'daily_summary', refreshedAt: '2026-12-01T06:00:02Z', eventsThroughSeq: '184467' },
        { name: 'equity_daily', refreshedAt: '2026-12-01T06:00:02.25Z', eventsThroughSeq: null },
      ],
      ledgerThroughSeq: '184470',
      chain: [
        { stream: 'ib:U1234567', verifiedAt: '2026-12-01T05:00:00Z', ok: true, rowsSince: 3 },
        { stream: hostile ? `bot:${HOSTILE}` : 'bot:alpha', verifiedAt: '2026-12-01T05:00:00Z', ok: true, rowsSince: 0 },
        { stream: 'flex:U1234567', verifiedAt: null, ok: null, rowsSince: null },
      ],
    },
    headlines: [
      { label: 'Net P&L', value: cents(totalNet), format: 'money', note: 'after commissions' },
      { label: 'Return', value: (nav / start - 1).toFixed(8), format: 'percent', note: 'time-weighted' },
      { label: 'Max drawdown', value: maxDd.toFixed(8), format: 'percent' },
      { label: 'Round trips', value: String(nTrades) },
      { label: 'Win rate', value: (trades.filter((t) => !String(t.net_pnl).startsWith('-')).length / nTrades).toFixed(4), format: 'percent' },
      { label: 'Median slippage', value: median(slippage), format: 'bps', note: 'against arrival' },
    ],
    charts: [
      { kind: 'equity', title: 'Equity (index, start = 1)', points: equity },
      { kind: 'drawdown', title: 'Drawdown', points: drawdown },
      { kind: 'daily_pnl', title: 'Daily net P&L (USD)', points: pnl },
      { kind: 'monthly_returns', title: 'Monthly returns (%)', cells: monthly },
      { kind: 'histogram', title: 'Slippage against arrival', values: slippage, unit: 'bps' },
    ],
    tables: [
      {
        name: 'daily',
        title: 'Daily summary',
        columns: [
          { name: 'trade_date', label: 'Date', type: 'date' },
          { name: 'total_trades', label: 'Trades', type: 'integer' },
          { name: 'gross_pnl', label: 'Gross P&L', type: 'decimal', format: 'money' },
          { name: 'commission', label: 'Commission', type: 'decimal', format: 'money' },
          { name: 'net_pnl', label: 'Net P&L', type: 'decimal', format: 'money' },
          { name: 'win_rate', label: 'Win rate', type: 'decimal', format: 'percent' },
          { name: 'day_return', label: 'Return', type: 'decimal', format: 'percent' },
          { name: 'nav', label: 'NAV', type: 'decimal', format: 'money' },
          { name: 'sharpe_ratio', label: 'Sharpe (63d)', type: 'decimal', format: 'ratio' },
        ],
        rows: daily,
      },
      tradeTable,
    ],
  };
}

// An AsyncIterable source, as a database cursor gives.
export async function* inBatches(rows: Row[], size: number): AsyncIterable<Row[]> {
  for (let i = 0; i < rows.length; i += size) {
    await new Promise((r) => setImmediate(r));
    yield rows.slice(i, i + size);
  }
}

function cents(c: number, places = 2): string {
  const neg = c < 0;
  const s = String(Math.abs(c)).padStart(3, '0');
  const v = `${s.slice(0, -2)}.${s.slice(-2)}`;
  return (neg ? '-' : '') + (places > 2 ? v + '0'.repeat(places - 2) : v);
}

function toCents(s: string): number {
  return Math.round(Number(s) * 100);
}

function median(values: string[]): string {
  const v = values.map(Number).sort((a, b) => a - b);
  return (v[Math.floor(v.length / 2)] ?? 0).toFixed(2);
}
