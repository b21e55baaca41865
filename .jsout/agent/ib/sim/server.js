// A TWS simulator: a TCP server that speaks the real TWS socket protocol to the real
// @stoqey/ib client, for tests and `blotter demo`. It negotiates the version (the highest
// both sides speak, capped by `maxVersion` to play an older TWS or Gateway) and writes
// every message in that version's layout, takes START_API, greets with nextValidId and
// managedAccounts, answers the requests the relay makes from its scripted state, and lets
// a scenario push any frame (live fills, commission reports, 1100/1102, a malformed
// frame) or drop the socket.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { connectionTime, frame, FrameReader, MAX_SERVER_VERSION, MIN_CLIENT_VERSION, MIN_SERVER_VERSION } from "./wire.js";
import { msg, OUT } from "./messages.js";
export class TwsSimulator extends EventEmitter {
    state;
    server = null;
    clients = new Set();
    // Every request a client sent, as fields, for tests to inspect.
    requests = [];
    maxVersion;
    constructor(state = {}, opts = {}) {
        super();
        this.state = { accounts: ['DU1234567'], nextOrderId: 1, executions: [], positions: [], summary: [], accountValues: [], portfolio: [], pnl: [], openOrders: [], completedOrders: [], ...state };
        this.maxVersion = opts.maxVersion ?? MAX_SERVER_VERSION;
    }
    listen(port = 0, host = '127.0.0.1') {
        return new Promise((resolve, reject) => {
            this.server = net.createServer((socket) => this.accept(socket));
            this.server.once('error', reject);
            this.server.listen(port, host, () => resolve(this.server.address().port));
        });
    }
    accept(socket) {
        const reader = new FrameReader();
        let handshaken = false;
        const client = {
            socket, clientId: null, version: 0,
            send: (m) => {
                if (!socket.destroyed)
                    socket.write(frame(typeof m === 'function' ? m(client.version) : m));
            },
        };
        this.clients.add(client);
        socket.on('close', () => {
            this.clients.delete(client);
            this.emit('disconnect', client);
        });
        socket.on('error', () => { });
        socket.on('data', (chunk) => {
            try {
                if (!handshaken) {
                    const v = reader.takeHandshake(chunk);
                    if (!v)
                        return;
                    handshaken = true;
                    client.version = Math.min(v.max, this.maxVersion);
                    if (v.max < MIN_CLIENT_VERSION || client.version < MIN_SERVER_VERSION || client.version < v.min) {
                        this.emit('protocolError', new Error(`client offers v${v.min}..${v.max}; the simulator speaks ${MIN_SERVER_VERSION}..${this.maxVersion}`));
                        socket.destroy();
                        return;
                    }
                    // The first frame: server version and connection time.
                    socket.write(frame([client.version, connectionTime()]));
                    chunk = Buffer.alloc(0);
                }
                for (const fields of reader.push(chunk))
                    this.handle(client, fields);
            }
            catch (err) {
                this.emit('protocolError', err);
                socket.destroy();
            }
        });
    }
    handle(c, f) {
        this.requests.push(f);
        this.emit('request', f, c);
        const id = Number(f[0]);
        const s = this.state;
        if (s.mute && id !== OUT.START_API)
            return;
        switch (id) {
            case OUT.START_API:
                c.clientId = Number(f[2]);
                if (s.clientIdsInUse?.includes(c.clientId)) {
                    c.send(msg.error(-1, 326, 'Unable to connect as the client id is already in use. Retry with a unique client id.'));
                    c.socket.end();
                    break;
                }
                c.send(msg.managedAccounts(s.accounts));
                c.send(msg.nextValidId(s.nextOrderId));
                this.emit('started', c);
                break;
            case OUT.REQ_IDS:
                c.send(msg.nextValidId(s.nextOrderId));
                break;
            case OUT.REQ_MANAGED_ACCTS:
                c.send(msg.managedAccounts(s.accounts));
                break;
            case OUT.REQ_CURRENT_TIME:
                c.send(msg.currentTime(Math.floor(Date.now() / 1000)));
                break;
            case OUT.REQ_EXECUTIONS: {
                // [7, version, reqId, clientId, acctCode, time, symbol, secType, exchange, side]
                const reqId = Number(f[2]);
                for (const e of s.executions) {
                    c.send(msg.execDetails(reqId, e.contract, e.execution));
                    if (e.commission)
                        c.send(msg.commissionReport({ execId: e.execution.execId, ...e.commission }));
                }
                if (!s.withholdExecDetailsEnd)
                    c.send(msg.execDetailsEnd(reqId));
                break;
            }
            case OUT.REQ_POSITIONS:
                for (const p of s.positions)
                    c.send(msg.position(p.account, p.contract, p.pos, p.avgCost));
                c.send(msg.positionEnd());
                break;
            case OUT.REQ_ACCOUNT_SUMMARY: {
                const reqId = Number(f[2]);
                for (const a of s.summary)
                    c.send(msg.accountSummary(reqId, a.account, a.tag, a.value, a.currency));
                c.send(msg.accountSummaryEnd(reqId));
                break;
            }
            case OUT.REQ_ACCOUNT_DATA: {
                // [6, version, subscribe, acctCode]
                const account = f[3] ?? '';
                if (f[2] !== '1')
                    break;
                for (const v of s.accountValues.filter((x) => x.account === account))
                    c.send(msg.accountValue(v.key, v.value, v.currency, v.account));
                for (const p of s.portfolio.filter((x) => x.account === account))
                    c.send(msg.portfolioValue(p.contract, p.position, p.marketPrice, p.marketValue, p.averageCost, p.unrealizedPNL, p.realizedPNL, p.account));
                c.send(msg.accountDownloadEnd(account));
                break;
            }
            case OUT.REQ_PNL: {
                // [92, reqId, account, modelCode]
                const p = s.pnl.find((x) => x.account === f[2]);
                if (p)
                    c.send(msg.pnl(Number(f[1]), p.daily, p.unrealized, p.realized));
                break;
            }
            case OUT.REQ_ALL_OPEN_ORDERS:
            case OUT.REQ_OPEN_ORDERS:
                for (const o of s.openOrders)
                    c.send(msg.openOrder(o.contract, o.order));
                // The end marker says "that is all", also when there are none.
                c.send(msg.openOrderEnd());
                break;
            case OUT.REQ_COMPLETED_ORDERS:
                for (const o of s.completedOrders)
                    c.send(msg.completedOrder(o.contract, o.order));
                c.send(msg.completedOrdersEnd());
                break;
            default:
                // Requests the simulator does not model are recorded and left unanswered, as a
                // TWS without that data would.
                break;
        }
    }
    // Send a message to every connected client (live fills, commission reports, info),
    // each in its own version's layout.
    broadcast(m) {
        for (const c of this.clients)
            c.send(m);
    }
    // Raw bytes, for malformed-frame scenarios.
    broadcastRaw(bytes) {
        for (const c of this.clients)
            if (!c.socket.destroyed)
                c.socket.write(bytes);
    }
    // Drop every connection without a goodbye, as a network failure would.
    dropAll() {
        for (const c of this.clients)
            c.socket.destroy();
    }
    close() {
        this.dropAll();
        return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
}
