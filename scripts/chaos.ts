// npm run chaos -- [--rounds 25] [--seed S] [--kinds kill,pg-restart,tws-drop,disk-full,slow-db]
// A sending bot and the IB relay against the TWS simulator, through one agent, while
// faults are injected in rounds (scripts/chaos-lib.ts); then every acknowledged event must
// be in the ledger exactly once and the chain must verify. Everything runs on its own: a
// throwaway PostgreSQL, a proxy in front of it, the simulator, `blotter start` as a child
// process, and (as root) a small tmpfs for the spool. Prints one summary line; exit 1 on
// any violation. The seed is printed: `--seed S` replays the same fault order and timings
// (not the same interleaving: processes and the network keep their own time).
import { parseArgs } from 'node:util';
import { FAULT_KINDS, type FaultKind, runChaos } from './chaos-lib.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' }, seed: { type: 'string' }, kinds: { type: 'string' }, 'bot-rate': { type: 'string' }, 'fill-rate': { type: 'string' },
      keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: npm run chaos -- [--rounds 25] [--seed S] [--kinds ${FAULT_KINDS.join(',')}] [--bot-rate 200] [--fill-rate 3] [--keep]\n` +
      'Each round injects every kind once; --rounds 25 is 125 faults. disk-full mounts a tmpfs: it needs root, and is skipped (said so) without.\n');
    return 0;
  }
  const rounds = Number(values.rounds ?? 25);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10_000) throw new Error(`--rounds ${values.rounds}: expected an integer from 1 to 10000`);
  const kinds = (values.kinds ?? FAULT_KINDS.join(',')).split(',').map((k) => k.trim()) as FaultKind[];
  const unknown = kinds.filter((k) => !FAULT_KINDS.includes(k));
  if (unknown.length) throw new Error(`--kinds: unknown ${unknown.join(', ')} (expected some of ${FAULT_KINDS.join(', ')})`);
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const rate = (name: string, v: string | undefined, dflt: number) => {
    const n = Number(v ?? dflt);
    if (!(n > 0 && n <= 100_000)) throw new Error(`--${name} ${v}: expected a number above 0`);
    return n;
  };
  process.stdout.write(`chaos: seed ${seed} (replay with --seed ${seed})\n`);
  // Ctrl-C stops the faults and still settles, checks and cleans up (the tmpfs mount, the
  // database, the agent); a second Ctrl-C leaves at once.
  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('chaos: interrupted: finishing the fault in progress, then settling, checking and cleaning up (Ctrl-C again to leave now)\n');
    interrupt.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const report = await runChaos({
    rounds, seed, kinds, binDir: process.env.BLOTTER_PG_BIN || undefined, keep: values.keep, signal: interrupt.signal,
    botRate: rate('bot-rate', values['bot-rate'], 200), fillRate: rate('fill-rate', values['fill-rate'], 3),
    progress: (line) => process.stderr.write(line + '\n'),
  });
  for (const v of report.violations) process.stderr.write(`violation: ${v}\n`);
  process.stderr.write(`bot: sent ${report.bot.sent}, retries ${report.bot.retries}, refused with 503 ${report.bot.refused503}, gave up ${report.bot.gaveUp}; ` +
    `ib: ${report.ib.acknowledged / 2} fills, ${report.ib.unheard} of them made while no relay was connected (only a backfill could bring them)\n`);
  process.stdout.write(report.summary + '\n');
  return report.violations.length || report.total.lost || report.total.doubled || !report.chainOk ? 1 : 0;
}

if (import.meta.main) process.exitCode = await main();
