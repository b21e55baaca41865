// `blotter demo` plays a scripted trading day through the simulator with one command and
// reports what landed, that the chain verifies, and a reconciliation that corrected
// something by itself and left breaks for a person, in plain words.
import t from 'tap';
import { runCli } from "./helpers/db.js";
t.test('blotter demo', async (t) => {
    const r = await runCli(['demo'], { env: { DATABASE_URL: '' }, timeoutMs: 120_000 });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /ib\s+ib_execution\s+5/);
    t.match(r.stdout, /bot\s+order_submitted\s+1/);
    t.match(r.stdout, /0000e0d5\.6571b0c5\.01\.02\s+10 @ 415\.09\s+corrects 0000e0d5\.6571b0c5\.01\.01/);
    t.match(r.stdout, /chain: intact/);
    t.match(r.stdout, /execution\s+4 compared: 1 matched, 0 within tolerance, 3 corrected/);
    t.match(r.stdout, /the bot never recorded fill 0000e0d5\.6571b0c6\.01\.01 \(BUY 5 MSFT @ 415\.00\): added from IB's report/);
    t.match(r.stdout, /the bot had no commission for fill 0000e0d5\.6571b0c4\.02\.01: added IB's 0\.50 USD/);
    t.match(r.stdout, /position AAPL: the bot believes it holds 140, IB's snapshot says 150 and IB's own fills add up to 150/);
    t.match(r.stdout, /IB has an order the bot never sent \(perm id 1900000104/);
    t.match(r.stdout, /trading status: halt/);
    // the next morning's statement, imported and reconciled three ways
    t.match(r.stdout, /DU1234567\s+Trades\s+5\s+0\s+1/);
    t.match(r.stdout, /10 new, 0 already known, 2 not recorded/);
    t.match(r.stdout, /three-way reconciliation, bot · IB live · IB statement .*: 7 compared, 5 matched, 2 corrected, 0 breaks/);
    t.match(r.stdout, /fill 0000e0d5\.6571b0c7\.01\.01: only the statement has it \(5 shares\): appended as a backfilled IB execution/);
    t.match(r.stdout, /fill 0000e0d5\.6571b0c4\.01\.01: the statement and IB's live feed agree/);
    t.match(r.stdout, /position AAPL at the 2026-11-26 close: statement 150, live 150/);
    t.match(r.stdout, /cash USD at the 2026-11-26 close: statement 71880, live 71880/);
    t.match(r.stdout, /cash flow for performance reporting: 2026-11-26 deposit 5000 USD \(from the statement\)/);
    // MSFT: short 10 @ 415.09, covered 5 @ 415.00 and 5 @ 414.80: gross 0.45 + 1.45; commissions 1.00 a fill
    t.match(r.stdout, /reports\.daily_summary for 2026-11-26: 5 fills, volume 170, 2 round trips closed \(FIFO, reports\.trades\), gross 1\.90, net -1\.10 USD, commissions 4\.50, win rate 0/);
    t.match(r.stdout, /reports refreshed \(reports\.refresh, as the agent does after fills, statements and the close\): 8 materialized reports in \d+ ms/);
});
