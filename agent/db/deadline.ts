// Deadlines for database calls. A call the server never answers (a hung COPY, a lock, a
// black-holed network) must not hold a loop of the agent forever: past its deadline the
// caller gets a DeadlineError and decides what to abandon (cancel the query, or end the
// connection it ran on).
import { BlotterError } from '../errors.ts';

export class DeadlineError extends BlotterError {
  readonly ms: number;
  constructor(what: string, ms: number) {
    super('DEADLINE', `${what} did not finish within ${ms} ms`);
    this.ms = ms;
  }
}

// `work` settled, or a DeadlineError after `ms` (and `onExpire` called once, to abandon it).
// The late settlement of `work` is observed, so it can never become an unhandled rejection.
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, onExpire?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      work.catch(() => {});
      try {
        onExpire?.();
      } finally {
        reject(new DeadlineError(what, ms));
      }
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
