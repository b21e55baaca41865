// The IBKR relay: one raw IBApi connection (host, port and clientId always explicit),
// every broker message the audit trail needs turned into a ledger event with source 'ib',
// the exact wire text kept alongside. Reconnects with backoff and jitter on the same
// clientId, detects a half-open socket with a currentTime heartbeat, and backfills
// executions after any reconnect or 1101/1102, retrying when execDetailsEnd never comes.
// A timeout or a disconnect is recorded as such, never as "no positions" or "no orders".
import { createHash } from 'node:crypto';
import { EventName, IBApi } from '@stoqey/ib';
import type { LedgerEvent } from '../ledger/event.ts';
import { stringifyExact } from '../ledger/json.ts';
import { parseExecTime } from './time.ts';
import { WireQueue } from './wire-tokens.ts';

export type RelayOptions = {
  host: string;
  port: number;
  clientId: number;
  // Zone of TWS's local clock, for execution times sent without one.
  twsTimezone: string;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  backfillTimeoutMs: number;
  backfillRetries: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  sink: (events: LedgerEvent[]) => Promise<void>;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
};

type Loose = { on: (e: string, f: (...a: any[]) => void) => unknown; removeAllListeners: () => unknown };

// Java's Double.MAX_VALUE and Integer.MAX_VALUE, IB's "unset".
const UNSET = new Set(['1.7976931348623157E308', '1.7976931348623157e+308', '2147483647', '9223372036854775807']);
const exact = (text: string | undefined): string | null => (text === undefined || text === '' || UNSET.has(text) ? null : text);

const ACCOUNT_SUMMARY_TAGS = 'AccountType,NetLiquidation,TotalCashValue,SettledCash,AccruedCash,BuyingPower,EquityWithLoanValue,PreviousDayEquityWithLoanValue,GrossPositionValue,RegTEquity,RegTMargin,SMA,InitMarginReq,MaintMarginReq,AvailableFunds,ExcessLiquidity,Cushion,FullInitMarginReq,FullMaintMarginReq,FullAvailableFunds,FullExcessLiquidity,LookAheadNextChange,LookAheadInitMarginReq,LookAheadMaintMarginReq,LookAheadAvailableFunds,LookAheadExcessLiquidity,HighestSeverity,DayTradesRemaining,Leverage,$LEDGER:ALL';

// Incoming message ids whose wire tokens the relay keeps.
const IN = { ORDER_STATUS: '3', ERR_MSG: '4', OPEN_ORDER: '5', ACCT_VALUE: '6', PORTFOLIO_VALUE: '7', EXECUTION_DATA: '11', COMMISSION_REPORT: '59', POSITION: '61', ACCOUNT_SUMMARY: '63', PNL: '94', COMPLETED_ORDER: '101' };

const DECODER_NAMES: Record<string, string> = {
  ORDER_STATUS: IN.ORDER_STATUS, ERR_MSG: IN.ERR_MSG, OPEN_ORDER: IN.OPEN_ORDER, ACCT_VALUE: IN.ACCT_VALUE, PORTFOLIO_VALUE: IN.PORTFOLIO_VALUE,
  EXECUTION_DATA: IN.EXECUTION_DATA, COMMISSION_REPORT: IN.COMMISSION_REPORT, POSITION: IN.POSITION, ACCOUNT_SUMMARY: IN.ACCOUNT_SUMMARY,
  PNL: IN.PNL, COMPLETED_ORDER: IN.COMPLETED_ORDER,
};

export type RelayStats = { connects: number; disconnects: number; backfills: number; backfillTimeouts: number; events: number; heartbeatTimeouts: number; lost: number };

const MAX_PENDING = 100_000;

export class IbRelay {
  readonly stats: RelayStats = { connects: 0, disconnects: 0, backfills: 0, backfillTimeouts: 0, events: 0, heartbeatTimeouts: 0, lost: 0 };
  private readonly o: RelayOptions;
  private ib: IBApi | null = null;
  private stopped = false;
  private connected = false;
  private attempt = 0;
  private accounts: string[] = [];
  private reqId = 1000;
  private wire = new WireQueue();
  private readonly seenExec = new Map<string, string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private lastPong = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backfill: { reqId: number; timer: NodeJS.Timeout; tries: number; done: () => void } | null = null;
  private pending: LedgerEvent[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(opts: RelayOptions) {
    this.o = opts;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    if (this.backfill) clearTimeout(this.backfill.timer);
    this.ib?.disconnect();
    await this.flush();
  }

  isConnected(): boolean {
    return this.connected;
  }

  // ---- events out ----

  private emit(e: Omit<LedgerEvent, 'source' | 'stream' | 'sessionId' | 'actor'> & { stream?: string }): void {
    this.pending.push({ source: 'ib', stream: e.stream ?? (e.account ? `ib:${e.account}` : 'ib'), actor: `ib:client:${this.o.clientId}`, sessionId: null, ...e });
    this.stats.events++;
    if (this.pending.length === 1) queueMicrotask(() => void this.flush());
  }

  // Events wait here when the spool refuses them (full, or closing) and are offered again;
  // past MAX_PENDING the oldest go and are counted, loudly: memory is the last buffer.
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.o.sink(batch);
      } catch (err) {
        this.pending = batch.concat(this.pending);
        if (this.pending.length > MAX_PENDING) {
          const lost = this.pending.length - MAX_PENDING;
          this.pending.splice(0, lost);
          this.stats.lost += lost;
          this.o.log?.('error', 'ib relay: events lost: the spool refused them and the relay buffer is full', { lost, err: (err as Error).message });
        } else {
          this.o.log?.('warn', 'ib relay: the spool refused events; holding them and retrying', { held: this.pending.length, err: (err as Error).message });
        }
        if (!this.retryTimer && !this.stopped) {
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            void this.flush();
          }, 1000);
          this.retryTimer.unref();
        }
      }
    });
    return this.flushing;
  }

  private connection(state: string, detail: Record<string, unknown> = {}): void {
    const now = new Date().toISOString();
    this.emit({
      stream: 'ib', occurredAt: now, eventType: 'connection', entityType: 'connection', entityId: `${this.o.host}:${this.o.port}/${this.o.clientId}`,
      account: null, idempotencyKey: null,
      payload: stringifyExact({ peer: 'tws', state, host: this.o.host, port: this.o.port, client_id: this.o.clientId, ...detail }),
    });
    this.o.log?.(state === 'connected' ? 'info' : 'warn', `ib relay: ${state}`, detail);
  }

  private key(kind: string, ...parts: string[]): string {
    return `ib:${kind}:` + createHash('sha256').update(parts.join('\u0001')).digest('hex').slice(0, 32);
  }

  // ---- connection lifecycle ----

  private connect(): void {
    if (this.stopped) return;
    const ib = new IBApi({ host: this.o.host, port: this.o.port });
    this.ib = ib;
    // Wire text lines up with decoded events per connection.
    this.wire = new WireQueue();
    // No handler may throw into @stoqey/ib's emitter: a message that cannot be understood
    // is recorded as ib_malformed, with its wire text, and the relay goes on.
    const on = (e: string, f: (...a: any[]) => void) => (ib as unknown as Loose).on(e, (...a: any[]) => {
      if (this.ib !== ib) return;
      try {
        f(...a);
      } catch (err) {
        this.malformed(e, (err as Error).message);
      }
    });
    on(EventName.received, (tokens: string[]) => this.wire.push(tokens));
    on(EventName.nextValidId, () => this.onReady(ib));
    on(EventName.managedAccounts, (list: string) => {
      this.accounts = list.split(',').map((a) => a.trim()).filter(Boolean);
      // Accounts announced after the connection was ready still get their subscriptions.
      if (this.connected) this.subscribeAccounts(ib);
    });
    on(EventName.disconnected, () => this.onDown('socket closed'));
    on(EventName.error, (err: Error, code: number, reqId: number) => this.onError(err, code, reqId));
    on(EventName.info, (message: string, code: number) => this.onInfo(message, code));
    on(EventName.currentTime, () => {
      this.lastPong = Date.now();
    });
    on(EventName.execDetails, (reqId: number, contract: Record<string, unknown>, execution: Record<string, unknown>) => this.onExecution(reqId, contract, execution));
    on(EventName.execDetailsEnd, (reqId: number) => this.onBackfillEnd(reqId));
    on(EventName.commissionReport, (r: Record<string, unknown>) => this.onCommission(r));
    on(EventName.position, (account: string, contract: Record<string, unknown>) => this.onPosition(account, contract));
    // End markers make "no orders" distinguishable from "no answer".
    on(EventName.positionEnd, () => this.snapshotEnd('positions'));
    on(EventName.openOrderEnd, () => this.snapshotEnd('open_orders'));
    on(EventName.completedOrdersEnd, () => this.snapshotEnd('completed_orders'));
    on(EventName.accountDownloadEnd, (account: string) => this.snapshotEnd(`account_updates:${account}`));
    on(EventName.accountSummaryEnd, () => this.snapshotEnd('account_summary'));
    on(EventName.accountSummary, (reqId: number, account: string, tag: string, value: string, currency: string) => this.onAccountSummary(account, tag, value, currency));
    on(EventName.orderStatus, (orderId: number, status: string) => this.onOrderStatus(orderId, status));
    on(EventName.openOrder, (orderId: number, contract: Record<string, unknown>, order: Record<string, unknown>, state: Record<string, unknown>) => this.onOpenOrder('ib_open_order', orderId, contract, order, state, IN.OPEN_ORDER));
    on(EventName.completedOrder, (contract: Record<string, unknown>, order: Record<string, unknown>, state: Record<string, unknown>) => this.onOpenOrder('ib_completed_order', Number(order.orderId ?? 0), contract, order, state, IN.COMPLETED_ORDER));
    on(EventName.updateAccountValue, (key: string, value: string, currency: string, account: string) => this.onAccountValue(key, value, currency, account));
    on(EventName.updatePortfolio, (contract: Record<string, unknown>, position: number, _mp: number, _mv: number, _ac: number, _u: number, _r: number, account: string) => this.onPortfolio(contract, account));
    on(EventName.pnl, (reqId: number) => this.onPnl(reqId));
    this.connection('connecting', { attempt: this.attempt });
    ib.connect(this.o.clientId);
  }

  private pnlAccounts = new Map<number, string>();

  private onReady(ib: IBApi): void {
    if (this.connected) return;
    this.connected = true;
    this.attempt = 0;
    this.stats.connects++;
    this.connection('connected', { server_version: ib.serverVersion, accounts: this.accounts });
    ib.reqAllOpenOrders();
    if (this.o.clientId === 0) ib.reqAutoOpenOrders(true);
    ib.reqPositions();
    ib.reqAccountSummary(this.nextReqId(), 'All', ACCOUNT_SUMMARY_TAGS);
    this.subscribed.clear();
    this.subscribeAccounts(ib);
    ib.reqCompletedOrders(false);
    this.startBackfill();
    this.startHeartbeat();
  }

  private readonly subscribed = new Set<string>();
  private subscribeAccounts(ib: IBApi): void {
    for (const a of this.accounts) {
      if (this.subscribed.has(a)) continue;
      this.subscribed.add(a);
      ib.reqAccountUpdates(true, a);
      const id = this.nextReqId();
      this.pnlAccounts.set(id, a);
      ib.reqPnL(id, a, '');
    }
  }

  private nextReqId(): number {
    return ++this.reqId;
  }

  private onDown(reason: string): void {
    if (!this.connected && this.reconnectTimer) return;
    const was = this.connected;
    this.connected = false;
    this.stopHeartbeat();
    if (this.backfill) {
      clearTimeout(this.backfill.timer);
      this.backfill = null;
    }
    if (was) {
      this.stats.disconnects++;
      this.connection('disconnected', { reason });
    }
    this.ib?.disconnect();
    this.ib = null;
    if (this.stopped) return;
    // Capped exponential backoff with jitter, always the same clientId.
    const base = Math.min(this.o.reconnectMaxMs, this.o.reconnectMinMs * 2 ** Math.min(this.attempt, 16));
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    this.attempt++;
    this.connection('reconnecting', { in_ms: delay, attempt: this.attempt });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.lastPong = Date.now();
    this.heartbeat = setInterval(() => {
      if (!this.connected || !this.ib) return;
      if (Date.now() - this.lastPong > this.o.heartbeatMs + this.o.heartbeatTimeoutMs) {
        this.stats.heartbeatTimeouts++;
        this.onDown(`no currentTime reply for ${Date.now() - this.lastPong} ms (half-open socket)`);
        return;
      }
      this.ib.reqCurrentTime();
    }, this.o.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  // Executions since the start of the day; retried when execDetailsEnd does not come.
  private startBackfill(tries = 0): void {
    if (!this.ib || !this.connected) return;
    if (this.backfill) clearTimeout(this.backfill.timer);
    const reqId = this.nextReqId();
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, '0');
    const since = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-00:00:00`;
    this.stats.backfills++;
    const timer = setTimeout(() => {
      this.stats.backfillTimeouts++;
      this.o.log?.('warn', 'ib relay: execDetailsEnd did not come; asking again', { req_id: reqId, tries: tries + 1 });
      this.connection('backfill_timeout', { req_id: reqId, tries: tries + 1 });
      if (tries + 1 < this.o.backfillRetries) this.startBackfill(tries + 1);
      else this.backfill = null;
    }, this.o.backfillTimeoutMs);
    timer.unref();
    this.backfill = { reqId, timer, tries, done: () => clearTimeout(timer) };
    this.ib.reqExecutions(reqId, { time: since });
  }

  private onBackfillEnd(reqId: number): void {
    if (this.backfill?.reqId === reqId) {
      this.backfill.done();
      this.backfill = null;
      this.connection('backfill_complete', { req_id: reqId });
    }
  }

  private onError(err: Error, code: number, reqId: number): void {
    // The client could not decode a frame (an underrun): its wire text, queued for an
    // event that will not come, is recorded as malformed so later frames stay aligned.
    const underrun = /Underrun error on (\w+)/.exec(err.message);
    if (underrun) {
      const id = DECODER_NAMES[underrun[1]!];
      this.malformed(underrun[1]!, err.message, id ? this.wire.take(id) : undefined);
      return;
    }
    // 502 and friends: the socket is gone or was never there.
    if (code === 502 || code === 504 || code === 1300 || /ECONNREFUSED|ECONNRESET|EPIPE/.test(err.message)) {
      this.onDown(`${code}: ${err.message}`);
      return;
    }
    const tokens = this.wire.take(IN.ERR_MSG);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_error', entityType: reqId > 0 ? 'request' : null, entityId: reqId > 0 ? String(reqId) : null,
      account: null, idempotencyKey: null, stream: 'ib',
      payload: stringifyExact({ code, req_id: reqId, message: err.message, wire: tokens }),
    });
  }

  private onInfo(message: string, code: number): void {
    const tokens = this.wire.take(IN.ERR_MSG);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_info', entityType: null, entityId: String(code), account: null, idempotencyKey: null, stream: 'ib',
      payload: stringifyExact({ code, message, wire: tokens }),
    });
    if (code === 1100) this.connection('broker_connection_lost', { code });
    // Restored, with or without data lost: fills during the gap are not resent.
    if (code === 1101 || code === 1102) {
      this.connection('broker_connection_restored', { code, data_lost: code === 1101 });
      this.startBackfill();
      if (code === 1101) this.ib?.reqPositions();
    }
  }

  // ---- broker facts ----

  private malformed(event: string, reason: string, wire?: string[]): void {
    this.o.log?.('error', 'ib relay: a message could not be understood; recorded as ib_malformed', { event, reason });
    this.emit({
      stream: 'ib', occurredAt: new Date().toISOString(), eventType: 'ib_malformed', entityType: null, entityId: event,
      account: null, idempotencyKey: null, payload: stringifyExact({ event, reason, wire: wire ?? null }),
    });
  }

  private onExecution(reqId: number, _contract: Record<string, unknown>, _exec: Record<string, unknown>): void {
    const t = this.wire.take(IN.EXECUTION_DATA);
    if (!t) return;
    // 32 fields at server version ≥ 178; fewer means a frame the decoder filled with blanks.
    if (t.length < 32 || !t[14]) {
      this.malformed('execDetails', `${t.length} fields, expected 32`, t);
      return;
    }
    // At server version ≥ 136 there is no version field: [11, reqId, orderId, contract(11), exec...]
    const [, , orderId, conId, symbol, secType, ltd, strike, right, multiplier, exchange, currency, localSymbol, tradingClass,
      execId, time, account, execExchange, side, shares, price, permId, clientId, liquidation, cumQty, avgPrice, orderRef,
      evRule, evMultiplier, modelCode, lastLiquidity, pendingPriceRevision] = t;
    const id = execId!;
    const base = id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : id;
    const earlier = this.seenExec.get(base);
    if (!earlier || earlier < id) this.seenExec.set(base, id);
    let occurredAt: string;
    let timeError: string | null = null;
    try {
      occurredAt = parseExecTime(time!, this.o.twsTimezone);
    } catch (err) {
      // Recorded all the same, at arrival time, with the reason: a fill is never dropped.
      occurredAt = new Date().toISOString();
      timeError = (err as Error).message;
    }
    this.emit({
      occurredAt, eventType: 'ib_execution', entityType: 'execution', entityId: id,
      account: account || null, idempotencyKey: `ib:exec:${id}`,
      payload: stringifyExact({
        exec_id: id, exec_base: base, corrects: earlier && earlier !== id ? earlier : null, req_id: Number(reqId), live: Number(reqId) === -1,
        order_id: Number(orderId), perm_id: exact(permId), client_id: Number(clientId), order_ref: orderRef || null,
        contract: { con_id: exact(conId), symbol, sec_type: secType, last_trade_date: ltd || null, strike: exact(strike), right: right || null, multiplier: exact(multiplier), exchange, currency, local_symbol: localSymbol, trading_class: tradingClass },
        time, exchange: execExchange, side, shares: exact(shares), price: exact(price), liquidation: exact(liquidation), cum_qty: exact(cumQty),
        avg_price: exact(avgPrice), ev_rule: evRule || null, ev_multiplier: exact(evMultiplier), model_code: modelCode || null,
        last_liquidity: exact(lastLiquidity), pending_price_revision: pendingPriceRevision === '1',
        ...(timeError ? { time_error: timeError } : {}),
        wire: t,
      }),
    });
  }

  private onCommission(_r: Record<string, unknown>): void {
    const t = this.wire.take(IN.COMMISSION_REPORT);
    if (!t) return;
    const [, , execId, commission, currency, realizedPnl, yld, yieldDate] = t;
    // Kept whether or not its execution was seen (before, long after, or never); joined by exec_id.
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_commission', entityType: 'execution', entityId: execId!,
      account: null, idempotencyKey: `ib:commission:${execId}`, stream: 'ib',
      payload: stringifyExact({ exec_id: execId, commission: exact(commission), currency, realized_pnl: exact(realizedPnl), yield: exact(yld), yield_redemption_date: exact(yieldDate), wire: t }),
    });
  }

  private positionsSeen: LedgerEvent[] = [];
  private onPosition(_account: string, _contract: Record<string, unknown>): void {
    const t = this.wire.take(IN.POSITION);
    if (!t) return;
    const [, , account, conId, symbol, secType, ltd, strike, right, multiplier, exchange, currency, localSymbol, tradingClass, pos, avgCost] = t;
    const day = new Date().toISOString().slice(0, 10);
    const content = [account!, conId!, pos!, avgCost!].join('|');
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_position', entityType: 'position', entityId: `${account}:${conId}`,
      account: account || null, idempotencyKey: this.key('position', day, content),
      payload: stringifyExact({ contract: { con_id: exact(conId), symbol, sec_type: secType, last_trade_date: ltd || null, strike: exact(strike), right: right || null, multiplier: exact(multiplier), exchange, currency, local_symbol: localSymbol, trading_class: tradingClass }, position: exact(pos), avg_cost: exact(avgCost), wire: t }),
    });
  }

  private snapshotEnd(kind: string): void {
    this.emit({
      stream: 'ib', occurredAt: new Date().toISOString(), eventType: 'ib_snapshot_end', entityType: 'snapshot', entityId: kind,
      account: null, idempotencyKey: null, payload: stringifyExact({ snapshot: kind, complete: true }),
    });
  }

  private onAccountSummary(account: string, tag: string, value: string, currency: string): void {
    const t = this.wire.take(IN.ACCOUNT_SUMMARY);
    const day = new Date().toISOString().slice(0, 10);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_account_summary', entityType: 'account', entityId: account,
      account, idempotencyKey: this.key('summary', day, account, tag, value, currency),
      payload: stringifyExact({ tag, value, currency: currency || null, wire: t }),
    });
  }

  private onAccountValue(key: string, value: string, currency: string, account: string): void {
    const t = this.wire.take(IN.ACCT_VALUE);
    const day = new Date().toISOString().slice(0, 10);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_account_value', entityType: 'account', entityId: account,
      account, idempotencyKey: this.key('acctvalue', day, account, key, value, currency),
      payload: stringifyExact({ key, value, currency: currency || null, wire: t }),
    });
  }

  private onPortfolio(contract: Record<string, unknown>, account: string): void {
    const t = this.wire.take(IN.PORTFOLIO_VALUE);
    const day = new Date().toISOString().slice(0, 10);
    // Version 8: [7, 8, conId, symbol, secType, ltd, strike, right, multiplier, primaryExch, currency,
    //             localSymbol, tradingClass, position, marketPrice, marketValue, averageCost, unrealizedPNL, realizedPNL, account]
    const w = t && t[1] === '8' ? t : undefined;
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_portfolio', entityType: 'position', entityId: `${account}:${String(contract.conId ?? '')}`,
      account: account || null, idempotencyKey: this.key('portfolio', day, ...(t ?? [])),
      payload: stringifyExact({
        contract: { con_id: exact(w?.[2]) ?? contract.conId ?? null, symbol: w?.[3] ?? contract.symbol ?? null, sec_type: w?.[4] ?? null, currency: w?.[10] ?? null },
        position: exact(w?.[13]), market_price: exact(w?.[14]), market_value: exact(w?.[15]), average_cost: exact(w?.[16]),
        unrealized_pnl: exact(w?.[17]), realized_pnl: exact(w?.[18]), wire: t,
      }),
    });
  }

  private onPnl(reqId: number): void {
    const t = this.wire.take(IN.PNL);
    const account = this.pnlAccounts.get(reqId) ?? null;
    // [94, reqId, dailyPnL, unrealizedPnL, realizedPnL]
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_pnl', entityType: 'account', entityId: account,
      account, idempotencyKey: this.key('pnl', new Date().toISOString().slice(0, 16), ...(t ?? [])),
      payload: stringifyExact({ daily: exact(t?.[2]), unrealized: exact(t?.[3]), realized: exact(t?.[4]), wire: t }),
    });
  }

  private onOrderStatus(orderId: number, status: string): void {
    const t = this.wire.take(IN.ORDER_STATUS);
    // [3, orderId, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId, whyHeld, mktCapPrice]
    const permId = exact(t?.[6]);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_order_status', entityType: 'order', entityId: permId ?? String(orderId),
      account: null, idempotencyKey: this.key('status', ...(t ?? [String(orderId), status])), stream: 'ib',
      payload: stringifyExact({ order_id: orderId, status, filled: exact(t?.[3]), remaining: exact(t?.[4]), avg_fill_price: exact(t?.[5]), perm_id: permId, parent_id: exact(t?.[7]), last_fill_price: exact(t?.[8]), client_id: exact(t?.[9]), why_held: t?.[10] || null, mkt_cap_price: exact(t?.[11]), wire: t }),
    });
  }

  private onOpenOrder(type: string, orderId: number, contract: Record<string, unknown>, order: Record<string, unknown>, state: Record<string, unknown>, msgId: string): void {
    const t = this.wire.take(msgId);
    const permId = order.permId !== undefined ? String(order.permId) : null;
    this.emit({
      occurredAt: new Date().toISOString(), eventType: type, entityType: 'order', entityId: permId ?? String(orderId),
      account: typeof order.account === 'string' ? order.account : null, idempotencyKey: this.key(type, ...(t ?? [])),
      payload: stringifyExact({
        order_id: orderId, perm_id: permId, order_ref: order.orderRef ?? null, status: state.status ?? null,
        // openOrder at version ≥ 145: [5, orderId, contract(11), action, totalQuantity, orderType, lmtPrice, auxPrice, ...]
        ...(msgId === IN.OPEN_ORDER && t && t.length > 18 ? { action: t[13], total_quantity: exact(t[14]), order_type: t[15], lmt_price: exact(t[16]), aux_price: exact(t[17]), tif: t[18] } : {}),
        contract, order, state, wire: t,
      }),
    });
  }
}
