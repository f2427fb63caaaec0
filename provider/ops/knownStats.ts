/**
 * What one operation (one create or update of a RemoteFile) already learned about remote paths, so that it asks
 * the server once per path instead of once per step (issue 13: a create made 9 stats, several of the same path).
 * It lives for one operation only (made inside the `withTransport` callback, so a retry starts afresh) and is
 * passed down explicitly. Whatever the operation itself changes is recorded (`saw`) or dropped (`forget`). Checks
 * that verify (the staged file's size, the stat after the rename) always ask the server and never use it.
 */
import * as posix from "node:path/posix";
import type { RemoteEntry, RemoteStat, Transport } from "../transport/types";

export class KnownStats {
    private readonly stats = new Map<string, RemoteStat | undefined>();
    /** Folders whose complete listing was seen, with the names in it: a name not in it is absent. */
    private readonly listed = new Map<string, Set<string>>();

    /**
     * @param keep Which paths the listings are kept for (default: every one): a folder's listing is recorded only
     * when `keep(folder)`, and of its entries only the stats of those with `keep(path)`. A RemoteTree keeps those of
     * the files it writes and of their folders: the listings of every folder of a 50,000-file tree otherwise hold a
     * path and a stat per file for the whole operation (issue 22). What was not kept is asked when needed.
     */
    constructor(private readonly keep: (path: string) => boolean = () => true) {}

    /** The stat of `path` (`undefined`: nothing there) as this operation last saw it, else the server's answer. */
    async stat(t: Transport, path: string): Promise<RemoteStat | undefined> {
        if (this.stats.has(path)) {
            return this.stats.get(path);
        }
        if (this.listed.get(posix.dirname(path))?.has(posix.basename(path)) === false) {
            return undefined;
        }
        const st = await t.stat(path);
        this.stats.set(path, st);
        return st;
    }

    /**
     * Whether this operation already knows that nothing is at `path`: it saw nothing there, or a complete listing of
     * the folder left it out, or the same holds for a folder above it. Never asks the server; false means "ask".
     */
    absent(path: string): boolean {
        for (let p = path; p !== posix.dirname(p); p = posix.dirname(p)) {
            if (this.stats.has(p)) {
                return this.stats.get(p) === undefined; // something is there: what is below it is not known here
            }
            const names = this.listed.get(posix.dirname(p));
            if (names !== undefined) {
                return !names.has(posix.basename(p)); // listed: something is there, as above
            }
        }
        return false;
    }

    /** Records what is at `path` now (after this operation made or removed it). */
    saw(path: string, st: RemoteStat | undefined): void {
        this.stats.set(path, st);
    }

    /** Records a complete listing of `dir`; a stat already seen is kept (a stat can tell more than a listing). */
    sawListing(dir: string, entries: readonly RemoteEntry[]): void {
        if (!this.keep(dir)) {
            return;
        }
        const names = new Set<string>();
        for (const e of entries) {
            names.add(e.name);
            const p = posix.join(dir, e.name);
            if (!this.stats.has(p) && this.keep(p)) {
                this.stats.set(p, e.stat);
            }
        }
        this.listed.set(dir, names);
    }

    /** Drops what is known of `path` (this operation wrote it, so it must be asked again). */
    forget(path: string): void {
        this.stats.delete(path);
        this.listed.delete(posix.dirname(path));
    }
}

/** `t.stat(path)`, answered from `known` when the operation passes one. */
export function statOf(t: Transport, path: string, known?: KnownStats): Promise<RemoteStat | undefined> {
    return known === undefined ? t.stat(path) : known.stat(t, path);
}
