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
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { DEFAULT_FILE_MODE } from "../defaults";
import { FiledropError } from "../errors";
import type { Manifest } from "../manifest";
import { formatMode, normalizeMode } from "../mode";

/** A manifest as inputs, outputs and state hold it: packed (this module), or the map of earlier releases. */
export type StoredManifest = string | Manifest;

/** How a packed manifest starts: names the form, so that a later one can be told apart. */
export const PACKED_MANIFEST_PREFIX = "fdm1:";

const DEFAULT_MODE = formatMode(DEFAULT_FILE_MODE);
const HEX = /^[0-9a-f]{64}$/;
const LINE = /([A-Za-z0-9_-]{43})(\d+),((?:[0-7]{4})?),(\d+),/y;

/** True for a packed manifest (a string with the prefix). */
export function isPackedManifest(v: unknown): v is string {
    return typeof v === "string" && v.startsWith(PACKED_MANIFEST_PREFIX);
}

function isHighSurrogate(code: number): boolean {
    return code >= 0xd800 && code <= 0xdbff;
}

/** The packed form of `m` (see the module comment). Throws on an entry that is not a manifest's. */
export function encodeManifest(m: Manifest): string {
    const parts: string[] = [];
    let prev = "";
    for (const rel of Object.keys(m).sort()) {
        const e = m[rel];
        if (!HEX.test(e.sha256) || !Number.isSafeInteger(e.size) || e.size < 0) {
            throw new Error(`cannot pack the manifest entry of "${rel.slice(0, 200)}": ${JSON.stringify(e)}`);
        }
        if (rel === "" || /[\r\n]/.test(rel)) {
            throw new Error(`cannot pack the manifest path ${JSON.stringify(rel.slice(0, 200))}`);
        }
        let shared = 0;
        const max = Math.min(prev.length, rel.length);
        while (shared < max && prev.charCodeAt(shared) === rel.charCodeAt(shared)) {
            shared++;
        }
        if (shared > 0 && isHighSurrogate(rel.charCodeAt(shared - 1))) {
            shared--; // the rest must be a well-formed string of its own
        }
        const sha = Buffer.from(e.sha256, "hex").toString("base64url");
        // Any spelling of a mode, as earlier releases may have kept ("00640"), is written the one way.
        const four = normalizeMode(e.mode);
        const mode = four === DEFAULT_MODE ? "" : four;
        parts.push(`${sha}${e.size},${mode},${shared},${rel.slice(shared)}\n`);
        prev = rel;
    }
    return PACKED_MANIFEST_PREFIX + deflateRawSync(parts.join("")).toString("base64");
}

function damaged(line: number, why: string): FiledropError {
    return new FiledropError(
        "INVALID_INPUT",
        `The tree's packed manifest is damaged${line > 0 ? ` at line ${line}` : ""} (${why}); it is written only by pulumi-filedrop, so the state was edited by hand or cut short: restore it from a backup (pulumi stack export/import) or run \`pulumi refresh\`.`,
    );
}

/** The manifest a packed string holds (entries in sorted path order). Throws a FiledropError when damaged. */
export function decodeManifest(packed: string): Manifest {
    if (!isPackedManifest(packed)) {
        throw damaged(0, "it does not start with fdm1:");
    }
    let text: string;
    try {
        text = inflateRawSync(Buffer.from(packed.slice(PACKED_MANIFEST_PREFIX.length), "base64")).toString("utf8");
    } catch (e) {
        throw damaged(0, `it does not inflate: ${(e as Error).message}`);
    }
    const out: Manifest = {};
    // Line by line without splitting the text first, and each SHA-256 through one scratch buffer: at 50,000 files a
    // decode otherwise makes an array of every line and a Buffer per line, which V8 keeps as garbage long enough to
    // grow the provider's heap by tens of MB (issue 22).
    const sha = Buffer.allocUnsafe(33);
    let prev = "";
    let start = 0;
    let i = 0;
    while (start < text.length) {
        i++;
        const end = text.indexOf("\n", start);
        if (end < 0) {
            throw damaged(i, "the last line does not end");
        }
        LINE.lastIndex = start;
        const m = LINE.exec(text);
        if (!m || m.index !== start || start + m[0].length > end) {
            throw damaged(i, "not an entry");
        }
        const shared = Number(m[4]);
        if (shared > prev.length) {
            throw damaged(i, "it shares more of the path than the previous line has");
        }
        const rel = prev.slice(0, shared) + text.slice(start + m[0].length, end);
        if (rel === "" || rel <= prev) {
            throw damaged(i, "paths out of order");
        }
        if (sha.write(m[1], 0, "base64url") !== 32) {
            throw damaged(i, "not a SHA-256");
        }
        out[rel] = { sha256: sha.toString("hex", 0, 32), size: Number(m[2]), mode: m[3] === "" ? DEFAULT_MODE : m[3] };
        prev = rel;
        start = end + 1;
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
    const m = Object.freeze(decodeManifest(v));
    recent.set(v, m);
    if (recent.size > RECENT) {
        recent.delete(recent.keys().next().value as string);
    }
    return m;
}
