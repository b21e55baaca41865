#!/usr/bin/env node
// Entry point of the `blotter` command. Plain JavaScript so that an old Node gets a clear
// message instead of a syntax error: the code itself is TypeScript run by Node 24.
const MIN_NODE_MAJOR = 22;
const major = Number(process.versions.node.split('.')[0]);
if (major < MIN_NODE_MAJOR) {
  process.stderr.write(`blotter: Node ${process.versions.node} is too old; blotter needs Node ${MIN_NODE_MAJOR} or newer. ` +
    "Run it through npm (npm start, npm run blotter -- ...), which uses the project's own Node 24.\n");
  process.exit(2);
}
await import('../agent/cli.ts');
