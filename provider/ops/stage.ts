/**
 * Staging: stream the bytes to a temporary name beside the target (hashing them on the way when the plan gave no
 * SHA-256), and the undo after a failure. The target is never touched here.
 *
 * Resume (issue 12): a resumable upload writes to the temporary named after its content
 * (`resumableTemporaryFor`). When an attempt finds that temporary already holding a prefix (an earlier attempt was
 * cut, or its process killed), it skips the local prefix without sending it and sends only the rest, at the
 * temporary's end (`Transport.writeFrom`). A cut connection keeps the temporary for the next attempt; every other
 * failure removes it. The SHA-256 verified afterwards covers the whole file, so a prefix that is not what we would
 * send fails verification, and ops/upload.ts discards that temporary and uploads once more from byte 0.
 */
import { pipeline, Readable, Transform, type TransformCallback } from "node:stream";
import { hasCode, isFiledropError } from "../errors";
import { HashingStream } from "../hashing";
import { startProgress, type Ticking } from "../progress/ticker";
import type { Transport } from "../transport/types";
import { warn } from "../warnings";
import { orConcurrentWriter } from "./concurrentWriter";
import { type KnownStats, statOf } from "./knownStats";
import { removeEmptyDirs } from "./remoteDirs";
import { whoseSideFile, writeSideFile } from "./sideFileGuard";
import { resumableTemporaryFor, temporaryPathFor } from "./temporaries";
import { type Previous, type StagedUpload, type UploadSpec, uploadFailed } from "./uploadSpec";

/** How often, and how far apart, a temporary to continue is stat'ed until its size holds still. */
const SETTLE_CHECKS = 10;
const SETTLE_MS = 200;

/** The temporary `spec` continues, when it is resumable; undefined when each attempt takes a fresh one. */
export function resumableTemporaryOf(spec: UploadSpec): string | undefined {
    return spec.resumable === true && spec.expectedSha256
        ? resumableTemporaryFor(spec.path, spec.expectedSha256)
        : undefined;
}

/**
 * Where an attempt at the resumable temporary `tmp` continues: its size when it holds a usable prefix, else 0 (and
 * a temporary longer than the whole file is removed: it cannot be a prefix of it). The first look may come from
 * `known` (the sweep's listing of the folder); the settling looks always ask the server.
 */
async function resumeOffset(t: Transport, tmp: string, total: number | undefined, known?: KnownStats): Promise<number> {
    if (t.writeFrom === undefined) {
        return 0;
    }
    let st = await statOf(t, tmp, known);
    known?.forget(tmp); // written next
    // A server can still be writing what it received before the cut (vsftpd's session outlives the connection by a
    // moment): wait, bounded, until the size holds still.
    for (let i = 0; i < SETTLE_CHECKS && st?.kind === "file"; i++) {
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const again = await t.stat(tmp);
        if (again?.size === st.size) {
            break;
        }
        st = again;
    }
    if (st?.kind !== "file" || st.size === 0) {
        return 0;
    }
    if (total !== undefined && st.size > total) {
        await t.remove(tmp);
        return 0;
    }
    return st.size;
}

/** Drops the first `skip` bytes (a resumed prefix, not sent again) and counts the bytes it passes on. */
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

/**
 * One try at sending the bytes from `offset` on, with progress lines while it runs. The bytes are hashed on the way
 * only when the plan gave no SHA-256: with one, the server's hash is compared with the plan's (verify.ts), which
 * proves the same and costs the provider no second hash of the whole file on its one thread (issue 13: a third of
 * a large upload's time).
 */
async function send(
    t: Transport,
    spec: UploadSpec,
    tmp: string,
    offset: number,
    started: (tk: Ticking) => void,
): Promise<{ written: number; sha256: string }> {
    const ticking =
        spec.counted === undefined
            ? startProgress({
                  label: `Uploading ${t.endpoint}${spec.path}`,
                  totalBytes: spec.size,
                  skippedBytes: offset,
              })
            : undefined;
    if (ticking !== undefined) {
        started(ticking);
    }
    const counted = spec.counted ?? ((n: number) => ticking?.meter.addBytes(n));
    if (spec.bytes !== undefined && offset === 0 && spec.expectedSha256) {
        // Held in memory, sent whole, its SHA-256 the plan's: no pipeline, no transform, no hashing on the way.
        const written = await writeSideFile(t, tmp, Readable.from([spec.bytes]));
        counted(written);
        return { written, sha256: spec.expectedSha256 };
    }
    const skip = new SkipPrefix(offset, counted);
    const hashing = spec.expectedSha256 ? undefined : new HashingStream();
    const body: Readable = hashing
        ? pipeline(spec.open(), hashing, skip, () => undefined)
        : pipeline(spec.open(), skip, () => undefined);
    const written = offset > 0 ? await t.writeFrom!(tmp, body, offset) : await writeSideFile(t, tmp, body);
    return { written, sha256: hashing?.digest() ?? spec.expectedSha256! };
}

/** Writes `spec`'s bytes to its temporary (continuing a resumable one); the caller made the folder. */
export async function stageUpload(
    t: Transport,
    spec: UploadSpec,
    found: Previous = "unknown",
    createdDirs: string[] = [],
    known?: KnownStats,
): Promise<StagedUpload> {
    // Only a file's mode and owner are kept: a symlink's lstat says 0777, which must never become the file's mode.
    const before: Previous = typeof found !== "string" && found.kind !== "file" ? "unknown" : found;
    let resumable = resumableTemporaryOf(spec);
    let tmp = resumable ?? temporaryPathFor(spec.path);
    let ticking: Ticking | undefined;
    try {
        let offset = 0;
        if (resumable !== undefined && (await statOf(t, resumable, known)) !== undefined) {
            const whose = await whoseSideFile(t, resumable);
            if (whose === "ours") {
                offset = await resumeOffset(t, resumable, spec.size, known);
            }
            if ((whose === "ours" && offset === 0) || whose === "linked") {
                // Ours but of no use, or a name of ours that may be a hard link to another file: made again, new.
                await t.remove(resumable);
            } else if (whose !== undefined && whose !== "ours") {
                // Anyone who can write to the folder can compute this name: never continue, read or remove theirs.
                warn(
                    `${t.endpoint}${resumable} is ${whose}, not a temporary this package left there; it was left alone and the upload of ${spec.path} used a fresh temporary instead. Someone who can write to that folder may have planted it.`,
                );
                resumable = undefined;
                tmp = temporaryPathFor(spec.path);
            }
            known?.forget(resumable ?? tmp);
        }
        let sent: { written: number; sha256: string };
        try {
            sent = await send(t, spec, tmp, offset, (tk) => (ticking = tk));
        } catch (e) {
            if (offset === 0 || !hasCode(e, "UNSUPPORTED")) {
                throw e;
            }
            // The server will not continue a file (stock ProFTPD): the whole file, in the temporary made new.
            ticking?.stop();
            offset = 0;
            await t.remove(tmp);
            sent = await send(t, spec, tmp, 0, (tk) => (ticking = tk));
        }
        const { written, sha256 } = sent;
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
        const failure = uploadFailed(t, spec, await orConcurrentWriter(t, spec.path, tmp, e));
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
