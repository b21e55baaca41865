// Deadlines for database calls. A call the server never answers (a hung COPY, a lock, a
// black-holed network) must not hold a loop of the agent forever: past its deadline the
// caller gets a DeadlineError and decides what to abandon (cancel the query, or end the
// connection it ran on).
import { BlotterError } from "../errors.js";
export class DeadlineError extends BlotterError {
    ms;
    constructor(what, ms) {
        super('DEADLINE', `${what} did not finish within ${ms} ms`);
        this.ms = ms;
    }
}
// `work` settled, or a DeadlineError after `ms` (and `onExpire` called once, to abandon it).
// The late settlement of `work` is observed, so it can never become an unhandled rejection.
export function withDeadline(work, ms, what, onExpire) {
    let timer;
    const expired = new Promise((_, reject) => {
        timer = setTimeout(() => {
            work.catch(() => { });
            try {
                onExpire?.();
            }
            finally {
                reject(new DeadlineError(what, ms));
            }
        }, ms);
    });
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
