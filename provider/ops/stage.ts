/**
 * Staging: stream the bytes to a temporary name beside the target, hashing them on the way, and the undo after
 * a failure. The target is never touched here.
 */
import { FiledropError } from "../errors";
import { HashingStream } from "../hashing";
import type { Transport } from "../transport/types";
import { removeEmptyDirs } from "./remoteDirs";
import { temporaryPathFor } from "./temporaries";
import { type Previous, type StagedUpload, type UploadSpec, uploadFailed } from "./uploadSpec";

/** Writes `spec`'s bytes to a fresh temporary of the target; the caller made the folder. */
export async function stageUpload(
    t: Transport,
    spec: UploadSpec,
    found: Previous = "unknown",
    createdDirs: string[] = [],
): Promise<StagedUpload> {
    // Only a file's mode and owner are kept: a symlink's lstat says 0777, which must never become the file's mode.
    const before: Previous = typeof found !== "string" && found.kind !== "file" ? "unknown" : found;
    const tmp = temporaryPathFor(spec.path);
    try {
        const hashing = new HashingStream();
        const source = spec.open();
        source.on("error", (e) => hashing.destroy(e));
        const written = await t.write(tmp, source.pipe(hashing), 0o600);
        const sha256 = hashing.digest();
        if (spec.expectedSha256 !== undefined && sha256 !== spec.expectedSha256) {
            throw new FiledropError(
                "SOURCE_CHANGED",
                `The local source for ${t.endpoint}${spec.path} changed during the deployment (planned SHA-256 ${spec.expectedSha256.slice(0, 12)}…, read ${sha256.slice(0, 12)}…); run the deployment again.`,
            );
        }
        return { spec, tmp, sha256, size: written, before, createdDirs };
    } catch (e) {
        await abandon(t, { tmp, createdDirs });
        throw uploadFailed(t, spec, e);
    }
}

/** Removes a temporary (and the folders made for it) after a failure; never fails itself. */
export async function abandon(t: Transport, s: { tmp: string; createdDirs: string[] }): Promise<void> {
    await t.remove(s.tmp).catch(() => undefined);
    await removeEmptyDirs(t, s.createdDirs).catch(() => undefined);
}
