// A fix for postgres.js 3.4.9 (the latest release), applied to its source as it loads:
// a query issued on a connection whose socket has closed (postgres.js itself does that:
// sql.begin's ROLLBACK after the connection dropped mid-transaction) schedules a write on a
// null socket, and the TypeError thrown from that setImmediate ends the whole process
// (porsager/postgres#1208, #1154, #1066; fix proposed in #1209, not released). The chaos
// run found it: PostgreSQL restarted or a connection cut while the writer's COPY
// transaction was open killed the agent. Here the write fails the queries written to the
// dead socket with CONNECTION_CLOSED instead (the caller retries, as for any lost connection), and
// teardown also forgets the pending write and its timer, so a reconnected connection is
// not left believing a flush is scheduled (which hung it until connect_timeout).
//
// Loaded before anything imports postgres: bin/blotter.js imports it first, and tests and
// scripts that run agent/cli.ts directly pass `--import` with this file (see NODE_ARGS).
// When postgres.js changes these lines (a release with the fix), the patch no longer
// applies and says so once on stderr; check the new release and remove this file.
import module from 'node:module';

const TARGET = /\/node_modules\/postgres\/src\/connection\.js$/;

const GUARD = 'function nextWrite(fn) {\n    const x = socket.write(chunk, fn)';
// The queries written to the dead socket (`sent`, and `query` if it is still there) fail;
// `initial`, a new connection's first query already waiting for its socket, is left alone.
const GUARDED = `function nextWrite(fn) {
    if (!socket) {
      chunk = nextWriteTimer = null
      const err = Errors.connection('CONNECTION_CLOSED', options)
      query && queryError(query, err)
      while (sent.length) queryError(sent.shift(), err)
      return false
    }
    const x = socket.write(chunk, fn)`;
const TEARDOWN = /\n {4}clearImmediate\(nextWriteTimer\)\n/g;
const TORN_DOWN = '\n    clearImmediate(nextWriteTimer)\n    nextWriteTimer = chunk = null\n';

// The patched source, or null when the text is not the one this fix was written for.
export function patchConnectionSource(source: string): string | null {
  if (!source.includes(GUARD) || (source.match(TEARDOWN) ?? []).length !== 2) return null;
  return source.replace(GUARD, GUARDED).replace(TEARDOWN, TORN_DOWN);
}

export let applied = false;

module.registerHooks({
  load(url, context, nextLoad) {
    const result = nextLoad(url, context);
    if (!TARGET.test(url) || result.source === undefined || result.source === null) return result;
    const patched = patchConnectionSource(String(result.source));
    if (patched === null) {
      process.stderr.write(`blotter: the postgres.js hotfix (agent/db/pg-hotfix.ts) does not apply to ${url}: check whether this release fixes porsager/postgres#1208\n`);
      return result;
    }
    applied = true;
    return { ...result, source: patched };
  },
});
