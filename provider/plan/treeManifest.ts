/**
 * The manifest of a RemoteTree: relative path -> SHA-256, size and mode of every file the tree mirrors. Built from
 * the local folder at program time (plan/treeSource.ts, so preview needs no connection), diffed against the manifest
 * of what the tree last put on the server. Everything here is pure: no network, no file system.
 *
 * Globs are matched with picomatch, the matcher behind micromatch, fast-glob, chokidar and anymatch: no
 * dependencies of its own, bash-like semantics people already know from .gitignore-style patterns, and no file
 * system access (we walk the folder ourselves, so symlinks are judged by our rules).
 */
import * as posix from "node:path/posix";

import picomatch = require("picomatch");

import { CHANGES_LIMIT, DEFAULT_EXECUTABLE_MODE, DEFAULT_FILE_MODE } from "../defaults";
import type { Manifest, ManifestDiff, TreeEntry, TreeSync } from "../manifest";
import { formatMode, normalizeMode, sameMode } from "../mode";

/** How files are selected and given modes. */
export interface TreeSelection {
    /**
     * Globs of relative paths to include. Absent: everything (dotfiles too). An empty list selects no file: a list
     * that a program computes (a rotation with nothing due) must never turn into "every file".
     */
    include?: string[];
    /** Globs of relative paths (files or folders) to leave out; wins over `include`. */
    exclude?: string[];
    /** Glob -> octal mode; the first matching pattern, in the order given, wins. */
    modes?: Record<string, string>;
}

const MATCH_OPTIONS = { dot: true };
const MAX_REL = 4096;

/** Problems with a manifest's relative path, or undefined: it must stay below the tree's root. */
export function relativePathProblem(rel: string): string | undefined {
    if (rel === "" || rel.includes("\0") || /[\r\n]/.test(rel)) {
        // A line break would smuggle another command into FTP's one-line path arguments.
        return `${JSON.stringify(rel.slice(0, 200))} is not a usable relative path (empty, or containing NUL or a line break)`;
    }
    if (rel.startsWith("/") || rel.split("/").some((s) => s === "" || s === "." || s === "..")) {
        return `"${rel.slice(0, 200)}" must be a plain relative path with no empty, "." or ".." segments`;
    }
    if (rel.length > MAX_REL || rel.split("/").some((s) => Buffer.byteLength(s) > 255)) {
        return `"${rel.slice(0, 200)}…" is too long (a name over 255 bytes or a path over ${MAX_REL} characters)`;
    }
    return undefined;
}

/** The remote path of a relative path below `destination`; throws if it would leave it. */
export function remotePathOf(destination: string, rel: string): string {
    const p = posix.join(destination, rel);
    const root = destination.endsWith("/") ? destination : `${destination}/`;
    if (relativePathProblem(rel) !== undefined || !p.startsWith(root)) {
        throw new Error(`refusing to write "${rel}" outside ${destination}`);
    }
    return p;
}

/**
 * A predicate for the selection's include/exclude globs over relative POSIX paths. `include` absent (or null)
 * selects every file; `include: []` selects none, and no folder is walked.
 */
export function selector(sel: TreeSelection): { file: (rel: string) => boolean; skipDir: (rel: string) => boolean } {
    const none = Array.isArray(sel.include) && sel.include.length === 0;
    const include = none ? () => false : picomatch(sel.include ?? ["**"], MATCH_OPTIONS);
    const exclude = sel.exclude && sel.exclude.length > 0 ? picomatch(sel.exclude, MATCH_OPTIONS) : () => false;
    return {
        file: (rel) => include(rel) && !exclude(rel),
        skipDir: (rel) => none || exclude(rel),
    };
}

/**
 * The mode of a file, as "0640": the first matching `modes` pattern, else 0755 for a locally executable file, else
 * 0644.
 */
export function modeFor(rel: string, modes: Record<string, string> | undefined, localMode: number): string {
    return modesOf(modes)(rel, localMode);
}

/**
 * `modeFor` with the patterns compiled once, for a whole tree (`picomatch.isMatch` compiles its pattern on every
 * call: a thousand files times each pattern).
 */
export function modesOf(modes: Record<string, string> | undefined): (rel: string, localMode: number) => string {
    const rules = Object.entries(modes ?? {}).map(([pattern, mode]) => ({
        match: picomatch(pattern, MATCH_OPTIONS),
        mode,
    }));
    return (rel, localMode) => {
        const rule = rules.find((r) => r.match(rel));
        return rule !== undefined
            ? normalizeMode(rule.mode)
            : formatMode(localMode & 0o100 ? DEFAULT_EXECUTABLE_MODE : DEFAULT_FILE_MODE);
    };
}

/** "2 added (a, b), 1 changed (c), 0 removed", naming at most `limit` files per kind. */
export function describeDiff(d: ManifestDiff, limit = 20): string {
    const part = (n: string, l: string[]) =>
        l.length === 0
            ? `0 ${n}`
            : `${l.length} ${n} (${l.slice(0, limit).join(", ")}${l.length > limit ? `, … ${l.length - limit} more` : ""})`;
    return [part("added", d.added), part("changed", d.changed), part("removed", d.removed)].join(", ");
}

/**
 * The files a deployment would change, as the RemoteTree's `changes` input: what `pulumi preview --diff` shows.
 * Each list is sorted by path and names at most `limit` files, each with its size (and mode when that changes),
 * e.g. "d0/a.txt (7 → 14 B)", then "… and N more".
 */
export interface TreeChanges {
    /** E.g. "3 changed, 2 added, 1 removed". */
    summary: string;
    added?: string[];
    changed?: string[];
    removed?: string[];
}

/** A size for people: "512 B", "4.2 KiB", "3.1 MiB". */
export function formatSize(bytes: number): string {
    if (bytes < 1024) {
        return `${bytes} B`;
    }
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let v = bytes / 1024;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return `${v.toFixed(1).replace(/\.0$/, "")} ${units[i]}`;
}

/** "a.txt (7 → 14 B)", "a.txt (14 B, mode 0644 → 0600)": what changes in one file. */
function changedEntry(rel: string, o: TreeEntry, n: TreeEntry): string {
    const size =
        o.size === n.size
            ? formatSize(n.size)
            : formatSize(o.size).endsWith(" B") && formatSize(n.size).endsWith(" B")
              ? `${o.size} → ${n.size} B`
              : `${formatSize(o.size)} → ${formatSize(n.size)}`;
    const mode = sameMode(o.mode, n.mode) ? "" : `, mode ${o.mode} → ${n.mode}`;
    const content = o.sha256 === n.sha256 && o.size === n.size ? ", same content" : "";
    return `${rel} (${size}${content}${mode})`;
}

/**
 * What a sync plan changes, for people (the `changes` input), or undefined when it changes nothing: `before` holds
 * (at least) the old entries of the files it changes and removes, `after` the new entries of the files it adds and
 * changes (plan/storedSync.ts `storedChanges` gives both from one walk).
 */
export function changesOf(
    d: TreeSync,
    before: Readonly<Manifest>,
    after: Readonly<Manifest>,
    limit = CHANGES_LIMIT,
): TreeChanges | undefined {
    const news = after;
    const removed = d.removed;
    const total = d.added.length + d.changed.length + removed.length;
    if (total === 0) {
        return undefined;
    }
    const cap = (l: string[], entry: (rel: string) => string) =>
        l.length > limit ? [...l.slice(0, limit).map(entry), `… and ${l.length - limit} more`] : l.map(entry);
    const out: TreeChanges = {
        summary: [`${d.changed.length} changed`, `${d.added.length} added`, `${removed.length} removed`]
            .filter((x) => !x.startsWith("0 "))
            .join(", "),
    };
    if (d.added.length > 0) {
        out.added = cap(d.added, (rel) => `${rel} (${formatSize(news[rel].size)})`);
    }
    if (d.changed.length > 0) {
        out.changed = cap(d.changed, (rel) => changedEntry(rel, before[rel], news[rel]));
    }
    if (removed.length > 0) {
        out.removed = cap(removed, (rel) => `${rel} (${formatSize(before[rel].size)})`);
    }
    return out;
}
