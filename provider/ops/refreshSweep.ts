/**
 * The sweep of a refresh (RemoteFile read): removes the temporaries of a file that interrupted runs left, except the
 * newest one, which is the partial upload an interrupted `pulumi up` left for the content the program declares: the
 * next `up` continues it (ops/stage.ts), so a `pulumi refresh` in between, which Pulumi advises after an interruption,
 * must not throw it away (issue 19 item 8). Refresh reads the state, not the program, so it cannot tell the declared
 * content by name; the newest temporary is the last upload tried. Any other is stale, and one the program no longer
 * wants is swept by the next `up` of the file (or its destroy).
 */
import * as posix from "node:path/posix";
import { isTemporaryName, sideFilePrefix } from "../sideFiles";
import type { RemoteEntry, Transport } from "../transport/types";

/** Removes every temporary of `target` in `dir` but the newest (latest mtime, then largest); returns how many. */
export async function sweepButNewest(t: Transport, dir: string, target: string): Promise<number> {
    let entries: RemoteEntry[] = [];
    try {
        entries = await t.list(dir);
    } catch {
        return 0; // a missing folder has no temporaries
    }
    const prefix = sideFilePrefix(target);
    const stale = entries
        .filter((e) => e.name.startsWith(prefix) && isTemporaryName(e.name) && e.stat.kind === "file")
        .sort((a, b) => (b.stat.mtime ?? 0) - (a.stat.mtime ?? 0) || b.stat.size - a.stat.size)
        .slice(1);
    for (const e of stale) {
        await t.remove(posix.join(dir, e.name));
    }
    return stale.length;
}
