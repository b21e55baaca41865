// The archive store on S3-compatible object storage: s3://bucket/prefix, the same
// `<family>/<YYYY-MM>/<file>` layout as a directory, under the prefix. Every call has a
// bounded number of attempts (transient faults only: 5xx, 429, dropped connections and
// timeouts) and explicit timeouts, so an unreachable endpoint or a bad key ends in a
// BlotterError naming the bucket and key, never in an endless wait.
//
// Uploads are streamed from the file: one PutObject up to multipartThresholdBytes, a
// multipart upload above it (parts read from the file by range, each retried on its own),
// so memory does not grow with the file. @aws-sdk/lib-storage is not a dependency; the
// multipart calls it would make are few enough to make here.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand, } from '@aws-sdk/client-s3';
import { BlotterError } from "../errors.js";
import { checkName, DirStore, isS3Location, parseS3Location } from "./store.js";
const MiB = 1024 * 1024;
// S3's own bounds: a part is at least 5 MiB (except the last), at most 10,000 parts, and a
// single PutObject at most 5 GiB.
const S3_MIN_PART_BYTES = 5 * MiB;
const S3_MAX_PARTS = 10_000;
const S3_MAX_PUT_BYTES = 5 * 1024 * MiB;
// Not the SDK's NoOpLogger: given that, its retry code writes to the console instead.
const SILENT = { debug() { }, info() { }, warn() { }, error() { } };
export const S3_DEFAULTS = {
    attempts: 4,
    retryBaseMs: 250,
    retryMaxMs: 5_000,
    connectTimeoutMs: 5_000,
    socketTimeoutMs: 60_000,
    multipartThresholdBytes: 64 * MiB,
    partBytes: 16 * MiB,
    partConcurrency: 4,
    listLimit: 1_000_000,
};
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);
function statusOf(err) {
    return err?.$metadata?.httpStatusCode;
}
// Worth another attempt: the service said so (5xx, 429, its own timeouts), or no answer
// came at all. A refusal (403, 404, 400) will not change by asking again.
export function isTransient(err) {
    const e = err;
    const status = statusOf(err);
    if (status !== undefined && status > 0)
        return status >= 500 || status === 429 || e.name === 'RequestTimeout' || e.name === 'SlowDown';
    return NETWORK_CODES.has(e?.code ?? '') || e?.name === 'TimeoutError' || e?.name === 'RequestTimeout';
}
function isNotFound(err) {
    const e = err;
    return statusOf(err) === 404 || e?.name === 'NoSuchKey' || e?.name === 'NotFound';
}
export class S3Store {
    location;
    bucket;
    prefix;
    client;
    limits;
    endpoint;
    // Kept only to scrub it from any message, should a server ever echo it.
    secret;
    constructor(options) {
        const { bucket, prefix } = parseS3Location(options.location);
        this.bucket = bucket;
        this.prefix = prefix;
        this.location = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
        if (!options.region)
            throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: no region given`);
        if (options.endpoint !== undefined) {
            let url;
            try {
                url = new URL(options.endpoint);
            }
            catch {
                throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: the endpoint is not a URL`);
            }
            if (url.username || url.password)
                throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: the endpoint must not carry credentials (user:password@host): give them as options`);
            if (url.protocol !== 'http:' && url.protocol !== 'https:')
                throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: the endpoint must be http(s), not ${url.protocol}`);
        }
        this.endpoint = options.endpoint ?? `AWS ${options.region}`;
        if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
            throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: give both accessKeyId and secretAccessKey, or neither (the SDK's default chain)`);
        }
        if (options.sessionToken !== undefined && options.accessKeyId === undefined) {
            throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: a sessionToken needs accessKeyId and secretAccessKey`);
        }
        this.secret = options.secretAccessKey;
        const limits = { ...S3_DEFAULTS };
        for (const k of Object.keys(S3_DEFAULTS)) {
            const v = options[k];
            if (v === undefined)
                continue;
            if (!Number.isSafeInteger(v) || v < (k === 'retryBaseMs' || k === 'retryMaxMs' ? 0 : 1))
                throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: ${k} must be a positive integer, not ${v}`);
            limits[k] = v;
        }
        if (limits.partBytes < S3_MIN_PART_BYTES)
            throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: partBytes must be at least ${S3_MIN_PART_BYTES} (S3's smallest part)`);
        if (limits.multipartThresholdBytes > S3_MAX_PUT_BYTES)
            throw new BlotterError('ARCHIVE_CONFIG', `${this.location}: multipartThresholdBytes must be at most ${S3_MAX_PUT_BYTES} (S3's largest PutObject)`);
        this.limits = limits;
        const config = {
            region: options.region,
            forcePathStyle: options.forcePathStyle ?? false,
            // Retries are ours (below): the SDK cannot rewind a file stream to retry an upload,
            // and two nested retry loops would multiply the bound.
            maxAttempts: 1,
            // An idle timeout, not a total one: a large part on a slow link may take long, a
            // server that stops sending may not. (The SDK's requestTimeout only warns unless
            // told to throw.)
            requestHandler: { connectionTimeout: limits.connectTimeoutMs, socketTimeout: limits.socketTimeoutMs },
            // The SDK's default sends streamed bodies aws-chunked with a trailing CRC32, which
            // S3-compatible servers that predate it (s3rver, older MinIO and Ceph) store as part
            // of the object. Blotter sends a whole-body SHA-256 header instead (put, below),
            // which AWS checks on arrival and other servers ignore.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
            logger: options.logger ?? SILENT,
        };
        if (options.endpoint !== undefined)
            config.endpoint = options.endpoint;
        if (options.accessKeyId !== undefined && options.secretAccessKey !== undefined) {
            config.credentials = {
                accessKeyId: options.accessKeyId,
                secretAccessKey: options.secretAccessKey,
                ...(options.sessionToken !== undefined ? { sessionToken: options.sessionToken } : {}),
            };
        }
        this.client = new S3Client(config);
    }
    // Closes the client's sockets; the store is unusable afterwards.
    close() {
        this.client.destroy();
    }
    key(name) {
        checkName(name);
        return this.prefix ? `${this.prefix}/${name}` : name;
    }
    describe(err) {
        const e = err;
        const status = statusOf(err);
        let msg = `${e?.name ?? 'Error'}${status ? ` (HTTP ${status})` : e?.code ? ` (${e.code})` : ''}: ${e?.message ?? String(err)}`;
        if (this.secret)
            msg = msg.replaceAll(this.secret, '***');
        return msg;
    }
    // Run one S3 call up to `attempts` times, waiting a jittered, growing delay between
    // transient faults; anything else, or the last fault, is thrown as CODE naming WHAT.
    async attempt(code, what, call, passThrough = () => false) {
        const { attempts, retryBaseMs, retryMaxMs } = this.limits;
        for (let n = 1;; n++) {
            try {
                return await call();
            }
            catch (err) {
                if (err instanceof BlotterError || passThrough(err))
                    throw err;
                if (n >= attempts || !isTransient(err)) {
                    const tries = n > 1 ? ` (after ${n} attempts)` : '';
                    throw new BlotterError(code, `${what} at ${this.endpoint}: ${this.describe(err)}${tries}`, { cause: err });
                }
                const cap = Math.min(retryMaxMs, retryBaseMs * 2 ** (n - 1));
                await sleep(Math.floor(cap / 2 + (Math.random() * cap) / 2));
            }
        }
    }
    async put(name, localFile) {
        const key = this.key(name);
        const what = `writing ${localFile} to s3://${this.bucket}/${key}`;
        let size;
        try {
            size = fs.statSync(localFile).size;
        }
        catch (err) {
            throw new BlotterError('ARCHIVE_WRITE', `${what}: ${err.message}`);
        }
        if (size <= this.limits.multipartThresholdBytes) {
            const sha = await sha256Range(localFile, 0, size);
            await this.attempt('ARCHIVE_WRITE', what, () => this.client.send(new PutObjectCommand({
                Bucket: this.bucket,
                Key: key,
                Body: fs.createReadStream(localFile),
                ContentLength: size,
                ChecksumSHA256: sha,
            })));
            return;
        }
        await this.putMultipart(key, localFile, size, what);
    }
    async putMultipart(key, localFile, size, what) {
        const partBytes = Math.max(this.limits.partBytes, Math.ceil(size / S3_MAX_PARTS));
        const count = Math.ceil(size / partBytes);
        const created = await this.attempt('ARCHIVE_WRITE', `${what} (starting a multipart upload)`, () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ChecksumAlgorithm: 'SHA256' })));
        const uploadId = created.UploadId;
        if (!uploadId)
            throw new BlotterError('ARCHIVE_WRITE', `${what}: the server started a multipart upload without an UploadId`);
        try {
            const parts = new Array(count);
            let next = 0;
            // A fixed number of parts in flight: each reads its own range of the file, so memory
            // is bounded by partConcurrency stream buffers, not by the file.
            const worker = async () => {
                while (next < count) {
                    const i = next++;
                    const start = i * partBytes;
                    const length = Math.min(partBytes, size - start);
                    const sha = await sha256Range(localFile, start, length);
                    const res = await this.attempt('ARCHIVE_WRITE', `${what} (part ${i + 1} of ${count})`, () => this.client.send(new UploadPartCommand({
                        Bucket: this.bucket,
                        Key: key,
                        UploadId: uploadId,
                        PartNumber: i + 1,
                        Body: fs.createReadStream(localFile, { start, end: start + length - 1 }),
                        ContentLength: length,
                        ChecksumSHA256: sha,
                    })));
                    parts[i] = { PartNumber: i + 1, ETag: res.ETag, ChecksumSHA256: sha };
                }
            };
            await Promise.all(Array.from({ length: Math.min(this.limits.partConcurrency, count) }, worker));
            await this.attempt('ARCHIVE_WRITE', `${what} (completing ${count} parts)`, () => this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } })));
        }
        catch (err) {
            // Parts of an abandoned upload are billed until aborted. Best effort, once: the
            // error worth reporting is the one that stopped the upload.
            await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
            throw err;
        }
    }
    async get(name, localFile) {
        const key = this.key(name);
        const what = `reading s3://${this.bucket}/${key} into ${localFile}`;
        // Into a temporary name and renamed whole, so a failed or cut download leaves no file
        // that looks complete.
        const tmp = `${localFile}.part-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
        try {
            await this.attempt('ARCHIVE_READ', what, async () => {
                const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
                if (!res.Body)
                    throw new BlotterError('ARCHIVE_READ', `${what}: the response had no body`);
                await pipeline(res.Body, fs.createWriteStream(tmp));
                const got = fs.statSync(tmp).size;
                if (res.ContentLength !== undefined && got !== res.ContentLength) {
                    // Treated as a dropped connection: worth another attempt.
                    throw Object.assign(new Error(`received ${got} of ${res.ContentLength} bytes`), { code: 'ECONNRESET' });
                }
            }, isNotFound);
            fs.renameSync(tmp, localFile);
        }
        catch (err) {
            fs.rmSync(tmp, { force: true });
            if (isNotFound(err))
                throw new BlotterError('ARCHIVE_MISSING', `s3://${this.bucket}/${key} is missing (${this.describe(err)})`, { cause: err });
            if (err instanceof BlotterError)
                throw err;
            throw new BlotterError('ARCHIVE_READ', `${what}: ${err.message}`, { cause: err });
        }
    }
    // PREFIX names a directory, as with DirStore: 'events/2026-01' lists that month and
    // not 'events/2026-010'. '' lists everything under the store's prefix.
    async list(prefix) {
        const dir = prefix.replace(/\/+$/, '');
        if (dir !== '')
            checkName(dir);
        const base = this.prefix ? `${this.prefix}/` : '';
        const s3Prefix = dir ? `${base}${dir}/` : base;
        const what = `listing s3://${this.bucket}/${s3Prefix}`;
        const out = [];
        let token;
        do {
            const res = await this.attempt('ARCHIVE_READ', what, () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: s3Prefix, MaxKeys: 1000, ContinuationToken: token })));
            for (const o of res.Contents ?? []) {
                // Zero-byte "folder" markers some tools create are not files.
                if (!o.Key || o.Key.endsWith('/'))
                    continue;
                out.push({ name: o.Key.slice(base.length), bytes: o.Size ?? 0 });
            }
            if (out.length > this.limits.listLimit) {
                throw new BlotterError('ARCHIVE_READ', `${what}: more than ${this.limits.listLimit} names (listLimit)`);
            }
            const nextToken = res.IsTruncated ? res.NextContinuationToken : undefined;
            if (res.IsTruncated && (!nextToken || nextToken === token)) {
                throw new BlotterError('ARCHIVE_READ', `${what}: the server said the list goes on but gave no new continuation token`);
            }
            token = nextToken;
        } while (token);
        return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    async exists(name) {
        const key = this.key(name);
        try {
            await this.attempt('ARCHIVE_READ', `looking for s3://${this.bucket}/${key}`, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })), isNotFound);
            return true;
        }
        catch (err) {
            // AWS answers 403 rather than 404 for a missing key when the caller may not list the
            // bucket; that stays an error (ARCHIVE_READ), since "missing" cannot be told apart
            // from "forbidden".
            if (isNotFound(err))
                return false;
            throw err;
        }
    }
}
// SHA-256 of LENGTH bytes of FILE from START, base64 as S3's checksum headers want it.
async function sha256Range(file, start, length) {
    const h = crypto.createHash('sha256');
    if (length > 0)
        await pipeline(fs.createReadStream(file, { start, end: start + length - 1 }), h);
    return h.digest('base64');
}
// The store a location names: s3://bucket/prefix on S3 (S3OPTIONS give the region,
// endpoint and credentials), anything else a directory.
export function openStore(location, s3Options) {
    if (!isS3Location(location))
        return new DirStore(path.resolve(location));
    if (!s3Options)
        throw new BlotterError('ARCHIVE_CONFIG', `${parseS3Location(location).bucket}: an s3:// location needs S3 options (region, and an endpoint for S3-compatible storage)`);
    return new S3Store({ ...s3Options, location });
}
