// The IBKR relay: one raw IBApi connection (host, port and clientId always explicit),
// every broker message the audit trail needs turned into a ledger event with source 'ib',
// the exact wire text alongside. Reconnects with backoff and jitter on the same clientId,
// detects a half-open socket with a currentTime heartbeat, and backfills executions after
// any reconnect or 1101/1102, retrying when execDetailsEnd never comes. A timeout or a
// disconnect is recorded as such, never as "no positions" or "no orders".
//
// Each recorded message is read from its own wire tokens by the layout of the negotiated
// server version (layouts.ts); the library's decoded event only says that a frame of that
// kind arrived. So numbers stay the wire's text, and a frame the library misreads (a
// completedOrder below server version 177) is still recorded right.
import { createHash, randomUUID } from 'node:crypto';
import { EventName, IBApi } from '@stoqey/ib';
import type { LedgerEvent } from '../ledger/event.ts';
import { stringifyExact } from '../ledger/json.ts';
import { type Decoded, type Layout, readFrame } from './layout.ts';
import * as L from './layouts.ts';
import { type Cause, describe, socketCause } from './relay-cause.ts';
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
  // How long a connection attempt may take to reach nextValidId; by default as long as a
  // heartbeat may go unanswered (heartbeatMs + heartbeatTimeoutMs).
  connectTimeoutMs?: number;
  backfillTimeoutMs: number;
  backfillRetries: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  sink: (events: LedgerEvent[]) => Promise<void>;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
};

type Loose = { on: (e: string, f: (...a: any[]) => void) => unknown; removeAllListeners: () => unknown };
type Fields = Record<string, string>;

// Java's Double.MAX_VALUE and Integer/Long.MAX_VALUE, IB's "unset".
const UNSET = new Set(['1.7976931348623157E308', '1.7976931348623157e+308', '2147483647', '9223372036854775807']);
const exact = (text: string | undefined): string | null => (text === undefined || text === '' || UNSET.has(text) ? null : text);
const str = (text: string | undefined): string | null => (text === undefined || text === '' ? null : text);
// A boolean field the layout has at this version, or null where it has none.
const flag = (text: string | undefined): boolean | null => (text === undefined ? null : text === '1' || text.toLowerCase() === 'true');

const ACCOUNT_SUMMARY_TAGS = 'AccountType,NetLiquidation,TotalCashValue,SettledCash,AccruedCash,BuyingPower,EquityWithLoanValue,PreviousDayEquityWithLoanValue,GrossPositionValue,RegTEquity,RegTMargin,SMA,InitMarginReq,MaintMarginReq,AvailableFunds,ExcessLiquidity,Cushion,FullInitMarginReq,FullMaintMarginReq,FullAvailableFunds,FullExcessLiquidity,LookAheadNextChange,LookAheadInitMarginReq,LookAheadMaintMarginReq,LookAheadAvailableFunds,LookAheadExcessLiquidity,HighestSeverity,DayTradesRemaining,Leverage,$LEDGER:ALL';

const BY_DECODER_NAME = new Map(L.RECORDED.map((l) => [l.decoderName, l]));

// Client-side codes after which the socket is gone or useless (@stoqey/ib's ErrorCode:
// 502 CONNECT_FAIL, 504 NOT_CONNECTED, 506 UNSUPPORTED_VERSION); 503 UPDATE_TWS only
// while connecting (later it refuses one request). TWS's 1300: "socket port reset".
const FATAL_CLIENT_CODES = new Set([502, 504, 506]);

export type RelayStats = {
  connects: number; disconnects: number; backfills: number; backfillTimeouts: number; events: number; heartbeatTimeouts: number; lost: number;
  // Frames the client library could not decode (the relay reads them itself) and frames nobody could.
  decoderErrors: number; malformed: number;
};

// Events held while the spool refuses them: at most this many, and this many bytes.
const MAX_PENDING = 100_000;
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
const eventBytes = (e: LedgerEvent): number => e.payload.length + 200;

export class IbRelay {
  readonly stats: RelayStats = { connects: 0, disconnects: 0, backfills: 0, backfillTimeouts: 0, events: 0, heartbeatTimeouts: 0, lost: 0, decoderErrors: 0, malformed: 0 };
  private readonly o: RelayOptions;
  private ib: IBApi | null = null;
  private serverVersion = 0;
  private stopped = false;
  private connected = false;
  private attempt = 0;
  private lastCause: Cause | null = null;
  // The last connection-level notice of this socket (id -1, not a 21xx "farm OK"): the
  // likely cause when TWS then closes it (326 "client id in use", 1300).
  private lastNotice: { code: number; message: string; at: number } | null = null;
  private accounts: string[] = [];
  private reqId = 1000;
  // Each reqPositions starts a positions snapshot: its rows and its end marker carry the
  // same id, so a reader can tell "absent from the latest complete snapshot" (flat) from
  // "not re-sent", and every snapshot records all of its rows (they are not deduplicated
  // against an earlier snapshot's).
  private readonly runId = randomUUID();
  private positionsSeq = 0;
  private positionsSnapshot = '';
  private wire = new WireQueue();
  private readonly seenExec = new Map<string, string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private lastPong = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backfill: { reqId: number; timer: NodeJS.Timeout; tries: number; done: () => void } | null = null;
  private pending: LedgerEvent[] = [];
  private pendingBytes = 0;
  private pendingPeak = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly recorders: Record<number, (d: Decoded, wire: string[]) => void> = {
    [L.EXECUTION_DATA.id]: (d, w) => this.recordExecution(d, w),
    [L.COMMISSION_REPORT.id]: (d, w) => this.recordCommission(d, w),
    [L.POSITION.id]: (d, w) => this.recordPosition(d, w),
    [L.ACCOUNT_SUMMARY.id]: (d, w) => this.recordAccountSummary(d, w),
    [L.ACCT_VALUE.id]: (d, w) => this.recordAccountValue(d, w),
    [L.PORTFOLIO_VALUE.id]: (d, w) => this.recordPortfolio(d, w),
    [L.PNL.id]: (d, w) => this.recordPnl(d, w),
    [L.ORDER_STATUS.id]: (d, w) => this.recordOrderStatus(d, w),
    [L.OPEN_ORDER.id]: (d, w) => this.recordOrder('ib_open_order', d, w),
    [L.COMPLETED_ORDER.id]: (d, w) => this.recordOrder('ib_completed_order', d, w),
    [L.ERR_MSG.id]: (d, w) => this.recordNotice(d, w),
  };

  constructor(opts: RelayOptions) {
    this.o = opts;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.connected) {
      this.connected = false;
      this.connection('disconnected', { reason: 'relay_stopped', code: null, errno: null, message: 'the relay was stopped' });
    }
    this.detach();
    await this.flush();
  }

  isConnected(): boolean {
    return this.connected;
  }

  // ---- events out ----

  private emit(e: Omit<LedgerEvent, 'source' | 'stream' | 'sessionId' | 'actor'> & { stream?: string }): void {
    const ev: LedgerEvent = { source: 'ib', stream: e.stream ?? (e.account ? `ib:${e.account}` : 'ib'), actor: `ib:client:${this.o.clientId}`, sessionId: null, ...e };
    this.pending.push(ev);
    this.pendingBytes += eventBytes(ev);
    if (this.pendingBytes > this.pendingPeak) this.pendingPeak = this.pendingBytes;
    this.stats.events++;
    if (this.pending.length === 1) queueMicrotask(() => void this.flush());
  }

  // Events wait here when the spool refuses them (full, or closing) and are offered again;
  // past MAX_PENDING (or MAX_PENDING_BYTES) the oldest go and are counted, loudly: memory
  // is the last buffer.
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.o.sink(batch);
        this.pendingBytes -= batch.reduce((n, e) => n + eventBytes(e), 0);
      } catch (err) {
        this.pending = batch.concat(this.pending);
        // Past either bound the oldest go.
        let lost = 0;
        while (lost < this.pending.length && (this.pending.length - lost > MAX_PENDING || this.pendingBytes > MAX_PENDING_BYTES)) {
          this.pendingBytes -= eventBytes(this.pending[lost++]!);
        }
        if (lost > 0) {
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

  // The events held for the spool, as health shows them.
  heldFill(): { bytes: number; limit_bytes: number; peak_bytes: number; refused: number; events: number } {
    return { bytes: this.pendingBytes, limit_bytes: MAX_PENDING_BYTES, peak_bytes: this.pendingPeak, refused: this.stats.lost, events: this.pending.length };
  }

  private where(): Record<string, unknown> {
    return { host: this.o.host, port: this.o.port, client_id: this.o.clientId };
  }

  // Every transition names the peer and, when something caused it, the code and message.
  private connection(state: string, detail: Record<string, unknown> = {}): void {
    const fields = { ...this.where(), ...detail };
    this.emit({
      stream: 'ib', occurredAt: new Date().toISOString(), eventType: 'connection', entityType: 'connection', entityId: `${this.o.host}:${this.o.port}/${this.o.clientId}`,
      account: null, idempotencyKey: null,
      payload: stringifyExact({ peer: 'tws', state, ...fields }),
    });
    const quiet = state === 'connected' || state === 'connecting' || state === 'backfill_complete' || state === 'broker_connection_restored';
    this.o.log?.(quiet ? 'info' : 'warn', describe(state, fields), fields);
  }

  private key(kind: string, ...parts: string[]): string {
    return `ib:${kind}:` + createHash('sha256').update(parts.join('\u0001')).digest('hex').slice(0, 32);
  }

  // ---- connection lifecycle ----

  private connect(): void {
    if (this.stopped) return;
    const ib = new IBApi({ host: this.o.host, port: this.o.port });
    this.ib = ib;
    this.serverVersion = 0;
    this.lastNotice = null;
    // Wire text lines up with decoded events per connection.
    this.wire = new WireQueue();
    let greeted = false;
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
    on(EventName.received, (tokens: string[]) => {
      // The first frame is the server's greeting (version, time), not a message: its
      // version could be any id ("101" is completedOrder's).
      if (!greeted) greeted = true;
      else this.wire.push(tokens);
    });
    on(EventName.server, (version: number) => {
      this.serverVersion = version;
    });
    on(EventName.nextValidId, () => this.onReady(ib));
    on(EventName.managedAccounts, (list: string) => {
      this.accounts = list.split(',').map((a) => a.trim()).filter(Boolean);
      // Accounts announced after the connection was ready still get their subscriptions.
      if (this.connected) this.subscribeAccounts(ib);
    });
    on(EventName.disconnected, () => this.onDown(this.closedCause()));
    on(EventName.error, (err: Error, code: number, reqId: number) => this.onError(err, code, reqId));
    on(EventName.info, (message: string, code: number) => this.onInfo(message, code));
    on(EventName.currentTime, () => {
      this.lastPong = Date.now();
    });
    for (const layout of L.RECORDED) if (layout !== L.ERR_MSG) on(layout.event, () => this.recordNext(layout));
    on(EventName.execDetailsEnd, (reqId: number) => this.onBackfillEnd(reqId));
    // End markers make "no orders" distinguishable from "no answer".
    on(EventName.positionEnd, () => this.snapshotEnd('positions', { snapshot_id: this.positionsSnapshot }));
    on(EventName.openOrderEnd, () => this.snapshotEnd('open_orders'));
    on(EventName.completedOrdersEnd, () => this.snapshotEnd('completed_orders'));
    on(EventName.accountDownloadEnd, (account: string) => this.snapshotEnd(`account_updates:${account}`));
    on(EventName.accountSummaryEnd, () => this.snapshotEnd('account_summary'));
    this.connection('connecting', { attempt: this.attempt, ...(this.attempt > 0 && this.lastCause ? { after: this.lastCause } : {}) });
    const timeoutMs = this.o.connectTimeoutMs ?? this.o.heartbeatMs + this.o.heartbeatTimeoutMs;
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      this.onDown({ reason: 'connect_timeout', code: null, errno: null, message: `no nextValidId within ${timeoutMs} ms of connecting${this.serverVersion ? ` (server version ${this.serverVersion})` : ' (no server greeting)'}` });
    }, timeoutMs);
    this.connectTimer.unref();
    ib.connect(this.o.clientId);
  }

  private pnlAccounts = new Map<number, string>();

  private supports(request: keyof typeof L.REQUEST_MIN_VERSION): boolean {
    return this.serverVersion >= L.REQUEST_MIN_VERSION[request];
  }

  private onReady(ib: IBApi): void {
    if (this.connected) return;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.connected = true;
    this.attempt = 0;
    this.lastCause = null;
    this.stats.connects++;
    this.serverVersion = ib.serverVersion;
    // Asked only where the server version serves them (the library refuses otherwise).
    const unavailable = Object.entries(L.REQUEST_MIN_VERSION).filter(([, min]) => this.serverVersion < min).map(([name]) => name);
    this.connection('connected', { server_version: this.serverVersion, accounts: this.accounts, ...(unavailable.length ? { unavailable } : {}) });
    ib.reqAllOpenOrders();
    if (this.o.clientId === 0) ib.reqAutoOpenOrders(true);
    this.requestPositions(ib);
    ib.reqAccountSummary(this.nextReqId(), 'All', ACCOUNT_SUMMARY_TAGS);
    this.subscribed.clear();
    this.subscribeAccounts(ib);
    if (this.supports('completed_orders')) ib.reqCompletedOrders(false);
    this.startBackfill();
    this.startHeartbeat();
  }

  private readonly subscribed = new Set<string>();
  private subscribeAccounts(ib: IBApi): void {
    for (const a of this.accounts) {
      if (this.subscribed.has(a)) continue;
      this.subscribed.add(a);
      ib.reqAccountUpdates(true, a);
      if (!this.supports('pnl')) continue;
      const id = this.nextReqId();
      this.pnlAccounts.set(id, a);
      ib.reqPnL(id, a, '');
    }
  }

  private requestPositions(ib: IBApi): void {
    this.positionsSnapshot = `${this.runId}:${++this.positionsSeq}`;
    ib.reqPositions();
  }

  private nextReqId(): number {
    return ++this.reqId;
  }

  // The connection's timers; the spool retry (retryTimer) outlives connections.
  private clearTimers(): void {
    for (const t of [this.reconnectTimer, this.connectTimer]) if (t) clearTimeout(t);
    this.reconnectTimer = this.connectTimer = null;
    this.stopHeartbeat();
    if (this.backfill) clearTimeout(this.backfill.timer);
    this.backfill = null;
  }

  // Forget the connection before closing it, so its own goodbye events are not taken for news.
  private detach(): void {
    const ib = this.ib;
    this.ib = null;
    ib?.disconnect();
  }

  // A socket TWS closed: what it said last (on id -1) is the likely reason.
  private closedCause(): Cause {
    const n = this.lastNotice;
    if (!n) return { reason: 'socket_closed', code: null, errno: null, message: 'the connection was closed by the peer' };
    return { reason: 'socket_closed', code: n.code, errno: null, message: n.message, notice_ms_ago: Date.now() - n.at };
  }

  private onDown(cause: Cause): void {
    if (!this.connected && this.reconnectTimer) return;
    const was = this.connected;
    this.connected = false;
    this.clearTimers();
    if (was) this.stats.disconnects++;
    this.connection(was ? 'disconnected' : 'connect_failed', { ...cause, ...(this.serverVersion ? { server_version: this.serverVersion } : {}) });
    this.detach();
    if (this.stopped) return;
    // Capped exponential backoff with jitter, always the same clientId.
    const base = Math.min(this.o.reconnectMaxMs, this.o.reconnectMinMs * 2 ** Math.min(this.attempt, 16));
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    this.attempt++;
    this.lastCause = cause;
    this.connection('reconnecting', { ...cause, in_ms: delay, attempt: this.attempt });
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
      const silentMs = Date.now() - this.lastPong;
      if (silentMs > this.o.heartbeatMs + this.o.heartbeatTimeoutMs) {
        this.stats.heartbeatTimeouts++;
        this.onDown({ reason: 'heartbeat_timeout', code: null, errno: null, message: `no currentTime reply for ${silentMs} ms (half-open socket)` });
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
      this.connection('backfill_timeout', { req_id: reqId, tries: tries + 1, message: `no execDetailsEnd within ${this.o.backfillTimeoutMs} ms` });
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

  // ---- errors and notices ----

  // An ERR_MSG frame reaches us as `error` or `info` (id -1); the client library raises
  // both for its own troubles too (socket, decoding, refused requests), without a frame.
  // The frame at the head of the queue, when its code matches, is this event's.
  private fromFrame(code: number, message: string): boolean {
    const head = this.wire.peek(String(L.ERR_MSG.id));
    if (!head) return false;
    const r = readFrame(L.ERR_MSG, head, this.serverVersion);
    // Unreadable: still this event's if nothing else can claim it (recordNext reports it).
    if (!r.ok) return true;
    return r.msg.f.code === undefined ? r.msg.f.message === message : Number(r.msg.f.code) === code;
  }

  private onError(err: Error, code: number, reqId: number): void {
    const decoding = /^(Underrun error|Decoding error) on (\w+)/.exec(err.message);
    if (decoding) return this.onDecoderError(decoding[2]!, decoding[1] === 'Underrun error', err.message);
    if (this.fromFrame(code, err.message)) {
      this.recordNext(L.ERR_MSG);
      return;
    }
    if (FATAL_CLIENT_CODES.has(code) || (code === 503 && !this.connected)) return this.onDown(socketCause(code, err.message));
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_error', entityType: reqId > 0 ? 'request' : null, entityId: reqId > 0 ? String(reqId) : null,
      account: null, idempotencyKey: null, stream: 'ib',
      payload: stringifyExact({ origin: 'client', code, req_id: reqId, message: err.message, server_version: this.serverVersion || null, wire: null }),
    });
  }

  private onInfo(message: string, code: number): void {
    if (this.fromFrame(code, message)) this.recordNext(L.ERR_MSG);
    // Otherwise the library talking about itself ("cannot disconnect if already
    // disconnected"): nothing the broker said.
  }

  // The library could not decode a frame. After an underrun it emits no event: the relay
  // reads the frame itself (and records it, or records it as malformed). After "data left
  // on queue" its (shifted) event still follows, and the relay reads the wire then.
  private onDecoderError(decoderName: string, underrun: boolean, message: string): void {
    this.stats.decoderErrors++;
    const layout = BY_DECODER_NAME.get(decoderName);
    this.o.log?.('warn', 'ib relay: the client library could not decode a frame; the relay reads its wire text itself', { ...this.where(), message_type: decoderName, server_version: this.serverVersion, error: message });
    if (underrun && layout) this.recordNext(layout);
  }

  private recordNotice(d: Decoded, wire: string[]): void {
    const x = d.f;
    const id = x.id === undefined ? -1 : Number(x.id);
    const code = x.code === undefined ? null : Number(x.code);
    const message = decodeEscapes(x.message ?? '', d.sv);
    const notice = id === -1;
    this.emit({
      occurredAt: new Date().toISOString(), eventType: notice ? 'ib_info' : 'ib_error',
      entityType: notice ? null : id > 0 ? 'request' : null, entityId: notice ? (code === null ? null : String(code)) : id > 0 ? String(id) : null,
      account: null, idempotencyKey: null, stream: 'ib',
      payload: stringifyExact({ code, req_id: id, message, advanced_order_reject: str(x.advanced_order_reject), server_version: d.sv, wire }),
    });
    if (notice && code !== null) this.onNotice(code, message);
  }

  private onNotice(code: number, message: string): void {
    if (code < 2100 || code >= 2200) this.lastNotice = { code, message, at: Date.now() };
    if (code === 1100) this.connection('broker_connection_lost', { code, message });
    // Restored, with or without data lost: fills during the gap are not resent.
    if (code === 1101 || code === 1102) {
      this.connection('broker_connection_restored', { code, message, data_lost: code === 1101 });
      this.startBackfill();
      if (code === 1101 && this.ib) this.requestPositions(this.ib);
    }
    if (code === 1300) this.onDown({ reason: 'socket_port_reset', code, errno: null, message });
  }

  // ---- broker facts ----

  private malformed(event: string, reason: string, wire?: string[]): void {
    this.stats.malformed++;
    this.o.log?.('error', 'ib relay: a message could not be understood; recorded as ib_malformed', { ...this.where(), event, reason, server_version: this.serverVersion });
    this.emit({
      stream: 'ib', occurredAt: new Date().toISOString(), eventType: 'ib_malformed', entityType: null, entityId: event,
      account: null, idempotencyKey: null, payload: stringifyExact({ event, reason, server_version: this.serverVersion || null, wire: wire ?? null }),
    });
  }

  // The next frame of `layout`'s kind, read by the layout of this connection's version.
  private recordNext(layout: Layout): void {
    const wire = this.wire.take(String(layout.id));
    if (!wire) {
      this.malformed(layout.event, `decoded by the client library, but its wire text was not kept (${this.wire.dropped} dropped)`);
      return;
    }
    const r = readFrame(layout, wire, this.serverVersion);
    if (!r.ok) return this.malformed(layout.event, r.reason, wire);
    this.recorders[layout.id]!(r.msg, wire);
  }

  private recordExecution(d: Decoded, wire: string[]): void {
    const x = d.f;
    const id = x.exec_id!;
    if (!id) return this.malformed('execDetails', 'no execId', wire);
    const base = id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : id;
    const earlier = this.seenExec.get(base);
    if (!earlier || earlier < id) this.seenExec.set(base, id);
    let occurredAt: string;
    let timeError: string | null = null;
    try {
      occurredAt = parseExecTime(x.time!, this.o.twsTimezone);
    } catch (err) {
      // Recorded all the same, at arrival time, with the reason: a fill is never dropped.
      occurredAt = new Date().toISOString();
      timeError = (err as Error).message;
    }
    // Below message version 7 there is no reqId: such a fill was pushed live.
    const reqId = x.req_id === undefined ? -1 : Number(x.req_id);
    this.emit({
      occurredAt, eventType: 'ib_execution', entityType: 'execution', entityId: id,
      account: str(x.account), idempotencyKey: `ib:exec:${id}`,
      payload: stringifyExact({
        exec_id: id, exec_base: base, corrects: earlier && earlier !== id ? earlier : null, req_id: reqId, live: reqId === -1,
        order_id: Number(x.order_id), perm_id: exact(x.perm_id), client_id: x.client_id === undefined ? null : Number(x.client_id), order_ref: str(x.order_ref),
        contract: contractOf(x),
        time: x.time, exchange: x.exec_exchange, side: x.side, shares: exact(x.shares), price: exact(x.price), liquidation: exact(x.liquidation), cum_qty: exact(x.cum_qty),
        avg_price: exact(x.avg_price), ev_rule: str(x.ev_rule), ev_multiplier: exact(x.ev_multiplier), model_code: str(x.model_code),
        last_liquidity: exact(x.last_liquidity), pending_price_revision: flag(x.pending_price_revision),
        ...(timeError ? { time_error: timeError } : {}),
        server_version: d.sv, wire,
      }),
    });
  }

  private recordCommission(d: Decoded, wire: string[]): void {
    const x = d.f;
    // Kept whether or not its execution was seen (before, long after, or never); joined by exec_id.
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_commission', entityType: 'execution', entityId: x.exec_id!,
      account: null, idempotencyKey: `ib:commission:${x.exec_id}`, stream: 'ib',
      payload: stringifyExact({ exec_id: x.exec_id, commission: exact(x.commission), currency: x.currency, realized_pnl: exact(x.realized_pnl), yield: exact(x.yield), yield_redemption_date: exact(x.yield_redemption_date), server_version: d.sv, wire }),
    });
  }

  private recordPosition(d: Decoded, wire: string[]): void {
    const x = d.f;
    const day = new Date().toISOString().slice(0, 10);
    const content = [x.account!, x.con_id!, x.position!, x.avg_cost ?? ''].join('|');
    const snapshot = this.positionsSnapshot;
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_position', entityType: 'position', entityId: `${x.account}:${x.con_id}`,
      account: str(x.account), idempotencyKey: this.key('position', day, snapshot, content),
      payload: stringifyExact({ contract: contractOf(x), position: exact(x.position), avg_cost: exact(x.avg_cost), snapshot_id: snapshot || null, server_version: d.sv, wire }),
    });
  }

  private snapshotEnd(kind: string, extra: Record<string, unknown> = {}): void {
    this.emit({
      stream: 'ib', occurredAt: new Date().toISOString(), eventType: 'ib_snapshot_end', entityType: 'snapshot', entityId: kind,
      account: null, idempotencyKey: null, payload: stringifyExact({ snapshot: kind, complete: true, ...extra }),
    });
  }

  private recordAccountSummary(d: Decoded, wire: string[]): void {
    const { account, tag, value, currency } = d.f;
    const day = new Date().toISOString().slice(0, 10);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_account_summary', entityType: 'account', entityId: account!,
      account: account!, idempotencyKey: this.key('summary', day, account!, tag!, value!, currency!),
      payload: stringifyExact({ tag, value, currency: str(currency), req_id: Number(d.f.req_id), server_version: d.sv, wire }),
    });
  }

  private recordAccountValue(d: Decoded, wire: string[]): void {
    const { key, value, currency, account } = d.f;
    const day = new Date().toISOString().slice(0, 10);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_account_value', entityType: 'account', entityId: account!,
      account: account!, idempotencyKey: this.key('acctvalue', day, account!, key!, value!, currency!),
      payload: stringifyExact({ key, value, currency: str(currency), server_version: d.sv, wire }),
    });
  }

  private recordPortfolio(d: Decoded, wire: string[]): void {
    const x = d.f;
    const day = new Date().toISOString().slice(0, 10);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_portfolio', entityType: 'position', entityId: `${x.account ?? ''}:${x.con_id ?? x.symbol}`,
      account: str(x.account), idempotencyKey: this.key('portfolio', day, ...wire),
      payload: stringifyExact({
        contract: contractOf(x), position: exact(x.position), market_price: exact(x.market_price), market_value: exact(x.market_value),
        average_cost: exact(x.average_cost), unrealized_pnl: exact(x.unrealized_pnl), realized_pnl: exact(x.realized_pnl), server_version: d.sv, wire,
      }),
    });
  }

  private recordPnl(d: Decoded, wire: string[]): void {
    const x = d.f;
    const account = this.pnlAccounts.get(Number(x.req_id)) ?? null;
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_pnl', entityType: 'account', entityId: account,
      account, idempotencyKey: this.key('pnl', new Date().toISOString().slice(0, 16), ...wire),
      payload: stringifyExact({ daily: exact(x.daily_pnl), unrealized: exact(x.unrealized_pnl), realized: exact(x.realized_pnl), server_version: d.sv, wire }),
    });
  }

  private recordOrderStatus(d: Decoded, wire: string[]): void {
    const x = d.f;
    const permId = exact(x.perm_id);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: 'ib_order_status', entityType: 'order', entityId: permId ?? x.order_id!,
      account: null, idempotencyKey: this.key('status', ...wire), stream: 'ib',
      payload: stringifyExact({
        order_id: Number(x.order_id), status: x.status, filled: exact(x.filled), remaining: exact(x.remaining), avg_fill_price: exact(x.avg_fill_price), perm_id: permId,
        parent_id: exact(x.parent_id), last_fill_price: exact(x.last_fill_price), client_id: exact(x.client_id), why_held: str(x.why_held), mkt_cap_price: exact(x.mkt_cap_price),
        server_version: d.sv, wire,
      }),
    });
  }

  // openOrder and completedOrder: the fields an auditor asks for first, then every field
  // of the layout by name (exact text) and its repeated groups.
  private recordOrder(type: string, d: Decoded, wire: string[]): void {
    const x = d.f;
    const permId = exact(x.perm_id);
    const orderId = x.order_id === undefined ? null : Number(x.order_id);
    this.emit({
      occurredAt: new Date().toISOString(), eventType: type, entityType: 'order', entityId: permId ?? (orderId === null ? null : String(orderId)),
      account: str(x.account), idempotencyKey: this.key(type, ...wire),
      payload: stringifyExact({
        order_id: orderId, perm_id: permId, client_id: exact(x.client_id), parent_id: exact(x.parent_id), order_ref: str(x.order_ref), status: str(x.status),
        action: x.action, total_quantity: exact(x.total_quantity), order_type: x.order_type, lmt_price: exact(x.lmt_price), aux_price: exact(x.aux_price), tif: x.tif,
        good_till_date: str(x.good_till_date), model_code: str(x.model_code), filled_quantity: exact(x.filled_quantity),
        completed_time: str(x.completed_time), completed_status: str(x.completed_status),
        contract: contractOf(x), fields: x, groups: d.groups, server_version: d.sv, wire,
      }),
    });
  }
}

const CONTRACT_KEYS = ['con_id', 'symbol', 'sec_type', 'last_trade_date', 'strike', 'right', 'multiplier', 'exchange', 'primary_exchange', 'currency', 'local_symbol', 'trading_class'] as const;
const CONTRACT_NUMBERS = new Set(['con_id', 'strike', 'multiplier']);
const CONTRACT_AS_SENT = new Set(['symbol', 'sec_type', 'exchange', 'currency']);

// The contract fields a message carries at its version (the others absent, not null).
function contractOf(x: Fields): Record<string, string | null> {
  const c: Record<string, string | null> = {};
  for (const k of CONTRACT_KEYS) {
    if (x[k] !== undefined) c[k] = CONTRACT_NUMBERS.has(k) ? exact(x[k]) : CONTRACT_AS_SENT.has(k) ? x[k]! : str(x[k]);
  }
  return c;
}

// From server version 153 (ENCODE_MSG_ASCII7) TWS escapes non-ASCII text as \uXXXX.
function decodeEscapes(text: string, sv: number): string {
  return sv >= 153 ? text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}
