#!/usr/bin/env node
// The container's health check (the Dockerfile's HEALTHCHECK): exit 0 when the agent
// answers GET /v1/health with 200, 1 otherwise, within a deadline. That is liveness: the
// process answers, whether the database is up or not (a sidecar restarted for a database
// that is away would only lose time; the spool holds events meanwhile). With --ready it
// asks /v1/health?ready: 200 only while events sent now would be taken. --timeout-ms=N
// sets the deadline (default 3000; keep it under the HEALTHCHECK's --timeout).
//
// It reads the agent's own configuration (config file, BLOTTER_* environment), so it calls
// the address and port the agent listens on with the token the bot uses: ingest.token, else
// the token file the agent made under BLOTTER_HOME. Needs Node 24 (it runs the TypeScript
// config loader), as the image has; it prints one line saying why when it fails.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../agent/config.ts';

const ready = process.argv.includes('--ready');
const timeoutMs = Number(process.argv.find((a) => a.startsWith('--timeout-ms='))?.slice(13) || 3000);

async function main() {
  const config = loadConfig();
  let token = config.ingest.token;
  if (!token) token = fs.readFileSync(path.join(path.resolve(process.env.BLOTTER_HOME || '.blotter'), 'ingest-token'), 'utf8').trim();
  // An agent listening on every address is reached on loopback.
  const host = ['0.0.0.0', '::', ''].includes(config.ingest.host) ? '127.0.0.1' : config.ingest.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.ingest.port}/v1/health${ready ? '?ready' : ''}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.json().catch(() => ({}));
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.status ?? ''} ${(body.reasons ?? [body.error]).join('; ')}`);
  console.log(`${body.status}${body.reasons?.length ? `: ${body.reasons.join('; ')}` : ''}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(`unhealthy: ${err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.message}`);
  process.exit(1);
});
