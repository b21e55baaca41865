// The archive location a command acts on: its flag, else archive.location in the config,
// else $BLOTTER_HOME/archive. S3 credentials come from the config (or the environment's
// BLOTTER_ARCHIVE_S3_*), else from the AWS SDK's own sources.
import path from 'node:path';
import { blotterHome } from "../db/connect.js";
import { DirStore, isS3Location } from "./store.js";
export function archiveLocation(flag, cfg) {
    return flag || cfg.location || path.join(blotterHome(), 'archive');
}
export async function openArchiveStore(location, cfg) {
    if (!isS3Location(location))
        return new DirStore(location);
    const { S3Store } = await import("./s3.js");
    return new S3Store({
        location, region: cfg.s3_region, endpoint: cfg.s3_endpoint || undefined, forcePathStyle: cfg.s3_force_path_style,
        accessKeyId: cfg.s3_access_key_id || undefined, secretAccessKey: cfg.s3_secret_access_key || undefined,
    });
}
