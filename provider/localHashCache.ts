/**
 * A cache of the SHA-256 of a tree's local files (issue 22), so that a program run hashes only the files that
 * changed since the last run instead of every file of the tree.
 *
 * An entry is keyed by the file's stamp: device, inode, size, and the modification and status-change times in
 * nanoseconds. The status-change time (ctime) is set by the kernel on every write, rename or chmod and cannot be set
 * back by programs (`touch -d`, `cp -p`, `rsync -t` and archive tools set the modification time only), so a write
 * that keeps the size and the modification time still changes the stamp. An entry is only kept when both times
 * are more than `RACY_MS` older than the moment the walk began (as git does with its index): a file written in the
 * same instant as the walk, or within the file system's time granularity of it, could be written again after it
 * was read with the same times, and is hashed again next time. A file changed after the walk began has a newer
 * ctime than any kept entry, so it never matches one. What is left: a clock set back, or a file system with
 * timestamps coarser than `RACY_MS`; `FILEDROP_HASH_CACHE=off` turns the cache off.
 *
 * Where: `FILEDROP_HASH_CACHE` (a folder), else `$XDG_CACHE_HOME/pulumi-filedrop/hashes`, else
 * `~/.cache/pulumi-filedrop/hashes`: one file per source folder (by its real path), outside the program's folder
 * and the state, written whole (a temporary and a rename), readable by the user only. A missing, unreadable or
 * damaged cache is an empty one: the files are hashed. The cache only saves work; the provider still checks each
 * uploaded file's SHA-256 against the manifest, and a file changed since the program hashed it is refused there.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** How much older than the walk a file's times must be for its hash to be kept. */
export const RACY_MS = 2000;

const VERSION = 1;

/** A file's stamp (see the module comment), or undefined when it cannot be stat'ed. */
export interface Stamp {
    key: string;
    size: number;
    /** The later of the modification and status-change times, in ms. */
    newestMs: number;
    /** The mode bits (file type and permissions), as `fs.Stats.mode`. */
    mode: number;
}

/** The stamp of the file at `abs` (following a symlink, as the walk does), or undefined. */
export function stampOf(abs: string): Stamp | undefined {
    try {
        const st = fs.statSync(abs, { bigint: true });
        return {
            key: `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`,
            size: Number(st.size),
            newestMs: Math.max(Number(st.mtimeNs / 1_000_000n), Number(st.ctimeNs / 1_000_000n)),
            mode: Number(st.mode),
        };
    } catch {
        return undefined;
    }
}

/** The folder of the cache files, or undefined when the cache is off. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const v = env.FILEDROP_HASH_CACHE;
    if (v === "off" || v === "0" || v === "false") {
        return undefined;
    }
    if (v) {
        return v;
    }
    const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(base, "pulumi-filedrop", "hashes");
}

interface CacheFile {
    v: number;
    root: string;
    /** Relative path -> [stamp key, SHA-256 hex]. */
    entries: Record<string, [string, string]>;
}

/** The hashes of one source folder's files, as last kept. */
export class LocalHashCache {
    private readonly kept = new Map<string, [string, string]>();
    private changed = false;

    private constructor(
        private readonly file: string | undefined,
        private readonly root: string,
        private readonly walkStartedMs: number,
        private readonly old: Record<string, [string, string]>,
    ) {}

    /**
     * The cache of the folder `root` (its real path), for a walk that began at `walkStartedMs`; an empty one when
     * the cache is off, missing or damaged. `dir` is where cache files live (cacheDir()).
     */
    static open(root: string, walkStartedMs: number, dir = cacheDir()): LocalHashCache {
        const real = fs.realpathSync(root);
        if (dir === undefined) {
            return new LocalHashCache(undefined, real, walkStartedMs, {});
        }
        const file = path.join(dir, `${createHash("sha256").update(real).digest("hex").slice(0, 32)}.json`);
        let old: Record<string, [string, string]> = {};
        try {
            const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as CacheFile;
            if (parsed.v === VERSION && parsed.root === real && parsed.entries && typeof parsed.entries === "object") {
                old = parsed.entries;
            }
        } catch {
            // none yet, or unreadable: hash everything
        }
        return new LocalHashCache(file, real, walkStartedMs, old);
    }

    /** The SHA-256 kept for `rel` with this very stamp, or undefined. */
    get(rel: string, stamp: Stamp | undefined): string | undefined {
        const e = stamp === undefined ? undefined : this.old[rel];
        if (e === undefined || !Array.isArray(e) || e[0] !== stamp!.key || !/^[0-9a-f]{64}$/.test(e[1])) {
            return undefined;
        }
        this.kept.set(rel, e);
        return e[1];
    }

    /**
     * Keeps `sha256` (of `size` bytes read) for `rel`, stamped before it was read, unless its times are too close
     * to the walk or the size read is not the stamp's.
     */
    put(rel: string, stamp: Stamp | undefined, sha256: string, size: number): void {
        if (stamp !== undefined && stamp.size === size && stamp.newestMs < this.walkStartedMs - RACY_MS) {
            this.kept.set(rel, [stamp.key, sha256]);
            this.changed = true;
        }
    }

    /** Writes what this walk kept (entries of files no longer walked drop out); a failure only loses the cache. */
    save(): void {
        if (this.file === undefined) {
            return;
        }
        if (!this.changed && this.kept.size === Object.keys(this.old).length) {
            return; // the same entries as on disk
        }
        const tmp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
        try {
            fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
            const body: CacheFile = { v: VERSION, root: this.root, entries: Object.fromEntries(this.kept) };
            fs.writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
            fs.renameSync(tmp, this.file);
        } catch {
            fs.rmSync(tmp, { force: true });
        }
    }
}
