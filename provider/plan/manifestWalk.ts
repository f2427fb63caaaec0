/**
 * Walking a stored manifest file by file, in sorted path order, without building its map (issue 22): a 50,000-file
 * tree's decoded map, and the garbage of building it, held tens of MB of the provider's heap for each copy, where a
 * walk keeps one line at a time. A cursor reads the packed form (plan/manifestCodec.ts) line by line, checking it
 * as `decodeManifest` does, or the map that earlier releases kept (its keys sorted). A writer makes the packed form
 * line by line. Pure: no network, no file system.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { DEFAULT_FILE_MODE } from "../defaults";
import { FiledropError } from "../errors";
import type { Manifest, TreeEntry } from "../manifest";
import { formatMode, normalizeMode } from "../mode";

/** How a packed manifest starts: names the form, so that a later one can be told apart. */
export const PACKED_MANIFEST_PREFIX = "fdm1:";

/** The mode a packed line leaves out (written as an empty field). */
export const DEFAULT_MODE = formatMode(DEFAULT_FILE_MODE);

const HEX = /^[0-9a-f]{64}$/;
const LINE = /([A-Za-z0-9_-]{43})(\d+),((?:[0-7]{4})?),(\d+),/y;

/** True for a packed manifest (a string with the prefix). */
export function isPackedManifest(v: unknown): v is string {
    return typeof v === "string" && v.startsWith(PACKED_MANIFEST_PREFIX);
}

function damaged(line: number, why: string): FiledropError {
    return new FiledropError(
        "INVALID_INPUT",
        `The tree's packed manifest is damaged${line > 0 ? ` at line ${line}` : ""} (${why}); it is written only by pulumi-filedrop, so the state was edited by hand or cut short: restore it from a backup (pulumi stack export/import) or run \`pulumi refresh\`.`,
    );
}

function isHighSurrogate(code: number): boolean {
    return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The lines of the packed manifests walked last, by packed string: one command walks the same two manifests several
 * times (check, diff, update), and each inflated text is a large object that only a full GC frees (issue 22).
 */
const texts = new Map<string, string>();
const TEXTS = 4;

function remember(packed: string, text: string): void {
    texts.set(packed, text);
    if (texts.size > TEXTS) {
        texts.delete(texts.keys().next().value as string);
    }
}

/** The lines a packed manifest holds. Throws a FiledropError when it is not one or does not inflate. */
function textOf(packed: string): string {
    const hit = texts.get(packed);
    if (hit !== undefined) {
        return hit;
    }
    if (!isPackedManifest(packed)) {
        throw damaged(0, "it does not start with fdm1:");
    }
    let text: string;
    try {
        text = inflateRawSync(Buffer.from(packed.slice(PACKED_MANIFEST_PREFIX.length), "base64")).toString("utf8");
    } catch (e) {
        throw damaged(0, `it does not inflate: ${(e as Error).message}`);
    }
    remember(packed, text);
    return text;
}

/**
 * One file at a time of a stored manifest, in sorted path order: `next()` moves to the next file (false at the end),
 * then `rel`, `sha` (the SHA-256 as base64url, 43 characters, as the packed form writes it), `size` and `mode` (four
 * octal digits) describe it. Throws a FiledropError where a packed manifest is damaged.
 */
export class ManifestCursor {
    rel = "";
    sha = "";
    size = 0;
    mode = DEFAULT_MODE;
    private readonly text: string;
    private readonly map?: Manifest;
    private readonly keys?: string[];
    private start = 0;
    private line = 0;
    private readonly scratch = Buffer.allocUnsafe(33);
    private raw?: TreeEntry;

    /** A cursor before the first file of `stored`: packed, a map of earlier releases, or nothing (no file). */
    constructor(stored: string | Manifest | undefined | null) {
        if (typeof stored === "string") {
            this.text = textOf(stored);
        } else {
            this.text = "";
            this.map = stored ?? {};
            this.keys = Object.keys(this.map).sort();
        }
    }

    /** Moves to the next file; false when there is none. */
    next(): boolean {
        return this.keys !== undefined ? this.nextKey() : this.nextLine();
    }

    /** The current file's entry, as a manifest map holds it (SHA-256 in hex). */
    entry(): TreeEntry {
        if (this.raw !== undefined) {
            return { sha256: this.raw.sha256, size: this.raw.size, mode: this.mode };
        }
        if (this.scratch.write(this.sha, 0, "base64url") !== 32) {
            throw damaged(this.line, "not a SHA-256");
        }
        return { sha256: this.scratch.toString("hex", 0, 32), size: this.size, mode: this.mode };
    }

    private nextKey(): boolean {
        const keys = this.keys!;
        if (this.line >= keys.length) {
            return false;
        }
        const rel = keys[this.line++];
        const e = this.map![rel];
        this.raw = e;
        this.rel = rel;
        this.sha = HEX.test(e.sha256) ? Buffer.from(e.sha256, "hex").toString("base64url") : e.sha256;
        this.size = e.size;
        // Any spelling of a mode that earlier releases may have kept ("00640") is compared the one way.
        this.mode = normalizeMode(e.mode);
        return true;
    }

    private nextLine(): boolean {
        const text = this.text;
        const start = this.start;
        if (start >= text.length) {
            return false;
        }
        const i = ++this.line;
        const end = text.indexOf("\n", start);
        if (end < 0) {
            throw damaged(i, "the last line does not end");
        }
        LINE.lastIndex = start;
        const m = LINE.exec(text);
        if (!m || m.index !== start || start + m[0].length > end) {
            throw damaged(i, "not an entry");
        }
        const prev = this.rel;
        const shared = Number(m[4]);
        if (shared > prev.length) {
            throw damaged(i, "it shares more of the path than the previous line has");
        }
        const rel = prev.slice(0, shared) + text.slice(start + m[0].length, end);
        if (rel === "" || rel <= prev) {
            throw damaged(i, "paths out of order");
        }
        this.rel = rel;
        this.sha = m[1];
        this.size = Number(m[2]);
        this.mode = m[3] === "" ? DEFAULT_MODE : m[3];
        this.start = end + 1;
        return true;
    }
}

/**
 * The packed form written one file at a time, in sorted path order (see plan/manifestCodec.ts for the form): each
 * line goes straight into one growing buffer, so no string per file stays alive until the end.
 */
export class ManifestWriter {
    private buf = Buffer.allocUnsafe(1 << 16);
    private length = 0;
    private prev = "";

    /** Adds a file after the previous one (`sha`: the SHA-256 as base64url). Throws when out of order. */
    add(rel: string, sha: string, size: number, mode: string): void {
        if (rel === "" || /[\r\n]/.test(rel)) {
            throw new Error(`cannot pack the manifest path ${JSON.stringify(rel.slice(0, 200))}`);
        }
        if (rel <= this.prev) {
            throw new Error(
                `cannot pack the manifest path "${rel.slice(0, 200)}": not after "${this.prev.slice(0, 200)}"`,
            );
        }
        const prev = this.prev;
        let shared = 0;
        const max = Math.min(prev.length, rel.length);
        while (shared < max && prev.charCodeAt(shared) === rel.charCodeAt(shared)) {
            shared++;
        }
        if (shared > 0 && isHighSurrogate(rel.charCodeAt(shared - 1))) {
            shared--; // the rest must be a well-formed string of its own
        }
        const four = normalizeMode(mode);
        const line = `${sha}${size},${four === DEFAULT_MODE ? "" : four},${shared},${rel.slice(shared)}\n`;
        const need = this.length + Buffer.byteLength(line);
        if (need > this.buf.length) {
            const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
            this.buf.copy(grown, 0, 0, this.length);
            this.buf = grown;
        }
        this.length += this.buf.write(line, this.length, "utf8");
        this.prev = rel;
    }

    /** Adds a file given as a manifest map's entry (SHA-256 in hex). Throws on an entry that is not a manifest's. */
    addEntry(rel: string, e: TreeEntry): void {
        if (!HEX.test(e.sha256) || !Number.isSafeInteger(e.size) || e.size < 0) {
            throw new Error(`cannot pack the manifest entry of "${rel.slice(0, 200)}": ${JSON.stringify(e)}`);
        }
        this.add(rel, Buffer.from(e.sha256, "hex").toString("base64url"), e.size, e.mode);
    }

    /** The packed manifest of the files added. */
    finish(): string {
        const lines = this.buf.subarray(0, this.length);
        const packed = PACKED_MANIFEST_PREFIX + deflateRawSync(lines).toString("base64");
        remember(packed, lines.toString("utf8")); // the caller most often walks it next (remoteTree.ts packed)
        return packed;
    }
}

/** Calls `visit` with every path of a stored manifest: a packed one in sorted order, a map in its keys' order. */
export function forEachPath(stored: string | Manifest, visit: (rel: string) => void): void {
    if (typeof stored !== "string") {
        for (const rel of Object.keys(stored)) {
            visit(rel);
        }
        return;
    }
    const c = new ManifestCursor(stored);
    while (c.next()) {
        visit(c.rel);
    }
}
