// A `blotter start` child process (the fuzzer's and the ingest benchmark's agent): the port
// it listens on, read from its start-up line, and everything it printed, kept for the
// message when something fails.
import type { ChildProcess } from 'node:child_process';

export function listening(child: ChildProcess): { port: Promise<number>; output: () => string } {
  let out = '';
  const port = new Promise<number>((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.on('exit', (c) => reject(new Error(`agent exited ${c}: ${out}`)));
  });
  return { port, output: () => out };
}
