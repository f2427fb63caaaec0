/**
 * The copy a RemoteFile keeps of a file it adopted (one that was at the path before its first write), so that
 * destroy can put it back, and the marker that tells a resumed create its own earlier write from an adopted file.
 */
import { randomBytes } from "node:crypto";
import { isSideFileOf, sideFilePath } from "../sideFiles";
import type { Transport } from "../transport/types";
import { warn } from "../warnings";
import { applyMode } from "./applyMode";
import { whoseSideFile, writeSideFile } from "./sideFileGuard";

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

/** Where the copy of an adopted file goes: its path, and whether a copy of ours is already there. */
export interface BackupSlot {
    readonly backup: string;
    readonly existing: boolean;
}

/**
 * The backup path for `path` and content `sha256` (`backupPathFor`), unless something that is not ours is there
 * (sideFiles.ts): that is left alone, with a warning, and the copy goes to a name with a random part instead.
 */
export async function backupSlot(t: Transport, path: string, sha256: string): Promise<BackupSlot> {
    const backup = backupPathFor(path, sha256);
    const whose = (await t.stat(backup)) === undefined ? undefined : await whoseSideFile(t, backup);
    if (whose === "linked") {
        await t.remove(backup); // ours, but maybe a hard link to another file: never read, made again
    }
    if (whose === undefined || whose === "ours" || whose === "linked") {
        return { backup, existing: whose === "ours" };
    }
    const other = backupPathFor(path, randomBytes(6).toString("hex"));
    warn(
        `${t.endpoint}${backup} is ${whose}, not a copy this package made; it was left alone and the earlier ${path} is kept at ${other} instead. Someone who can write to that folder may have planted it.`,
    );
    return { backup: other, existing: false };
}

/**
 * Copies a remote file to another remote path, created new and private (a side file, sideFiles.ts), then given the
 * original's owner where the server lets us set owners, then its mode. Returns a sentence when the owner could not
 * be kept (the caller warns), else undefined.
 */
export async function copyRemote(t: Transport, from: string, to: string): Promise<string | undefined> {
    const st = await t.stat(from);
    await writeSideFile(t, to, await t.read(from));
    const copy = await t.stat(to);
    let lost: string | undefined;
    if (st?.uid !== undefined && st.gid !== undefined && (copy?.uid !== st.uid || copy?.gid !== st.gid)) {
        if (!t.capabilities.chown) {
            lost = `the copy of ${from} at ${to} could not keep its owner ${st.uid}:${st.gid} (the protocol cannot set owners)`;
        } else {
            try {
                await t.chown(to, st.uid, st.gid);
            } catch {
                lost = `the copy of ${from} at ${to} could not keep its owner ${st.uid}:${st.gid} (not allowed for this user)`;
            }
        }
    }
    // The mode last: only once the owner is right may the group or others read it (and chown may clear set-id bits).
    if (st?.mode !== undefined) {
        await applyMode(t, to, st.mode);
    }
    return lost;
}
