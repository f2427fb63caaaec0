/**
 * Remote operations of a RemoteTree over many files, protocol-neutral (Transport through the pool): upload a set of
 * files (each by verifiedUpload, in parallel as far as the pool allows), hash many files, list a folder
 * recursively, sweep stale temporaries, remove files and the folders made for them.
 */
import * as fs from "fs";
import * as posix from "path/posix";
import { Readable } from "stream";
import { ConnectionInputs, CredentialInputs } from "./connection";
import { Manifest, remotePathOf, TreeEntry } from "./plan/treeManifest";
import { ensureDirs, removeEmptyDirs } from "./remoteDirs";
import { isFiledropError } from "./errors";
import { withTransport } from "./transport/pool";
import { Transport } from "./transport/types";
import { forEachLimit } from "./concurrency";
import { abandon, commitStaged, isTemporaryName, remoteSha256Many, StagedUpload, stageUpload, verifyStaged } from "./upload";
import { parseMode } from "./handlers/fileInputs";

/** What uploading a set of files did; `uploaded` holds only the files that made it. */
export interface UploadOutcome {
    uploaded: Manifest;
    createdDirs: string[];
    verifiedBy?: string;
    errors: unknown[];
}

/** Files per pooled operation: a dropped connection redoes at most this many. */
const CHUNK = 250;
/** Files in flight at once on the one connection (SFTP requests are pipelined; exec channels are capped apart). */
const FILES_IN_FLIGHT = 64;
/** Files up to this size are read whole before upload. */
const SMALL_FILE = 256 << 10;

/**
 * Uploads `rels` from `sourceDir` to `destination`, each file by the verified atomic upload of upload.ts, in three
 * passes over one pooled connection: stage every file (temporary name, streamed with its hash, size checked, many
 * in flight), verify their SHA-256 on the server in batches (one `openssl dgst` per 100 files over SSH), then
 * rename each into place. A file that fails is reported and leaves its target untouched; a dropped connection
 * retries the chunk (every step is idempotent).
 */
export async function uploadFiles(c: ConnectionInputs, creds: CredentialInputs, sourceDir: string, destination: string, manifest: Manifest, rels: string[]): Promise<UploadOutcome> {
    const out: UploadOutcome = { uploaded: {}, createdDirs: [], errors: [] };
    for (let i = 0; i < rels.length; i += CHUNK) {
        const chunk = rels.slice(i, i + CHUNK);
        try {
            const r = await withTransport(c, creds, (t) => syncChunk(t, sourceDir, destination, manifest, chunk));
            Object.assign(out.uploaded, r.uploaded);
            out.createdDirs.push(...r.createdDirs);
            out.errors.push(...r.errors);
            out.verifiedBy = r.verifiedBy ?? out.verifiedBy;
        } catch (e) {
            out.errors.push(e);
        }
    }
    return out;
}

async function syncChunk(t: Transport, sourceDir: string, destination: string, manifest: Manifest, rels: string[]): Promise<UploadOutcome> {
    const out: UploadOutcome = { uploaded: {}, createdDirs: [], errors: [] };
    // Folders first, parents before children, so files do not race to create them.
    const dirs = [...new Set(rels.map((rel) => posix.dirname(remotePathOf(destination, rel))))].sort((a, b) => a.split("/").length - b.split("/").length);
    for (const d of dirs) {
        out.createdDirs.push(...(await ensureDirs(t, d)));
    }
    const staged: StagedUpload[] = [];
    const stageErrors = await forEachLimit(rels, FILES_IN_FLIGHT, async (rel) => {
        const local = posix.join(sourceDir.split("\\").join("/"), rel);
        // Small files are read whole and at once (far cheaper than a stream or four async calls per file); large
        // ones stream, so memory stays bounded.
        const small = manifest[rel].size <= SMALL_FILE ? fs.readFileSync(local) : undefined;
        staged.push(
            await stageUpload(t, {
                path: remotePathOf(destination, rel),
                open: () => (small ? Readable.from([small]) : fs.createReadStream(local, { highWaterMark: 1 << 20 })),
                expectedSha256: manifest[rel].sha256,
                mode: parseMode(manifest[rel].mode),
                createParents: false,
                sweep: false,
                batch: true,
            }),
        );
    });
    const verdicts = await verifyStaged(t, staged);
    const relOf = (s: StagedUpload) => posix.relative(destination, s.spec.path);
    const commitErrors = await forEachLimit(staged.map((s, i) => [s, verdicts[i]] as const), FILES_IN_FLIGHT, async ([s, verdict]) => {
        if (typeof verdict !== "string") {
            await abandon(t, s);
            throw verdict;
        }
        const r = await commitStaged(t, s, verdict);
        out.uploaded[relOf(s)] = { sha256: r.sha256, size: r.size, mode: manifest[relOf(s)].mode };
        out.verifiedBy = r.verifiedBy;
    });
    out.errors.push(...stageErrors, ...commitErrors);
    // A lost connection fails the whole chunk, so the pool retries it on a new one.
    const lost = out.errors.find((e) => isFiledropError(e) && e.transient);
    if (lost !== undefined) {
        throw lost;
    }
    return out;
}

/** Removes temporaries left by an interrupted earlier run in the given folders (those that exist). */
export async function sweepFolders(t: Transport, folders: string[]): Promise<void> {
    await forEachLimit(folders, 8, async (dir) => {
        for (const e of await t.list(dir).catch(() => [])) {
            if (isTemporaryName(e.name) && e.stat.kind === "file") {
                await t.remove(posix.join(dir, e.name));
            }
        }
    });
}

/** Every file below `dir` (relative paths), without following symlinks; temporaries left out. */
export async function listFiles(t: Transport, dir: string, rel = ""): Promise<string[]> {
    const out: string[] = [];
    for (const e of await t.list(rel === "" ? dir : posix.join(dir, rel)).catch(() => [])) {
        const r = rel === "" ? e.name : `${rel}/${e.name}`;
        if (e.stat.kind === "directory") {
            out.push(...(await listFiles(t, dir, r)));
        } else if (!isTemporaryName(e.name)) {
            out.push(r);
        }
    }
    return out;
}

/** SHA-256 of many remote files (see upload.ts remoteSha256Many); files that could not be hashed are left out. */
export async function hashMany(t: Transport, paths: string[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const [p, r] of await remoteSha256Many(t, paths)) {
        if (!(r instanceof Error)) {
            result.set(p, r.sha256);
        }
    }
    return result;
}

/** What refresh found for the files the tree owns. */
export interface RemoteScan {
    /** The owned files as they are now on the server (missing ones left out). */
    files: Manifest;
    changed: string[];
    missing: string[];
}

/** Stats and hashes the owned files; hashes only those whose size and mode match (a size change is a change). */
export async function scanOwned(t: Transport, destination: string, owned: Manifest): Promise<RemoteScan> {
    const scan: RemoteScan = { files: {}, changed: [], missing: [] };
    const toHash: string[] = [];
    await forEachLimit(Object.keys(owned), 32, async (rel) => {
        const st = await t.stat(remotePathOf(destination, rel));
        if (!st || st.kind !== "file") {
            scan.missing.push(rel);
            return;
        }
        const mode = st.mode === undefined ? owned[rel].mode : (st.mode & 0o7777).toString(8).padStart(4, "0");
        scan.files[rel] = { sha256: owned[rel].sha256, size: st.size, mode };
        toHash.push(rel);
    });
    const hashes = await hashMany(t, toHash.map((rel) => remotePathOf(destination, rel)));
    for (const rel of toHash) {
        const e: TreeEntry = scan.files[rel];
        e.sha256 = hashes.get(remotePathOf(destination, rel)) ?? "";
        const o = owned[rel];
        if (e.sha256 !== o.sha256 || e.size !== o.size || e.mode !== o.mode) {
            scan.changed.push(rel);
        }
    }
    scan.changed.sort();
    scan.missing.sort();
    return scan;
}

/** Removes the given files (already-gone is fine), then the created folders that are now empty, deepest first. */
export async function removeFiles(t: Transport, destination: string, rels: string[], createdDirs: string[]): Promise<string[]> {
    const errors = await forEachLimit(rels, 16, (rel) => t.remove(remotePathOf(destination, rel)));
    if (errors.length > 0) {
        throw errors[0];
    }
    const removed: string[] = [];
    for (const d of [...createdDirs].sort((a, b) => b.split("/").length - a.split("/").length)) {
        removed.push(...(await removeEmptyDirs(t, [d])));
    }
    return removed;
}
