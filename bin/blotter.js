#!/usr/bin/env node
// Entry point of the `blotter` command. Plain JavaScript so that an old Node gets this file
// instead of a syntax error: the code itself is TypeScript run by Node 24. Under an older
// Node (npx or a shebang run by the system's Node 20, say) it runs itself again with the
// project's own Node 24 (the `node` devDependency), passing signals on and exiting as that
// child exits.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WANT_MAJOR = 24;
// The oldest Node that runs the TypeScript itself (type stripping on by default).
const MIN = [22, 18];
const [major, minor] = process.versions.node.split('.').map(Number);
const ownNode = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'node', 'bin', 'node');

if (major < WANT_MAJOR && fs.existsSync(ownNode) && fs.realpathSync(ownNode) !== fs.realpathSync(process.execPath)) {
  const child = spawn(ownNode, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Listening keeps this process alive until the child has gone; the child decides what a
  // signal means (the agent drains on SIGTERM and SIGINT).
  const forward = (sig) => () => {
    try {
      child.kill(sig);
    } catch {
      // Already gone.
    }
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']) process.on(sig, forward(sig));
  child.on('error', (err) => {
    process.stderr.write(`blotter: could not run ${ownNode}: ${err.message}\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    // Die of the same signal, as the child did; the timer only keeps us alive until then.
    process.removeAllListeners(signal);
    setTimeout(() => process.exit(128 + (os.constants.signals[signal] ?? 0)), 1000);
    process.kill(process.pid, signal);
  });
} else if (major < MIN[0] || (major === MIN[0] && minor < MIN[1])) {
  process.stderr.write(`blotter: Node ${process.versions.node} is too old; blotter needs Node ${MIN.join('.')} or newer (it brings Node ${WANT_MAJOR} ` +
    "as a devDependency: run npm install, then npm start, npm run blotter -- ..., or npx blotter ...).\n");
  process.exit(2);
} else {
  // Node compiles (and strips the types of) some 200 modules at every start; its compile
  // cache keeps the result on disk (NODE_COMPILE_CACHE, else the system's temp directory),
  // so later starts are quicker and the agent idles ~30 MB smaller (the TypeScript
  // stripper is never loaded). A cache that cannot be written is skipped, not an error.
  module.enableCompileCache?.();
  // Before anything loads postgres.js: it patches the driver's source as it loads.
  await import('../agent/db/pg-hotfix.ts');
  const { runAsProgram } = await import('../agent/cli.ts');
  await runAsProgram();
}
