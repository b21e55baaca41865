// How the process uses memory: settings shared by the commands that stream large inputs.
import v8 from 'node:v8';

// Under an allocation rate like an import's (every row is a few KB of short-lived strings)
// V8 grows the young generation to 2 x 64 MB, which alone took a 180 MB statement's import
// to 230 MB of RSS. At growth factor 1 it keeps its start size and the same import runs in
// about 160 MB, no slower (the database is the limit). Process-wide, so only the one-shot
// CLI commands call it, not the agent.
export function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
