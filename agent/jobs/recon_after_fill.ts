// recon_after_fill: a few seconds after the last of a burst of fills in one account, that
// account is reconciled as of now. Enqueued by the ledger itself (the trigger in
// db/functions/151_recon_after_fill.sql), one pending job per account (job key
// 'recon_after_fill:<account>', mode replace).
import type { Task } from 'graphile-worker';
import { afterFillTask, type ReconDeps } from './recon.ts';

export const TASK = 'recon_after_fill';

export function run(deps: ReconDeps): Task {
  return afterFillTask(deps);
}
