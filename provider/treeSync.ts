/**
 * Remote operations of a RemoteTree over many files, protocol-neutral (Transport through the pool): upload a set of
 * files (each by verifiedUpload, in parallel as far as the pool allows), hash many files, list a folder
 * recursively, sweep stale temporaries, remove files and the folders made for them.
 */
import * as fs from "fs";
import * as posix from "path/posix";
import { ConnectionInputs, CredentialInputs } from "./connection";
import { Manifest, remotePathOf, TreeEntry } from "./plan/treeManifest";
import { removeEmptyDirs } from "./remoteDirs";
import { shellQuote } from "./shellQuote";
import { withTransport } from "./transport/pool";
import { Transport } from "./transport/types";
import { remoteSha256, verifiedUpload } from "./upload";
import { parseMode } from "./handlers/fileInputs";

/** Runs `fn` over `items`, at most `limit` at once; collects every failure instead of stopping at the first. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<unknown[]> {
    const errors: unknown[] = [];
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const item = items[next++];
            try {
                await fn(item);
            } catch (e) {
                errors.push(e);
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return errors;
}

/** What uploading a set of files did; `uploaded` holds only the files that made it. */
export interface UploadOutcome {
    uploaded: Manifest;
    createdDirs: string[];
    verifiedBy?: string;
    errors: unknown[];
}

/**
 * Uploads `rels` from `sourceDir` to `destination`, each by a verified atomic upload. Every file is its own pooled
 * operation, so the pool's per-endpoint limit bounds the parallelism and a dropped connection retries one file.
 */
export async function uploadFiles(c: ConnectionInputs, creds: CredentialInputs, sourceDir: string, destination: string, manifest: Manifest, rels: string[]): Promise<UploadOutcome> {
    const out: UploadOutcome = { uploaded: {}, createdDirs: [], errors: [] };
    await Promise.all(
        rels.map(async (rel) => {
            const want = manifest[rel];
            const local = posix.join(sourceDir.split("\\").join("/"), rel);
            try {
                const r = await withTransport(c, creds, (t) =>
                    verifiedUpload(t, {
                        path: remotePathOf(destination, rel),
                        open: () => fs.createReadStream(local, { highWaterMark: 1 << 20 }),
                        expectedSha256: want.sha256,
                        mode: parseMode(want.mode),
                        createParents: true,
                        sweep: false,
                    }),
                );
                out.uploaded[rel] = { sha256: r.sha256, size: r.size, mode: want.mode };
                out.createdDirs.push(...r.createdDirs);
                out.verifiedBy = r.verifiedBy;
            } catch (e) {
                out.errors.push(e);
            }
        }),
    );
    return out;
}

const TEMP = /^\..+\.filedrop-[0-9a-f]{12}$/;

/** Removes temporaries left by an interrupted earlier run in the given folders (those that exist). */
export async function sweepFolders(t: Transport, folders: string[]): Promise<void> {
    await forEachLimit(folders, 8, async (dir) => {
        for (const e of await t.list(dir).catch(() => [])) {
            if (TEMP.test(e.name) && e.stat.kind === "file") {
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
        } else if (!TEMP.test(e.name)) {
            out.push(r);
        }
    }
    return out;
}

/**
 * SHA-256 of many remote files: batches of paths in one `openssl dgst` over SSH exec where the server runs
 * commands (one channel per 100 files, not one per file), else one by one by the transport's best means.
 */
export async function hashMany(t: Transport, paths: string[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    if (t.capabilities.exec) {
        for (let i = 0; i < paths.length; i += 100) {
            const batch = paths.slice(i, i + 100);
            const r = await t.exec(`openssl dgst -sha256 -r ${batch.map(shellQuote).join(" ")}`).catch(() => undefined);
            for (const line of r?.stdout.split("\n") ?? []) {
                const m = /^([0-9a-f]{64}) \*?(.*)$/.exec(line);
                if (m && batch.includes(m[2])) {
                    result.set(m[2], m[1]);
                }
            }
        }
    }
    await forEachLimit(
        paths.filter((p) => !result.has(p)),
        8,
        async (p) => void result.set(p, (await remoteSha256(t, p)).sha256),
    );
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
