// `blotter demo` plays a scripted trading day through the simulator with one command and
// reports what landed and that the chain verifies.
import t from 'tap';
import { runCli } from './helpers/db.ts';

t.test('blotter demo', async (t) => {
  const r = await runCli(['demo'], { env: { DATABASE_URL: '' }, timeoutMs: 120_000 });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /ib\s+ib_execution\s+5/);
  t.match(r.stdout, /bot\s+order_submitted\s+1/);
  t.match(r.stdout, /0000e0d5\.6571b0c5\.01\.02\s+10 @ 415\.09\s+corrects 0000e0d5\.6571b0c5\.01\.01/);
  t.match(r.stdout, /chain: intact/);
});
