/**
 * Local hashing with progress lines (issue 12 item 1): the program hashes each source before the plan, which for a
 * 1 GiB file takes seconds; past 2 s the deployment shows how far it got (ticker.ts), as uploads do.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { startProgress } from "./ticker";

/**
 * SHA-256 (hex) and size of a local file (hashCounted), with progress lines labelled `label`. `sizeSeen`, when the
 * caller has just stat'ed the file, saves the stat for the progress line's total.
 */
export async function sha256OfFileShown(
    path: string,
    label: string,
    sizeSeen?: number,
): Promise<{ sha256: string; size: number }> {
    const total = sizeSeen ?? (await fs.promises.stat(path)).size;
    const ticking = startProgress({ label, totalBytes: total });
    try {
        return await hashCounted(path, (n) => ticking.meter.addBytes(n), total);
    } finally {
        ticking.stop();
    }
}

/**
 * SHA-256 and size of many local files (a tree's), `inFlight` at once, with one progress line for them all: files
 * and bytes hashed of the total. `totalBytes`, when the caller already knows the sizes, saves a stat per file.
 */
export async function sha256OfFilesShown(
    paths: readonly string[],
    label: string,
    hashOne: (path: string, counted: (n: number) => void) => Promise<{ sha256: string; size: number }>,
    each: (path: string, r: { sha256: string; size: number }) => void,
    run: (work: (path: string) => Promise<void>) => Promise<unknown[]>,
    totalBytes?: number,
): Promise<unknown[]> {
    let total = totalBytes ?? 0;
    for (const p of totalBytes === undefined ? paths : []) {
        total += (await fs.promises.stat(p).catch(() => ({ size: 0 }))).size;
    }
    const ticking = startProgress({ label, totalBytes: total, totalFiles: paths.length });
    try {
        return await run(async (p) => {
            each(p, await hashOne(p, (n) => ticking.meter.addBytes(n)));
            ticking.meter.addFile();
        });
    } finally {
        ticking.stop();
    }
}

/**
 * Files up to this size are hashed from one read of the whole file into a buffer of its size; larger ones are
 * streamed in 1 MiB chunks (bounded memory). A stream allocates a 1 MiB buffer per read whatever the file's size,
 * which for hundreds of small files was most of the program's garbage (issue 13).
 */
const WHOLE_READ_MAX = 1 << 20;

/**
 * SHA-256 and size of a local file, telling `counted` of every chunk. `sizeSeen` (from a folder walk) saves the
 * stat that chooses between one whole read and a stream; the size returned is always what was read.
 */
export async function hashCounted(
    path: string,
    counted: (n: number) => void,
    sizeSeen?: number,
): Promise<{ sha256: string; size: number }> {
    if ((sizeSeen ?? (await fs.promises.stat(path)).size) <= WHOLE_READ_MAX) {
        const bytes = await fs.promises.readFile(path);
        counted(bytes.length);
        return { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
    }
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        counted(chunk.length);
    }
    return { sha256: hash.digest("hex"), size };
}
