/**
 * The packed form of a RemoteTree manifest (issue 22): one string instead of a map of N maps, as the manifest
 * travels from the program through the engine to the provider and as the tree keeps it (and the files it owns) in
 * the state. The engine and the dynamic-provider host marshal a string in one piece, where a map of N entries cost
 * them time in proportion to the tree on every command, and the state keeps under 50 bytes per file for each copy
 * instead of about 130 (a tree keeps two: the manifest in its inputs, the files it owns in its outputs).
 *
 * The form: `fdm1:` and the base64 of the raw DEFLATE of these lines, one per file in sorted path order:
 *
 *     <SHA-256 as base64url, 43 characters><size>,<mode, empty for 0644>,<shared>,<rest of the path>\n
 *
 * where a path is written as the number of UTF-16 units it shares with the previous line's path (never splitting a
 * surrogate pair) and the rest, which runs to the end of the line (a manifest's path never holds a line break:
 * plan/treeManifest.ts relativePathProblem). The SHA-256 does not compress; paths, sizes and modes mostly do.
 * The state is read by pulumi-filedrop, not by people: the SDK's `manifest` and `files` outputs are the maps.
 * Pure functions: no network, no file system. Everything that reads a manifest from inputs, outputs or state goes
 * through `manifestOf`, which also takes the map form that earlier releases kept.
 */
import type { Manifest } from "../manifest";
import { ManifestCursor, ManifestWriter } from "./manifestWalk";

export { isPackedManifest, PACKED_MANIFEST_PREFIX } from "./manifestWalk";

/** A manifest as inputs, outputs and state hold it: packed (this module), or the map of earlier releases. */
export type StoredManifest = string | Manifest;

/** A mode as decoding gives it (plan/manifestWalk.ts writes every mode through normalizeMode). */
const FOUR_DIGITS = /^[0-7]{4}$/;

/**
 * The packed form of `m` (see the module comment). Throws on an entry that is not a manifest's. When `m` is already
 * what decoding its packed form gives (paths in sorted order, modes spelled as four octal digits), it is kept as that
 * string's decoded manifest: the SDK's outputs hand the same string back at the end of a command that changed no
 * file, and it then need not be decoded again (issue 22).
 */
export function encodeManifest(m: Manifest): string {
    const w = new ManifestWriter();
    const rels = Object.keys(m);
    const sorted = rels.slice().sort();
    let canonical = true;
    for (const [i, rel] of sorted.entries()) {
        const e = m[rel];
        w.addEntry(rel, e);
        canonical &&= rels[i] === rel && FOUR_DIGITS.test(e.mode); // four octal digits: its own normalizeMode
    }
    const packed = w.finish();
    if (canonical) {
        const entry = ({ sha256, size, mode }: Manifest[string]) => ({ sha256, size, mode });
        keep(packed, Object.freeze(Object.fromEntries(sorted.map((rel) => [rel, entry(m[rel])]))));
    }
    return packed;
}

/** The manifest a packed string holds (entries in sorted path order). Throws a FiledropError when damaged. */
export function decodeManifest(packed: string): Manifest {
    const out: Manifest = {};
    const c = new ManifestCursor(packed);
    while (c.next()) {
        out[c.rel] = c.entry();
    }
    return out;
}

/** The last few manifests decoded: one command hands the provider the same packed strings in check, diff and update. */
const recent = new Map<string, Manifest>();
const RECENT = 4;

/**
 * The manifest in an input, output or state value: the packed form, or the map that earlier releases kept (and
 * programs built with them send), or nothing (undefined: an empty manifest). A decoded manifest is frozen (it may
 * be handed out again): copy it to change it.
 */
export function manifestOf(v: StoredManifest | undefined | null): Manifest {
    if (v === undefined || v === null) {
        return {};
    }
    if (typeof v !== "string") {
        return v;
    }
    const hit = recent.get(v);
    if (hit !== undefined) {
        return hit;
    }
    return keep(v, Object.freeze(decodeManifest(v)));
}

/** Remembers `m` as the decoded manifest of `packed` (the last few only). */
function keep(packed: string, m: Manifest): Manifest {
    recent.set(packed, m);
    if (recent.size > RECENT) {
        recent.delete(recent.keys().next().value as string);
    }
    return m;
}
