/**
 * The program-time side of a RemoteTree: walks the local source folder and builds its manifest (relative path ->
 * SHA-256, size, mode), so that preview needs no connection. The rules of the manifest itself (selection, modes,
 * diffs) are pure functions in provider/plan/treeManifest.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { LOCAL_HASHES_IN_FLIGHT } from "../provider/defaults";
import { sha256OfFile } from "../provider/hashing";
import { forEachLimit } from "../provider/ops/concurrency";
import { Manifest, modeFor, selector, TreeSelection } from "../provider/plan/treeManifest";

/** A local file found by the walk. */
interface Found {
    rel: string;
    abs: string;
    localMode: number;
}

/**
 * Walks `root` and lists the selected files. Symlinks are followed when they resolve inside `root` and reported
 * as problems when they point outside it (or nowhere); anything else but files and folders is skipped.
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
                    problems.push(`symlink "${rel}" points outside the source folder (to ${real}); copy the file in or exclude it`);
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
                if (!pick.skipDir(rel)) {
                    walk(abs, rel);
                }
            } else if (st.isFile() && pick.file(rel)) {
                files.push({ rel, abs, localMode: st.mode });
            }
        }
    };
    walk(root, "");
    return { files, problems };
}

/** Builds the manifest of the selected files of `root`, hashing several files at once. */
export async function buildManifest(root: string, sel: TreeSelection): Promise<{ manifest: Manifest; problems: string[] }> {
    const { files, problems } = walkSource(root, sel);
    const manifest: Manifest = {};
    const errors = await forEachLimit(files, LOCAL_HASHES_IN_FLIGHT, async (f) => {
        const { sha256, size } = await sha256OfFile(f.abs);
        manifest[f.rel] = { sha256, size, mode: modeFor(f.rel, sel.modes, f.localMode) };
    });
    if (errors.length > 0) {
        throw errors[0];
    }
    const sorted: Manifest = {};
    for (const k of Object.keys(manifest).sort()) {
        sorted[k] = manifest[k];
    }
    return { manifest: sorted, problems };
}
