// recon_close: 15 minutes after each close (16:15 New York, 13:15 on an early close), every
// account is reconciled as of that minute. Not on holidays, weekends or special closures.
// When is decided by schedule.ts; the crontab only wakes this task (crontab.ts).
import type { Task } from 'graphile-worker';
import { scheduledTask, type ReconDeps } from './recon.ts';

export const TASK = 'recon_close';

export function run(deps: ReconDeps): Task {
  return scheduledTask('close', deps);
}
