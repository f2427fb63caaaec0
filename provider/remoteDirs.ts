/** `mkdir -p` that remembers what it created, and its undo. Protocol-neutral (uses Transport). */
import * as posix from "path/posix";
import { FiledropError } from "./errors";
import { Transport } from "./transport/types";

/**
 * Creates `dir` and its missing parents. Returns the folders it created, outermost first, so that destroy can
 * remove exactly those (and only while they are empty).
 */
export async function ensureDirs(t: Transport, dir: string, mode?: number): Promise<string[]> {
    const missing: string[] = [];
    let cur = dir;
    while (cur !== "/") {
        const st = await t.stat(cur);
        if (st) {
            if (st.kind !== "directory" && st.kind !== "symlink") {
                throw new FiledropError("REMOTE_IO", `${t.endpoint}${cur} exists and is not a directory; remove it or choose another path.`);
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
        } catch (e) {
            // Another resource of the same deployment may have created it meanwhile: then it is not ours.
            if ((await t.stat(d))?.kind !== "directory") {
                throw e;
            }
        }
    }
    return created;
}

/** Removes the given folders innermost first, each only if it is empty; stops at the first that is not. */
export async function removeEmptyDirs(t: Transport, created: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const d of [...created].sort((a, b) => b.length - a.length)) {
        const st = await t.stat(d);
        if (!st) {
            continue;
        }
        if (st.kind !== "directory" || (await t.list(d)).length > 0) {
            break;
        }
        await t.rmdir(d);
        removed.push(d);
    }
    return removed;
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
