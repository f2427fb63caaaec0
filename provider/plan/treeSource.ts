/**
 * The program-time side of a RemoteTree: walks the local source folder and builds its manifest (relative path ->
 * SHA-256, size, mode), so that preview needs no connection. The rules of the manifest itself (selection, modes,
 * diffs) are pure functions in provider/plan/treeManifest.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { forEachLimit } from "../concurrency";
import { LOCAL_HASHES_IN_FLIGHT } from "../defaults";
import { LocalHashCache, type Stamp, stampOf } from "../localHashCache";
import type { Manifest } from "../manifest";
import { hashCounted, sha256OfFilesShown } from "../progress/localHashing";
import { modesOf, selector, type TreeSelection } from "./treeManifest";

/** A local file found by the walk (its mode and size come from the one stat that stamps it, in buildManifest). */
interface Found {
    rel: string;
    abs: string;
}

/** Folders walked between two turns of the event loop (see walkSource). */
const FOLDERS_PER_TURN = 8;
/** Files stamped between two turns of the event loop. */
const STAMPS_PER_TURN = 1000;

/** One turn of the event loop: I/O that is due (the gRPC calls the program already made) goes out meanwhile. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Sorts folder entries as `a.localeCompare(b)` does (the walk's order), with one collator instead of one per call. */
const byName = new Intl.Collator().compare;

/**
 * A name with a line break cannot be sent as a path (FTP puts paths on a line of their own, and check refuses it
 * in any remote path), and globs do not match it as they would its other letters (`**` never does). It is matched
 * as if the line break were a space, so that `include`/`exclude` treat it like any other name, and reported as a
 * problem when selected: never silently left out.
 */
function matchableName(rel: string): string {
    return rel.replace(/[\r\n]/g, " ");
}

/**
 * Walks `root` and lists the selected files. Symlinks are followed when they resolve inside `root` and reported
 * as problems when they point outside it (or nowhere); a selected file with a line break in its name is reported
 * as a problem; anything else but files and folders is skipped. A file is known by its folder entry's type, with no
 * stat of its own (buildManifest stats each file once). The walk lets the event loop turn first and every few folders: a
 * program's other calls (the early start of the provider host, sdk/providerStart.ts) go out while it walks a big
 * tree, instead of after it (issue 22).
 */
export async function walkSource(root: string, sel: TreeSelection): Promise<{ files: Found[]; problems: string[] }> {
    const files: Found[] = [];
    const problems: string[] = [];
    const realRoot = fs.realpathSync(root);
    const pick = selector(sel);
    const visited = new Set<string>([realRoot]);
    let folders = 0;
    const walk = async (absDir: string, relDir: string): Promise<void> => {
        if (folders++ % FOLDERS_PER_TURN === 0) {
            await nextTurn();
        }
        for (const e of fs.readdirSync(absDir, { withFileTypes: true }).sort((a, b) => byName(a.name, b.name))) {
            const rel = relDir === "" ? e.name : `${relDir}/${e.name}`;
            const abs = path.join(absDir, e.name);
            let isDir = e.isDirectory();
            let isFile = e.isFile();
            if (e.isSymbolicLink()) {
                let real: string;
                try {
                    real = fs.realpathSync(abs);
                } catch {
                    problems.push(`symlink "${rel}" points to nothing; remove it or exclude it`);
                    continue;
                }
                if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
                    problems.push(
                        `symlink "${rel}" points outside the source folder (to ${real}); copy the file in or exclude it`,
                    );
                    continue;
                }
                const st = fs.statSync(abs);
                isDir = st.isDirectory();
                isFile = st.isFile();
                if (isDir) {
                    if (visited.has(real)) {
                        continue;
                    }
                    visited.add(real);
                }
            }
            if (isDir) {
                if (!pick.skipDir(matchableName(rel))) {
                    await walk(abs, rel);
                }
            } else if (isFile && pick.file(matchableName(rel))) {
                if (/[\r\n]/.test(rel)) {
                    problems.push(
                        `file ${JSON.stringify(rel)} has a line break in its name, which cannot be sent as a remote path; rename it or exclude it`,
                    );
                    continue;
                }
                files.push({ rel, abs });
            }
        }
    };
    await walk(root, "");
    return { files, problems };
}

/** The mode bits of a local file (following a symlink), 0 when it cannot be stat'ed. */
function localModeOf(abs: string): number {
    try {
        return fs.statSync(abs).mode;
    } catch {
        return 0;
    }
}

/**
 * Builds the manifest of the selected files of `root`, hashing several files at once; files unchanged since an
 * earlier run take their hash from the local hash cache (provider/localHashCache.ts, issue 22).
 */
export async function buildManifest(
    root: string,
    sel: TreeSelection,
): Promise<{ manifest: Manifest; problems: string[] }> {
    const walkStarted = Date.now();
    const { files, problems } = await walkSource(root, sel);
    const manifest: Manifest = {};
    const modeFor = modesOf(sel.modes);
    const cache = LocalHashCache.open(root, walkStarted);
    const stamps = new Map<string, Stamp | undefined>();
    const toHash: Found[] = [];
    for (const [i, f] of files.entries()) {
        if (i % STAMPS_PER_TURN === STAMPS_PER_TURN - 1) {
            await nextTurn();
        }
        // The one stat of the file: the cache's stamp, its size and its local mode (the exec bit).
        const stamp = stampOf(f.abs);
        const sha256 = cache.get(f.rel, stamp);
        if (sha256 !== undefined) {
            manifest[f.rel] = { sha256, size: stamp!.size, mode: modeFor(f.rel, stamp!.mode) };
        } else {
            stamps.set(f.abs, stamp);
            toHash.push(f);
        }
    }
    const byAbs = new Map(toHash.map((f) => [f.abs, f]));
    const errors = await sha256OfFilesShown(
        toHash.map((f) => f.abs),
        `Hashing ${root}`,
        (abs, counted) => hashCounted(abs, counted, stamps.get(abs)?.size),
        (abs, { sha256, size }) => {
            const f = byAbs.get(abs)!;
            const stamp = stamps.get(abs);
            // A file that could not be stat'ed but was read after all (put back meanwhile): mode from its read.
            manifest[f.rel] = { sha256, size, mode: modeFor(f.rel, stamp?.mode ?? localModeOf(abs)) };
            cache.put(f.rel, stamp, sha256, size);
        },
        (work) => forEachLimit(toHash, LOCAL_HASHES_IN_FLIGHT, (f) => work(f.abs)),
        toHash.reduce((n, f) => n + (stamps.get(f.abs)?.size ?? 0), 0),
    );
    if (errors.length > 0) {
        throw errors[0];
    }
    cache.save();
    const sorted: Manifest = {};
    for (const k of Object.keys(manifest).sort()) {
        sorted[k] = manifest[k];
    }
    return { manifest: sorted, problems };
}
