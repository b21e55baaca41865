// recon_hourly: during the regular session, at each full New York hour strictly inside it
// (10:00-15:00, or 10:00-12:00 on an early close), every account is reconciled as of that hour.
// When is decided by schedule.ts; the crontab only wakes this task (crontab.ts).
import type { Task } from 'graphile-worker';
import { scheduledTask, type ReconDeps } from './recon.ts';

export const TASK = 'recon_hourly';

export function run(deps: ReconDeps): Task {
  return scheduledTask('hourly', deps);
}
