/**
 * Staging: stream the bytes to a temporary name beside the target, hashing them on the way, and the undo after
 * a failure. The target is never touched here.
 *
 * Resume (issue 12): a resumable upload writes to the temporary named after its content
 * (`resumableTemporaryFor`). When an attempt finds that temporary already holding a prefix (an earlier attempt was
 * cut, or its process killed), it hashes the local prefix without sending it and sends only the rest, at the
 * temporary's end (`Transport.writeFrom`). A cut connection keeps the temporary for the next attempt; every other
 * failure removes it. The SHA-256 verified afterwards covers the whole file, so a prefix that is not what we would
 * send fails verification, and ops/upload.ts discards that temporary and uploads once more from byte 0.
 */
import { pipeline, type Readable, Transform, type TransformCallback } from "node:stream";
import { FiledropError, isFiledropError } from "../errors";
import { HashingStream } from "../hashing";
import { startProgress } from "../progress/ticker";
import type { Transport } from "../transport/types";
import { removeEmptyDirs } from "./remoteDirs";
import { resumableTemporaryFor, temporaryPathFor } from "./temporaries";
import { type Previous, type StagedUpload, type UploadSpec, uploadFailed } from "./uploadSpec";

/** The temporary `spec` continues, when it is resumable; undefined when each attempt takes a fresh one. */
export function resumableTemporaryOf(spec: UploadSpec): string | undefined {
    return spec.resumable === true && spec.expectedSha256
        ? resumableTemporaryFor(spec.path, spec.expectedSha256)
        : undefined;
}

/**
 * Where an attempt at the resumable temporary `tmp` continues: its size when it holds a usable prefix, else 0 (and
 * a temporary longer than the whole file is removed: it cannot be a prefix of it).
 */
async function resumeOffset(t: Transport, tmp: string, total: number | undefined): Promise<number> {
    if (t.writeFrom === undefined) {
        return 0;
    }
    const st = await t.stat(tmp);
    if (st?.kind !== "file" || st.size === 0) {
        return 0;
    }
    if (total !== undefined && st.size > total) {
        await t.remove(tmp);
        return 0;
    }
    return st.size;
}

/** Drops the first `skip` bytes (a resumed prefix, hashed but not sent) and counts the bytes it passes on. */
class SkipPrefix extends Transform {
    constructor(
        private skip: number,
        private readonly counted: (n: number) => void,
    ) {
        super();
    }

    override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
        let c = chunk;
        if (this.skip > 0) {
            const n = Math.min(this.skip, c.length);
            this.skip -= n;
            c = c.subarray(n);
        }
        if (c.length > 0) {
            this.counted(c.length);
        }
        cb(null, c.length > 0 ? c : undefined);
    }
}

/** Writes `spec`'s bytes to its temporary (continuing a resumable one); the caller made the folder. */
export async function stageUpload(
    t: Transport,
    spec: UploadSpec,
    found: Previous = "unknown",
    createdDirs: string[] = [],
): Promise<StagedUpload> {
    // Only a file's mode and owner are kept: a symlink's lstat says 0777, which must never become the file's mode.
    const before: Previous = typeof found !== "string" && found.kind !== "file" ? "unknown" : found;
    const resumable = resumableTemporaryOf(spec);
    const tmp = resumable ?? temporaryPathFor(spec.path);
    let ticking: ReturnType<typeof startProgress> | undefined;
    try {
        const offset = resumable === undefined ? 0 : await resumeOffset(t, tmp, spec.size);
        ticking = startProgress({
            label: `Uploading ${t.endpoint}${spec.path}`,
            totalBytes: spec.size,
            skippedBytes: offset,
        });
        const meter = ticking.meter;
        const hashing = new HashingStream();
        const body: Readable = pipeline(
            spec.open(),
            hashing,
            new SkipPrefix(offset, (n) => meter.addBytes(n)),
            () => undefined,
        );
        const written = offset > 0 ? await t.writeFrom!(tmp, body, offset) : await t.write(tmp, body, 0o600);
        const sha256 = hashing.digest();
        if (spec.expectedSha256 !== undefined && sha256 !== spec.expectedSha256) {
            throw new FiledropError(
                "SOURCE_CHANGED",
                `The local source for ${t.endpoint}${spec.path} changed during the deployment (planned SHA-256 ${spec.expectedSha256.slice(0, 12)}…, read ${sha256.slice(0, 12)}…); run the deployment again.`,
            );
        }
        return {
            spec,
            tmp,
            sha256,
            size: offset + written,
            before,
            createdDirs,
            resumedFrom: offset,
            bytesSent: written,
        };
    } catch (e) {
        const failure = uploadFailed(t, spec, e);
        // A cut connection keeps a resumable temporary for the next attempt (the pool's retry, or the next run).
        if (!(resumable !== undefined && isFiledropError(failure) && failure.transient)) {
            await abandon(t, { tmp, createdDirs });
        }
        throw failure;
    } finally {
        ticking?.stop();
    }
}

/** Removes a temporary (and the folders made for it) after a failure; never fails itself. */
export async function abandon(t: Transport, s: { tmp: string; createdDirs: string[] }): Promise<void> {
    await t.remove(s.tmp).catch(() => undefined);
    await removeEmptyDirs(t, s.createdDirs).catch(() => undefined);
}
