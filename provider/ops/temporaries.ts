/**
 * Temporaries: the names uploads write to before the rename, and the one sweep that removes those an interrupted
 * run left behind. A temporary is `.<name>.filedrop-<12 hex>` in the target's folder; a backup
 * (`.<name>.filedrop-backup`) never matches.
 */
import { randomBytes } from "node:crypto";
import * as posix from "node:path/posix";
import { isTemporaryName, sideFilePath, sideFilePrefix } from "../sideFiles";
import type { RemoteEntry, Transport } from "../transport/types";
import type { KnownStats } from "./knownStats";

/** A fresh temporary path for `target`, in the same folder (so the rename stays on one file system). */
export function temporaryPathFor(target: string): string {
    return sideFilePath(target, randomBytes(6).toString("hex"));
}

/**
 * The resumable temporary of `target` for content with SHA-256 `sha256`: named after the content, so the next
 * attempt at the same bytes finds it and continues it (ops/stage.ts), and any other content's run sweeps it.
 * The name has the shape of every temporary, so every sweep knows it.
 */
export function resumableTemporaryFor(target: string, sha256: string): string {
    return sideFilePath(target, sha256);
}

/**
 * Removes stale temporaries from folder `dir` (a missing folder has none): all of them, or with `target` only
 * those of that file; never the one at path `keep` (the resumable temporary the caller is about to continue).
 * Returns how many it removed. With `known`, the listing (and the removals) are recorded there.
 */
export async function sweepTemporaries(
    t: Transport,
    dir: string,
    target?: string,
    keep?: string,
    known?: KnownStats,
): Promise<number> {
    const prefix = target === undefined ? "" : sideFilePrefix(target);
    let removed = 0;
    let entries: RemoteEntry[] = [];
    try {
        entries = await t.list(dir);
        known?.sawListing(dir, entries);
    } catch {
        // A missing folder has no temporaries.
    }
    for (const e of entries) {
        // The name first: a path string per entry of a 50,000-file tree's folders is garbage for nothing (issue 22).
        if (!e.name.startsWith(prefix) || !isTemporaryName(e.name) || e.stat.kind !== "file") {
            continue;
        }
        const path = posix.join(dir, e.name);
        if (path !== keep) {
            await t.remove(path);
            known?.saw(path, undefined);
            removed++;
        }
    }
    return removed;
}
