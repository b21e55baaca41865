// A TCP proxy between the agent and PostgreSQL, for the chaos run's "slow database": every
// chunk in either direction waits `latencyMs` before it is passed on (order kept), and
// cut() ends every connection at once, as a network blip or a failover would. The upstream
// port can change while it runs (PostgreSQL restarted on another port): new connections
// go to the new one. Latency on the wire, rather than a lock held in the database, slows
// every round trip the agent makes (connect, authenticate, COPY, commit) and lets a
// commit reach the server while its answer is still on its way back: the writer's
// deadline then gives up on a batch that did land, and its retry must be dropped as a
// duplicate. A lock would only slow the statements that take it.
import net from 'node:net';

// Bytes a direction may hold while it waits out the latency; past it the sending side is
// paused (backpressure), so a flood cannot grow the proxy's memory.
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export class PgProxy {
  latencyMs = 0;
  upstreamPort: number;
  readonly stats = { connections: 0, cuts: 0 };
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(upstreamPort: number) {
    this.upstreamPort = upstreamPort;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server = net.createServer((client) => this.accept(client));
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server!.address() as net.AddressInfo).port));
    });
  }

  private accept(client: net.Socket): void {
    this.stats.connections++;
    const upstream = net.connect(this.upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => {});
      // Either side gone: the other goes too, as a broken network path would leave it.
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  // Chunks leave in arrival order, each no earlier than its arrival plus the latency then
  // in force: one FIFO per direction, drained by one timer (separate timers per chunk
  // could fire out of order and reorder the byte stream).
  private pipe(from: net.Socket, to: net.Socket): void {
    const queue: { due: number; chunk: Buffer }[] = [];
    let queued = 0;
    let timer: NodeJS.Timeout | null = null;
    const drain = () => {
      timer = null;
      const now = Date.now();
      while (queue.length && queue[0]!.due <= now) {
        const { chunk } = queue.shift()!;
        queued -= chunk.length;
        if (!to.destroyed) to.write(chunk);
      }
      if (queued < MAX_QUEUED_BYTES && from.isPaused()) from.resume();
      if (queue.length) timer = setTimeout(drain, queue[0]!.due - now);
    };
    from.on('data', (chunk: Buffer) => {
      queue.push({ due: Date.now() + this.latencyMs, chunk });
      queued += chunk.length;
      if (queued >= MAX_QUEUED_BYTES) from.pause();
      // A chunk whose latency is shorter than its predecessor's still waits for it.
      if (!timer) {
        if (this.latencyMs === 0 && queue.length === 1) drain();
        else timer = setTimeout(drain, Math.max(0, queue[0]!.due - Date.now()));
      }
    });
    from.on('close', () => {
      if (timer) clearTimeout(timer);
    });
  }

  // End every proxied connection now (both sides), without a goodbye.
  cut(): void {
    this.stats.cuts++;
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
