/**
 * The copy a RemoteFile keeps of a file it adopted (one that was at the path before its first write), so that
 * destroy can put it back, and the marker that tells a resumed create its own earlier write from an adopted file.
 */
import { isSideFileOf, sideFilePath } from "../sideFiles";
import type { Transport } from "../transport/types";
import { applyMode } from "./applyMode";

/**
 * Where the backup of `path` is kept by a resource writing content `sha256`:
 * `.<name>.filedrop-backup-<12 hex of that SHA-256>` beside it. A second stack writing other content to the same
 * path keeps its own backup (the first stack's content), so destroying it puts that back; a resumed create of the
 * same content finds its own. Never taken for a temporary (`.<name>.filedrop-<12 hex>`).
 */
export function backupPathFor(path: string, sha256: string): string {
    return sideFilePath(path, sha256, "backup");
}

/**
 * The marker a create leaves beside a target that was absent while it writes content `sha256`, removed once the
 * create returns. A create that finds its own marker and its own content at the path knows the file is its own
 * write of an interrupted run, not an adopted one.
 */
export function newFileMarkerFor(path: string, sha256: string): string {
    return sideFilePath(path, sha256, "new");
}

/** True for the name of a new-file marker of target `path` (any content). */
export function isNewFileMarkerOf(path: string, name: string): boolean {
    return isSideFileOf(path, "new", name);
}

/**
 * Copies a remote file to another remote path with its mode, and its owner where the server lets us set owners.
 * Returns a sentence when the owner could not be kept (the caller warns), else undefined.
 */
export async function copyRemote(t: Transport, from: string, to: string): Promise<string | undefined> {
    const st = await t.stat(from);
    await t.write(to, await t.read(from), st?.mode ?? 0o600);
    if (st?.mode !== undefined) {
        await applyMode(t, to, st.mode);
    }
    const copy = await t.stat(to);
    if (st?.uid !== undefined && st.gid !== undefined && (copy?.uid !== st.uid || copy?.gid !== st.gid)) {
        if (!t.capabilities.chown) {
            return `the copy of ${from} at ${to} could not keep its owner ${st.uid}:${st.gid} (the protocol cannot set owners)`;
        }
        try {
            await t.chown(to, st.uid, st.gid);
        } catch {
            return `the copy of ${from} at ${to} could not keep its owner ${st.uid}:${st.gid} (not allowed for this user)`;
        }
    }
    return undefined;
}
