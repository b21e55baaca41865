// The ack-latency floor of this machine, for the ingest benchmark: a bare Node HTTP server
// that reads a body, parses it, appends it to a file, fdatasyncs and answers 202 (the least
// any durable acknowledgement costs here), driven by the same client as the agent.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-floor-')), 'floor.bin');
const fd = fs.openSync(file, 'a');
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const items = JSON.parse(body.toString('utf8')) as unknown[];
    fs.write(fd, body, (err) => {
      if (err) throw err;
      fs.fdatasync(fd, (err2) => {
        if (err2) throw err2;
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: items.length }));
      });
    });
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}\n`));
process.on('SIGTERM', () => {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  process.exit(0);
});
