/** Removing a RemoteTree's files, and its stale temporaries. */
import { forEachLimit } from "../concurrency";
import { FOLDERS_IN_FLIGHT, REMOVES_IN_FLIGHT } from "../defaults";
import type { Manifest } from "../manifest";
import { remotePathOf } from "../plan/treeManifest";
import { innermostFirst } from "../remotePaths";
import type { Transport } from "../transport/types";
import type { KnownStats } from "./knownStats";
import { removeEmptyDirs } from "./remoteDirs";
import { sweepTemporaries } from "./temporaries";

/** Removes the given files (already-gone is fine), then the created folders that are now empty, deepest first. */
export async function removeFiles(
    t: Transport,
    destination: string,
    rels: string[],
    createdDirs: string[],
): Promise<string[]> {
    const errors = await forEachLimit(rels, REMOVES_IN_FLIGHT, (rel) => t.remove(remotePathOf(destination, rel)));
    if (errors.length > 0) {
        throw errors[0];
    }
    const removed: string[] = [];
    for (const d of innermostFirst(createdDirs)) {
        removed.push(...(await removeEmptyDirs(t, [d])));
    }
    return removed;
}

/**
 * Removes temporaries left by an interrupted earlier run in the given folders (those that exist). With `known`,
 * the folders' listings are recorded there (what the operation learns of the files in them).
 */
export async function sweepFolders(t: Transport, folders: string[], known?: KnownStats): Promise<void> {
    await forEachLimit(
        folders,
        FOLDERS_IN_FLIGHT,
        async (dir) => void (await sweepTemporaries(t, dir, undefined, undefined, known)),
    );
}

/** The files of a manifest that `owned` does not have: used to find strays with `prune: "all"`. */
export function notIn(rels: readonly string[], ...manifests: Manifest[]): string[] {
    return rels.filter((r) => manifests.every((m) => !(r in m)));
}
