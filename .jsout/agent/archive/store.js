// Where archive files go: a directory (a mounted volume) or S3-compatible object storage.
// Both keep the same layout under their root, `<family>/<YYYY-MM>/<file>`, and both are
// written so that a reader never sees half a file: a directory through a temporary name
// and rename, S3 because an object appears whole. A month's manifest is written last, so
// a month without a manifest is an archive that did not finish.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BlotterError } from "../errors.js";
export function checkName(name) {
    // Names are built by blotter; refuse anything that could leave the root.
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(name) || name.split('/').some((p) => p === '.' || p === '..')) {
        throw new BlotterError('ARCHIVE_NAME', `not an archive file name: ${JSON.stringify(name)}`);
    }
    return name;
}
export class DirStore {
    location;
    constructor(root) {
        this.location = path.resolve(root);
    }
    async put(name, localFile) {
        const dest = path.join(this.location, checkName(name));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        const tmp = `${dest}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
        try {
            await pipeline(fs.createReadStream(localFile), fs.createWriteStream(tmp, { flags: 'wx' }));
            const fd = fs.openSync(tmp, 'r');
            try {
                fs.fsyncSync(fd);
            }
            finally {
                fs.closeSync(fd);
            }
            fs.renameSync(tmp, dest);
            // The rename itself is durable once the directory is.
            const dfd = fs.openSync(path.dirname(dest), 'r');
            try {
                fs.fsyncSync(dfd);
            }
            finally {
                fs.closeSync(dfd);
            }
        }
        catch (err) {
            fs.rmSync(tmp, { force: true });
            throw new BlotterError('ARCHIVE_WRITE', `writing ${dest}: ${err.message}`);
        }
    }
    async get(name, localFile) {
        const src = path.join(this.location, checkName(name));
        if (!fs.existsSync(src))
            throw new BlotterError('ARCHIVE_MISSING', `${src} is missing`);
        await pipeline(fs.createReadStream(src), fs.createWriteStream(localFile));
    }
    // A local file need not be copied to be read.
    localPath(name) {
        return path.join(this.location, checkName(name));
    }
    async list(prefix) {
        const out = [];
        const walk = (dir, rel) => {
            let entries;
            try {
                entries = fs.readdirSync(dir, { withFileTypes: true });
            }
            catch (err) {
                if (err.code === 'ENOENT')
                    return;
                throw err;
            }
            for (const e of entries) {
                const r = rel ? `${rel}/${e.name}` : e.name;
                if (e.isDirectory())
                    walk(path.join(dir, e.name), r);
                else if (e.isFile() && !/\.tmp-\d+-[0-9a-f]{8}$/.test(e.name))
                    out.push({ name: r, bytes: fs.statSync(path.join(dir, e.name)).size });
            }
        };
        const base = prefix ? path.join(this.location, prefix) : this.location;
        walk(base, prefix.replace(/\/$/, ''));
        return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    async exists(name) {
        return fs.existsSync(path.join(this.location, checkName(name)));
    }
}
export function isS3Location(location) {
    return /^s3:\/\//i.test(location);
}
// s3://bucket/prefix → { bucket, prefix } (prefix without leading or trailing slashes).
export function parseS3Location(location) {
    // s3://key:secret@bucket would put a secret in every message and in retention.archives;
    // refuse it without echoing it.
    if (/^s3:\/\/[^/]*@/i.test(location)) {
        throw new BlotterError('ARCHIVE_LOCATION', 'an S3 location must not carry credentials (s3://…@bucket): give them as options or in the environment');
    }
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/i.exec(location);
    if (!m)
        throw new BlotterError('ARCHIVE_LOCATION', `not an S3 location: ${location} (expected s3://bucket/prefix)`);
    return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}
export async function sha256File(file) {
    const h = crypto.createHash('sha256');
    await pipeline(fs.createReadStream(file), h);
    return h.digest('hex');
}
