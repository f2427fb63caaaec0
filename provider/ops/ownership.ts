/**
 * Who owns the file at a RemoteFile's path, and what destroy may do with it (issue 8):
 * - A file at the path before the first write is adopted: `up` warns, keeps a copy (ops/backup.ts) unless
 *   `onDelete: "delete"` was given, and destroy puts that copy back.
 * - Destroy deletes (or restores over) only a file whose content is still what this stack last wrote; a file changed
 *   since (by a person, another stack) is left in place with a warning.
 * - A create that was interrupted (the process killed) leaves a marker beside the target holding the folders it made;
 *   the resumed create then knows its own earlier write from an adopted file, and records those folders.
 */
import * as posix from "node:path/posix";
import { Readable } from "node:stream";
import { hasCode } from "../errors";
import type { Transport } from "../transport/types";
import { warn } from "../warnings";
import { backupSlot, copyRemote, isNewFileMarkerOf, newFileMarkerFor } from "./backup";
import { type KnownStats, statOf } from "./knownStats";
import { ensureDirs } from "./remoteDirs";
import { remoteSha256 } from "./remoteHash";
import { replaceTarget } from "./replace";
import { sameOwner, whoseSideFile, writerIn, writeSideFile } from "./sideFileGuard";
import { sweepTemporaries } from "./temporaries";

/** What create found at the path before writing. */
export interface Ownership {
    existedBefore: boolean;
    previousSha256?: string;
    /** The copy of the adopted file that destroy puts back. */
    backupPath?: string;
    /** Folders made for the file, by this create or by an interrupted earlier one, outermost first. */
    createdDirs: string[];
    /** The new-file marker finishCreate removes; absent where a stranger's file is at its name. */
    marker?: string;
}

/**
 * Before a create writes `sha256` to `path`: makes the missing folders (when `createParents`), finds out whether the
 * file is adopted (warning when it is), keeps a copy of an adopted file unless `onDelete` is "delete", and leaves the
 * new-file marker while nothing was there. Call {@link finishCreate} afterwards, also after a failure. With
 * `known` (the create's stats so far), a path already looked at is not asked again.
 */
export async function adopt(
    t: Transport,
    path: string,
    sha256: string,
    onDelete: string | undefined,
    createParents: boolean,
    known?: KnownStats,
): Promise<Ownership> {
    const marker = newFileMarkerFor(path, sha256);
    const createdDirs = createParents ? await ensureDirs(t, posix.dirname(path), undefined, known) : [];
    const markerWhose = (await statOf(t, marker, known)) === undefined ? undefined : await whoseSideFile(t, marker);
    const earlier = markerWhose === "ours" ? await markerDirs(t, marker) : undefined;
    // The marker finishCreate may remove: ours, or none there (a stranger's is left alone, as the warning says).
    const ourMarker =
        markerWhose === undefined || markerWhose === "ours" || markerWhose === "linked" ? marker : undefined;
    if (markerWhose !== undefined && markerWhose !== "ours" && markerWhose !== "linked") {
        warn(
            `${t.endpoint}${marker} is ${markerWhose}, not a marker this package left; it was left alone and not read. Someone who can write to that folder may have planted it.`,
        );
    }
    const st = await statOf(t, path, known);
    if (st === undefined || st.kind !== "file") {
        const dirs = [...(earlier ?? []), ...createdDirs];
        if (
            (markerWhose === undefined || markerWhose === "ours" || markerWhose === "linked") &&
            (await statOf(t, posix.dirname(path), known))?.kind === "directory"
        ) {
            // Best effort: without it a resumed create would take its own file for an adopted one (and warn so).
            known?.forget(marker);
            if (markerWhose === "ours" || markerWhose === "linked") {
                await t.remove(marker); // an earlier run's: written again, new and private
            }
            await writeSideFile(t, marker, Readable.from([Buffer.from(JSON.stringify(dirs))])).catch((e: unknown) =>
                hasCode(e, "ALREADY_EXISTS") ? undefined : t.remove(marker).catch(() => undefined),
            );
        }
        return { existedBefore: false, createdDirs: dirs, marker: ourMarker };
    }
    const current = (await remoteSha256(t, path, st.size)).sha256;
    if (earlier !== undefined && current === sha256) {
        return { existedBefore: false, createdDirs: [...earlier, ...createdDirs], marker: ourMarker }; // our own interrupted write
    }
    const slot = await backupSlot(t, path, sha256);
    const backup = slot.backup;
    if (current === sha256 && slot.existing) {
        // An interrupted create of ours replaced the adopted file after copying it: the copy is the file from before.
        const previousSha256 = (await remoteSha256(t, backup)).sha256;
        return { existedBefore: true, previousSha256, backupPath: backup, createdDirs, marker: ourMarker };
    }
    if (onDelete === "delete") {
        warn(
            `${t.endpoint}${path} already existed; this stack now manages it, and with \`onDelete: "delete"\` destroy deletes it (no copy kept).`,
        );
        return { existedBefore: true, previousSha256: current, createdDirs, marker: ourMarker };
    }
    if (slot.existing) {
        await t.remove(backup); // an earlier attempt's copy of what may since have changed: made again
    }
    const lost = await copyRemote(t, path, backup);
    warn(
        `${t.endpoint}${path} already existed; this stack now manages it and keeps the earlier file at ${backup}, which destroy puts back.${lost ? ` Note: ${lost}.` : ""}`,
    );
    return { existedBefore: true, previousSha256: current, backupPath: backup, createdDirs, marker: ourMarker };
}

/** The folders recorded in an interrupted create's marker, or `undefined` when there is no marker. */
async function markerDirs(t: Transport, marker: string): Promise<string[] | undefined> {
    const chunks: Buffer[] = [];
    for await (const c of await t.read(marker)) {
        chunks.push(Buffer.from(c));
    }
    try {
        const dirs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        return Array.isArray(dirs) ? dirs.filter((d): d is string => typeof d === "string") : [];
    } catch {
        return [];
    }
}

/**
 * Removes the new-file marker of a create (done, or failed: then the target was left as it was); never a file a
 * stranger planted at its name (`owned.marker` is absent then).
 */
export async function finishCreate(t: Transport, owned: Ownership): Promise<void> {
    if (owned.marker !== undefined) {
        await t.remove(owned.marker).catch(() => undefined);
    }
}

/** What destroy needs to know of a RemoteFile (its outputs). */
export interface Owned {
    readonly path: string;
    /** What this stack last wrote there. */
    readonly writtenSha256: string;
    readonly existedBefore: boolean;
    readonly backupPath?: string;
    readonly onDelete?: string;
    /** Absent in state from releases before the ownership rules: there `onDelete: "delete"` was the default. */
    readonly stateVersion?: number;
    /** The content is a secret: no hash of it in messages (previews never show one either). */
    readonly contentSecret?: boolean;
}

export type DestroyOutcome = "deleted" | "restored" | "gone" | "left";

/**
 * After a create that failed: removes the copy of the earlier file that `adopt` made, while the target still holds
 * exactly that earlier file (the failed upload left it untouched). Nothing is in the state to restore it from later,
 * so the copy would otherwise stay beside the target forever. A copy that may be the only one left (the target no
 * longer holds the earlier content) is kept.
 */
export async function abandonAdoption(t: Transport, path: string, owned: Ownership): Promise<void> {
    if (owned.backupPath === undefined || owned.previousSha256 === undefined) {
        return;
    }
    if ((await t.stat(path))?.kind !== "file" || (await remoteSha256(t, path)).sha256 !== owned.previousSha256) {
        return;
    }
    await t.remove(owned.backupPath);
}

/**
 * Destroy of one RemoteFile, by the rules in the file comment (the README's "Destroy and replace" table). Sweeps
 * the temporaries and markers an interrupted run of this file left first.
 */
export async function destroyFile(t: Transport, o: Owned): Promise<DestroyOutcome> {
    const dir = posix.dirname(o.path);
    await sweepTemporaries(t, dir, o.path);
    const markers = (await t.list(dir).catch(() => [])).filter((e) => isNewFileMarkerOf(o.path, e.name));
    // Only our own: anyone who can write to the folder can put something at that name (sideFileGuard.ts).
    const me = markers.length > 0 ? await writerIn(t, dir) : undefined;
    for (const e of markers) {
        if (e.stat.kind === "file" && me !== undefined && sameOwner(e.stat, me)) {
            await t.remove(posix.join(dir, e.name));
        }
    }
    const explicitDelete = o.onDelete === "delete" && o.stateVersion !== undefined;
    const restore = o.existedBefore && !explicitDelete;
    const backup =
        o.backupPath !== undefined && (await t.stat(o.backupPath))?.kind === "file" ? o.backupPath : undefined;
    const st = await t.stat(o.path);
    if (st === undefined) {
        if (restore && backup !== undefined) {
            await t.rename(backup, o.path);
            return "restored";
        }
        return "gone";
    }
    const kept = backup === undefined ? "" : ` The file that was there before this stack is kept at ${backup}.`;
    if (st.kind !== "file") {
        warn(
            `${t.endpoint}${o.path} is no longer a file this stack wrote (a ${st.kind} is there now); destroy left it in place.${kept}`,
        );
        return "left";
    }
    const current = (await remoteSha256(t, o.path, st.size)).sha256;
    if (current !== o.writtenSha256) {
        warn(
            `${t.endpoint}${o.path} changed since this stack last wrote it${o.contentSecret === true ? "" : ` (SHA-256 ${current.slice(0, 12)}…, wrote ${o.writtenSha256.slice(0, 12)}…)`}; destroy left it in place.${kept}`,
        );
        return "left";
    }
    if (restore) {
        if (backup === undefined) {
            warn(
                `${t.endpoint}${o.path} existed before this stack first wrote it and no copy of the earlier file was kept (state from an earlier release, or the copy was removed); destroy left it in place. Delete it by hand, or set \`onDelete: "delete"\` and run \`pulumi up\` before destroy.`,
            );
            return "left";
        }
        await replaceTarget(t, backup, o.path); // over the file this stack wrote: never delete it first
        return "restored";
    }
    await t.remove(o.path);
    if (backup !== undefined) {
        await t.remove(backup);
    }
    return "deleted";
}
