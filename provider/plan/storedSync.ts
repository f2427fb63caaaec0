/**
 * A tree sync planned from the stored manifests themselves (issue 22): both are in sorted path order, so one merge
 * walk over them (plan/manifestWalk.ts) gives what a diff of their maps would give (the unit tests compare it with
 * one), keeping only the names that change and the entries of those files, never a map of every file. At 50,000 files this is what keeps the
 * provider's memory near the host's: an unchanged file costs a line compared, not an object kept. Pure functions.
 */
import * as posix from "node:path/posix";
import type { Manifest, TreeSync } from "../manifest";
import { outermostFirst } from "../remotePaths";
import type { StoredManifest } from "./manifestCodec";
import { ManifestCursor, ManifestWriter } from "./manifestWalk";
import { changesOf, type TreeChanges } from "./treeManifest";

/** A sync plan with the entries of the files it names (and of no other). */
export interface StoredSync extends TreeSync {
    /** The new manifest's entries of the files added and changed (uploaded, or given a new mode). */
    readonly wanted: Manifest;
    /** The old manifest's entries of the files changed and removed (also with `prune: false`). */
    readonly given: Manifest;
}

/**
 * The one record of a tree sync from the stored manifest `olds` (what the tree owns; undefined or {} for a new tree)
 * to `news`: with `prune: false` nothing is removed; content changes are uploaded, mode-only changes are a chmod.
 * Every list is sorted.
 */
export function planStored(
    olds: StoredManifest | undefined,
    news: StoredManifest,
    prune: boolean | "all" | undefined,
): StoredSync {
    const o = new ManifestCursor(olds);
    const n = new ManifestCursor(news);
    const plan = {
        added: [] as string[],
        changed: [] as string[],
        removed: [] as string[],
        upload: [] as string[],
        chmodOnly: [] as string[],
        wanted: {} as Manifest,
        given: {} as Manifest,
    };
    let hasOld = o.next();
    let hasNew = n.next();
    while (hasOld || hasNew) {
        if (hasNew && (!hasOld || n.rel < o.rel)) {
            plan.added.push(n.rel);
            plan.upload.push(n.rel);
            plan.wanted[n.rel] = n.entry();
            hasNew = n.next();
        } else if (hasOld && (!hasNew || o.rel < n.rel)) {
            plan.removed.push(o.rel);
            plan.given[o.rel] = o.entry();
            hasOld = o.next();
        } else {
            const sameContent = o.sha === n.sha && o.size === n.size;
            if (!sameContent || o.mode !== n.mode) {
                plan.changed.push(n.rel);
                (sameContent ? plan.chmodOnly : plan.upload).push(n.rel);
                plan.wanted[n.rel] = n.entry();
                plan.given[o.rel] = o.entry();
            }
            hasOld = o.next();
            hasNew = n.next();
        }
    }
    return prune === false ? { ...plan, removed: [] } : plan;
}

/**
 * The preview's change list (the RemoteTree's `changes` input) from the stored manifest `olds` (the last deployed
 * one; undefined for a new tree) to `news`, or undefined when nothing changes: one walk, then `changesOf` with the
 * entries of only the files named. With `prune: false` nothing is removed.
 */
export function storedChanges(
    olds: StoredManifest | undefined,
    news: StoredManifest,
    prune: boolean | "all" | undefined,
    limit?: number,
): TreeChanges | undefined {
    const plan = planStored(olds, news, prune);
    return changesOf(plan, plan.given, plan.wanted, limit);
}

/** True when two stored manifests hold the same files (any form), compared line by line. */
export function sameStored(a: StoredManifest | undefined, b: StoredManifest | undefined): boolean {
    if (typeof a === "string" && a === b) {
        return true;
    }
    const x = new ManifestCursor(a);
    const y = new ManifestCursor(b);
    for (;;) {
        const more = x.next();
        if (more !== y.next()) {
            return false;
        }
        if (!more) {
            return true;
        }
        if (x.rel !== y.rel || x.sha !== y.sha || x.size !== y.size || x.mode !== y.mode) {
            return false;
        }
    }
}

/**
 * Remote folders the stored manifest's files live in (below `destination`, not including it), outermost first: one
 * folder string per folder rather than per file (the walk is in path order, so a file's folder is most often the
 * previous file's).
 */
export function foldersOfStored(destination: string, stored: StoredManifest | undefined): string[] {
    const dirs = new Set<string>();
    const c = new ManifestCursor(stored);
    let last = "";
    while (c.next()) {
        const cut = c.rel.lastIndexOf("/");
        if (cut < 0 || (cut === last.length && c.rel.startsWith(last))) {
            continue;
        }
        last = c.rel.slice(0, cut);
        for (let d = last; d !== "."; d = posix.dirname(d)) {
            const p = posix.join(destination, d);
            if (dirs.has(p)) {
                break; // its parents are in already
            }
            dirs.add(p);
        }
    }
    return outermostFirst(dirs);
}

/**
 * The packed manifest of what a tree owns after a sync: `owned` (stored) without the files `removed`, with the modes
 * of `chmod` (relative path -> mode) and the entries of `uploaded` (which win), written in one walk.
 */
export function ownedAfter(
    owned: StoredManifest | undefined,
    removed: readonly string[],
    chmod: Readonly<Record<string, string>>,
    uploaded: Manifest,
): string {
    const gone = new Set(removed);
    const put = Object.keys(uploaded).sort();
    const w = new ManifestWriter();
    const c = new ManifestCursor(owned);
    let i = 0;
    const putUntil = (rel: string | undefined) => {
        for (; i < put.length && (rel === undefined || put[i] < rel); i++) {
            w.addEntry(put[i], uploaded[put[i]]);
        }
    };
    while (c.next()) {
        putUntil(c.rel);
        if (i < put.length && put[i] === c.rel) {
            w.addEntry(put[i], uploaded[put[i]]);
            i++;
        } else if (!gone.has(c.rel)) {
            w.add(c.rel, c.sha, c.size, chmod[c.rel] ?? c.mode);
        }
    }
    putUntil(undefined);
    return w.finish();
}
