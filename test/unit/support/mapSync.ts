/**
 * The map-based tree sync that production used before issue 22's one-walk plan (provider/plan/storedSync.ts): kept
 * here as the reference the stored-form functions are checked against. Written from the maps alone and on purpose
 * apart from the production code (it never calls `planStored` or `foldersOfStored`), so a test that compares the
 * two can fail.
 */
import * as posix from "node:path/posix";
import type { Manifest, ManifestDiff, TreeSync } from "../../../provider/manifest";
import { sameMode } from "../../../provider/mode";
import { changesOf, type TreeChanges } from "../../../provider/plan/treeManifest";
import { outermostFirst } from "../../../provider/remotePaths";

/** Differences from `olds` (what is on the server) to `news` (what the program wants), each list sorted. */
export function diffManifests(olds: Manifest, news: Manifest): ManifestDiff {
    const added: string[] = [];
    const changed: string[] = [];
    const removed: string[] = [];
    for (const [rel, n] of Object.entries(news)) {
        const o = olds[rel];
        if (o === undefined) {
            added.push(rel);
        } else if (o.sha256 !== n.sha256 || o.size !== n.size || !sameMode(o.mode, n.mode)) {
            changed.push(rel);
        }
    }
    for (const rel of Object.keys(olds)) {
        if (!(rel in news)) {
            removed.push(rel);
        }
    }
    return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}

/**
 * The tree sync from `owned` to `news` by the maps: with `prune: false` nothing is removed; content changes are
 * uploaded, mode-only changes are a chmod.
 */
export function planSync(owned: Manifest, news: Manifest, prune: boolean | "all" | undefined): TreeSync {
    const d = diffManifests(owned, news);
    const removed = prune === false ? [] : d.removed;
    const chmodOnly = d.changed.filter((r) => owned[r].sha256 === news[r].sha256 && owned[r].size === news[r].size);
    const chmod = new Set(chmodOnly);
    const upload = [...d.added, ...d.changed.filter((r) => !chmod.has(r))].sort();
    return { ...d, removed, upload, chmodOnly };
}

/** The preview's change list from the maps (`olds` undefined for a new tree), or undefined when nothing changes. */
export function treeChanges(
    olds: Manifest | undefined,
    news: Manifest,
    prune: boolean | "all" | undefined,
    limit?: number,
): TreeChanges | undefined {
    const before = olds ?? {};
    return changesOf(planSync(before, news, prune), before, news, limit);
}

/** Remote folders the manifest's files live in (below `destination`, not including it), outermost first. */
export function foldersOf(destination: string, manifest: Manifest): string[] {
    const dirs = new Set<string>();
    for (const rel of Object.keys(manifest)) {
        let d = posix.dirname(rel);
        while (d !== ".") {
            dirs.add(posix.join(destination, d));
            d = posix.dirname(d);
        }
    }
    return outermostFirst(dirs);
}
