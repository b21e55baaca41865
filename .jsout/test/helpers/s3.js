// A local S3-compatible server for tests.
import { spawn } from 'node:child_process';
import path from 'node:path';
// s3rver runs in a child process because its ListObjectsV2 continuation tokens are
// DES-encrypted, which OpenSSL 3 (Node 17 and later) allows only with the legacy provider.
export async function startS3rver(directory) {
    const script = `const S3rver = require('s3rver');
    new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.env.S3RVER_DIR })
      .run().then((i) => console.log(JSON.stringify({ port: i.port })), (e) => { console.error(e); process.exit(1); });`;
    const env = { ...process.env, S3RVER_DIR: directory };
    delete env.NODE_OPTIONS; // tap's loaders are for the test, not the server
    const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], { cwd: path.resolve(import.meta.dirname, '..', '..'), env, stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('s3rver did not start within 15 s')), 15_000);
        let out = '';
        child.stdout.on('data', (d) => {
            out += d.toString();
            const line = out.split('\n')[0];
            if (out.includes('\n') && line) {
                clearTimeout(timer);
                resolve(JSON.parse(line).port);
            }
        });
        child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before it started`)));
    });
    return {
        port,
        stop: () => new Promise((resolve) => {
            if (child.exitCode !== null)
                return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
        }),
    };
}
