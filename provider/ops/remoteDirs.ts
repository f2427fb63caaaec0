/** `mkdir -p` that remembers what it created, and its undo. Protocol-neutral (uses Transport). */
import * as posix from "node:path/posix";
import { FiledropError, notAFolder } from "../errors";
import { innermostFirst, isAncestorOrSelf } from "../remotePaths";
import { describeEntry } from "../transport/describeEntry";
import type { RemoteStat, Transport } from "../transport/types";
import { type KnownStats, statOf } from "./knownStats";
import { sameOwner, writerIn } from "./sideFileGuard";

/**
 * Creates `dir` and its missing parents. Returns the folders it created, outermost first, so that destroy can
 * remove exactly those (and only while they are empty). With `known`, stats come from and go to it.
 */
export async function ensureDirs(t: Transport, dir: string, mode?: number, known?: KnownStats): Promise<string[]> {
    const missing: string[] = [];
    let cur = dir;
    while (cur !== "/") {
        const st = await statOf(t, cur, known);
        if (st) {
            if (st.kind !== "directory" && st.kind !== "symlink") {
                throw notAFolder(t.endpoint, cur);
            }
            if (st.kind === "symlink") {
                await trustFolderLink(t, cur, st, known);
            }
            break;
        }
        missing.unshift(cur);
        cur = posix.dirname(cur);
    }
    const created: string[] = [];
    for (const d of missing) {
        try {
            await t.mkdir(d, mode);
            created.push(d);
            known?.saw(d, { kind: "directory", size: 0 }); // this operation just made it
        } catch (e) {
            // Another resource of the same deployment may have created it meanwhile: then it is not ours.
            const st = await t.stat(d);
            known?.saw(d, st);
            if (st?.kind !== "directory") {
                throw e;
            }
        }
    }
    return created;
}

/**
 * A symlink met where a folder is wanted is followed only when root, the user the server writes as, or the owner of
 * the folder holding it made it (as Linux's `protected_symlinks` reasons): anyone else who can write to that folder
 * could have planted it to send the files somewhere else. A symlinked folder a person set up stays usable.
 */
async function trustFolderLink(t: Transport, path: string, link: RemoteStat, known?: KnownStats): Promise<void> {
    if (link.uid === 0 || (link.uid === undefined && link.owner === "root")) {
        return;
    }
    const holder = posix.dirname(path);
    const parent = await statOf(t, holder, known);
    if (parent !== undefined && sameOwner(link, parent)) {
        return;
    }
    const me = await writerIn(t, holder);
    if (me !== undefined && sameOwner(link, me)) {
        return;
    }
    throw new FiledropError(
        "REMOTE_IO",
        `${t.endpoint}${path} is ${describeEntry(link)} where a folder is wanted, made by neither root, the login user nor the owner of ${holder}; it was not followed and nothing was written through it. Someone who can write to ${holder} may have planted it: remove it or replace it with a folder, then run the deployment again.`,
    );
}

/**
 * Folders a resource created but could not remove yet because they were not empty, per endpoint, for this provider
 * process (one process serves every dynamic resource of a deployment). Pulumi deletes sibling resources in
 * parallel: the one that created a shared parent may be deleted while its siblings' files are still in it, so
 * whoever empties the folder later removes it. Only folders some resource created are ever recorded.
 */
const pending = new Map<string, Set<string>>();

function pendingOf(endpoint: string): Set<string> {
    let set = pending.get(endpoint);
    if (!set) {
        set = new Set();
        pending.set(endpoint, set);
    }
    return set;
}

/**
 * The folders to try to remove, innermost first: the caller's own `created` ones, and the recorded ones (created
 * by a deleted resource, not empty then) that are above `freed`, `freed` itself or below it, or above one of
 * `created`. Never a folder that is in neither list.
 */
export function foldersToRetry(created: readonly string[], recorded: Iterable<string>, freed?: string): string[] {
    const all = new Set(created);
    for (const d of recorded) {
        const nearFreed = freed !== undefined && (isAncestorOrSelf(d, freed) || isAncestorOrSelf(freed, d));
        if (nearFreed || created.some((c) => c !== d && isAncestorOrSelf(d, c))) {
            all.add(d);
        }
    }
    return innermostFirst(all);
}

/**
 * Removes the folders a resource created (`created`), innermost first, each only if it is empty, and returns those
 * removed. A delete passes as `freed` the path it just removed (a file, or a tree's destination): then the folders
 * of `created` that are not empty yet (a sibling resource's file is still in one) are recorded, and the recorded
 * folders above or below `freed` are tried again, so the last of the siblings to go removes them. Without `freed`
 * (cleanup after a failed upload, a prune) nothing is recorded.
 */
export async function removeEmptyDirs(t: Transport, created: readonly string[], freed?: string): Promise<string[]> {
    const recorded = pendingOf(t.endpoint);
    if (freed !== undefined) {
        // Record before looking: a sibling that empties the folder after our listing then finds it recorded.
        for (const d of created) {
            recorded.add(d);
        }
    }
    const removed: string[] = [];
    const kept: string[] = [];
    for (const d of foldersToRetry(created, recorded, freed)) {
        if (kept.some((k) => isAncestorOrSelf(d, k))) {
            continue; // A folder below it stays, so it is not empty.
        }
        let outcome: "removed" | "gone" | "kept";
        try {
            outcome = await removeIfEmpty(t, d);
        } catch (e) {
            if (created.includes(d)) {
                throw e;
            }
            outcome = "kept"; // Another resource's folder: its failure must not fail this delete.
        }
        if (outcome === "kept") {
            kept.push(d);
        } else {
            recorded.delete(d);
            if (outcome === "removed") {
                removed.push(d);
            }
        }
    }
    return removed;
}

/** "gone" when nothing (or no folder) is at `d`; "kept" when it is not empty, even after a failed rmdir. */
async function removeIfEmpty(t: Transport, d: string): Promise<"removed" | "gone" | "kept"> {
    if ((await t.stat(d))?.kind !== "directory") {
        return "gone"; // Gone already, or something else took its place: not a folder of ours any more.
    }
    if ((await t.list(d)).length > 0) {
        return "kept";
    }
    try {
        await t.rmdir(d);
        return "removed";
    } catch (e) {
        // A sibling removed it meanwhile, or an entry arrived meanwhile: both are fine.
        if ((await t.stat(d)) === undefined) {
            return "gone";
        }
        if ((await t.list(d)).length > 0) {
            return "kept";
        }
        throw e;
    }
}

/** Removes `dir` with everything below it (symlinks are removed, never followed); succeeds if it is already gone. */
export async function removeRecursive(t: Transport, dir: string): Promise<void> {
    const st = await t.stat(dir);
    if (!st) {
        return;
    }
    if (st.kind !== "directory") {
        await t.remove(dir);
        return;
    }
    for (const e of await t.list(dir)) {
        const p = posix.join(dir, e.name);
        if (e.stat.kind === "directory") {
            await removeRecursive(t, p);
        } else {
            await t.remove(p);
        }
    }
    await t.rmdir(dir);
}
