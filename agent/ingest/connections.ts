// Connection hygiene of the ingest API: a client that stalls, hoards connections or
// guesses at the token must not tie up the agent next to the bot, nor learn anything from
// how it is refused. Every bound is a key under `ingest:` in the config.
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import net from 'node:net';
import type pino from 'pino';
import type { Config } from '../config.ts';
import { Counter, type Registry } from '../metrics.ts';

type Limits = Pick<Config['ingest'], 'headers_timeout_ms' | 'request_timeout_ms' | 'keep_alive_timeout_ms' | 'max_requests_per_socket' | 'max_connections'>;

// Options for http.createServer. Node enforces headersTimeout and requestTimeout from a
// timer that runs every connectionsCheckingInterval (30 s unless told), which would let a
// 10 s limit run to 40 s: checking at a quarter of the shorter limit keeps the overrun
// within a quarter, and a check walks at most max_connections sockets.
export function serverOptions(c: Limits): http.ServerOptions {
  return {
    headersTimeout: c.headers_timeout_ms,
    requestTimeout: c.request_timeout_ms,
    keepAliveTimeout: c.keep_alive_timeout_ms,
    connectionsCheckingInterval: Math.min(1000, Math.max(25, Math.floor(Math.min(c.headers_timeout_ms, c.request_timeout_ms) / 4))),
  };
}

// The cap on connections and on requests per keep-alive connection. A connection past the
// cap is closed by Node as soon as it is accepted ('drop'); the refusals are counted, and
// logged at most once a minute so that a flood of them cannot flood the log as well.
export function limitConnections(server: http.Server, c: Limits, log: pino.Logger, metrics: Registry): void {
  server.maxConnections = c.max_connections;
  server.maxRequestsPerSocket = c.max_requests_per_socket;
  const refused = new Counter({ name: 'blotter_ingest_connections_refused_total', help: 'Connections closed at once because ingest.max_connections were open', registers: [metrics] });
  let total = 0;
  let loggedAt = 0;
  server.on('drop', () => {
    total++;
    refused.inc();
    if (Date.now() - loggedAt < 60_000) return;
    loggedAt = Date.now();
    log.warn({ max_connections: c.max_connections, refused_total: total }, 'ingest: connection refused: ingest.max_connections are open');
  });
}

// Compares digests, not the strings: both are 32 bytes whatever was sent, so neither the
// time taken nor an early length check tells a caller how much of the token it has, or how
// long the token is.
export function bearerMatcher(token: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const h = authorization ?? '';
    // The scheme is case-insensitive (RFC 9110 11.1): `bearer`, `BEARER` are Bearer too.
    const m = /^bearer +/i.exec(h);
    const given = createHash('sha256').update(m ? h.slice(m[0].length) : '').digest();
    // An empty token is never configured (the agent makes one), but must never match.
    return timingSafeEqual(given, expected) && token.length > 0;
  };
}

// Whether the API is reachable only from this machine: 127.0.0.0/8, ::1 (in any of its
// spellings, also as ::ffff:127.x) or the name localhost. 0.0.0.0 and :: are every interface.
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  const family = net.isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}
