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

/** A local file found by the walk. */
interface Found {
    rel: string;
    abs: string;
    localMode: number;
    /** Its size when the walk saw it (for the progress line and the choice of how to read it). */
    size: number;
}

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
 * as a problem; anything else but files and folders is skipped.
 */
export function walkSource(root: string, sel: TreeSelection): { files: Found[]; problems: string[] } {
    const files: Found[] = [];
    const problems: string[] = [];
    const realRoot = fs.realpathSync(root);
    const pick = selector(sel);
    const visited = new Set<string>([realRoot]);
    const walk = (absDir: string, relDir: string) => {
        for (const e of fs.readdirSync(absDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const rel = relDir === "" ? e.name : `${relDir}/${e.name}`;
            const abs = path.join(absDir, e.name);
            let st = fs.lstatSync(abs);
            if (st.isSymbolicLink()) {
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
                st = fs.statSync(abs);
                if (st.isDirectory()) {
                    if (visited.has(real)) {
                        continue;
                    }
                    visited.add(real);
                }
            }
            if (st.isDirectory()) {
                if (!pick.skipDir(matchableName(rel))) {
                    walk(abs, rel);
                }
            } else if (st.isFile() && pick.file(matchableName(rel))) {
                if (/[\r\n]/.test(rel)) {
                    problems.push(
                        `file ${JSON.stringify(rel)} has a line break in its name, which cannot be sent as a remote path; rename it or exclude it`,
                    );
                    continue;
                }
                files.push({ rel, abs, localMode: st.mode, size: st.size });
            }
        }
    };
    walk(root, "");
    return { files, problems };
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
    const { files, problems } = walkSource(root, sel);
    const manifest: Manifest = {};
    const modeFor = modesOf(sel.modes);
    const cache = LocalHashCache.open(root, walkStarted);
    const stamps = new Map<string, Stamp | undefined>();
    const toHash = files.filter((f) => {
        const stamp = stampOf(f.abs);
        const sha256 = cache.get(f.rel, stamp);
        if (sha256 !== undefined) {
            manifest[f.rel] = { sha256, size: stamp!.size, mode: modeFor(f.rel, f.localMode) };
            return false;
        }
        stamps.set(f.abs, stamp);
        return true;
    });
    const byAbs = new Map(toHash.map((f) => [f.abs, f]));
    const errors = await sha256OfFilesShown(
        toHash.map((f) => f.abs),
        `Hashing ${root}`,
        (abs, counted) => hashCounted(abs, counted, byAbs.get(abs)!.size),
        (abs, { sha256, size }) => {
            const f = byAbs.get(abs)!;
            manifest[f.rel] = { sha256, size, mode: modeFor(f.rel, f.localMode) };
            cache.put(f.rel, stamps.get(abs), sha256, size);
        },
        (work) => forEachLimit(toHash, LOCAL_HASHES_IN_FLIGHT, (f) => work(f.abs)),
        toHash.reduce((n, f) => n + f.size, 0),
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
