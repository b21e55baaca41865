// Rotated log files (pino-roll's blotter.N.log beside the one being written) compressed
// and moved to the archive location: <location>/file_logs/<YYYY-MM>/<name>.<time>.gz, by
// the month and time of their last write. The file being written (the highest N) and any
// file written to within minAgeMs stay; a file is removed only once its copy is stored.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
export function rotatedLogFiles(logFile, now, minAgeMs) {
    const dir = path.dirname(logFile);
    const ext = path.extname(logFile);
    const stem = path.basename(logFile, ext);
    const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`^${esc(stem)}(?:${esc(ext)})?\\.(\\d+)(?:${esc(ext)})?$`);
    let names;
    try {
        names = fs.readdirSync(dir);
    }
    catch (err) {
        if (err.code === 'ENOENT')
            return [];
        throw err;
    }
    const found = names.flatMap((name) => {
        const m = re.exec(name);
        if (!m)
            return [];
        const file = path.join(dir, name);
        const st = fs.statSync(file);
        return st.isFile() ? [{ file, n: Number(m[1]), mtime: st.mtime }] : [];
    }).sort((a, b) => a.n - b.n);
    const current = found.at(-1);
    return found.filter((f) => f !== current && now - f.mtime.getTime() >= minAgeMs);
}
export async function archiveRotatedLogs(store, logFile, opts) {
    const moved = [];
    for (const f of rotatedLogFiles(logFile, opts.now ?? Date.now(), opts.minAgeMs)) {
        const stamp = f.mtime.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
        const name = `file_logs/${f.mtime.toISOString().slice(0, 7)}/${path.basename(f.file)}.${stamp}.gz`;
        const gz = path.join(opts.workDir, `${path.basename(f.file)}.${process.pid}.gz`);
        try {
            await pipeline(fs.createReadStream(f.file), zlib.createGzip({ level: 6 }), fs.createWriteStream(gz));
            await store.put(name, gz);
        }
        finally {
            fs.rmSync(gz, { force: true });
        }
        fs.rmSync(f.file, { force: true });
        moved.push(name);
    }
    return { moved };
}
