/**
 * SHA-256 of remote files: on the server where the transport can, else by reading the file back. Files small enough
 * (Transport.readBackMaxBytes) are read back even where the server could hash them: cheaper than a command.
 */
import { forEachLimit } from "../concurrency";
import { HASHES_IN_FLIGHT } from "../defaults";
import { asFiledropError, type FiledropError, isFiledropError } from "../errors";
import { sha256OfStream } from "../hashing";
import type { Transport } from "../transport/types";

/** A remote hash and how it was computed (`ssh exec: openssl dgst -sha256`, `ftp HASH`, `read-back`). */
export interface RemoteHash {
    readonly sha256: string;
    readonly method: string;
}

/** Whether files of these sizes, checked together, are cheaper read back than hashed on the server. */
export function cheaperReadBack(t: Transport, sizes: readonly number[]): boolean {
    const limit = t.readBackMaxBytes;
    return limit !== undefined && sizes.reduce((sum, n) => sum + n, 0) <= limit;
}

/** The SHA-256 of a remote file by reading it back. */
async function readBack(t: Transport, path: string): Promise<RemoteHash> {
    return { sha256: (await sha256OfStream(await t.read(path))).sha256, method: "read-back" };
}

/**
 * The SHA-256 of a remote file: computed on the server where it can be, else by reading it back. With `size` (what
 * a stat just said), a small file is read back at once (`cheaperReadBack`).
 */
export async function remoteSha256(t: Transport, path: string, size?: number): Promise<RemoteHash> {
    const onServer = size !== undefined && cheaperReadBack(t, [size]) ? undefined : await t.remoteSha256(path);
    return onServer ?? readBack(t, path);
}

/**
 * SHA-256 of many remote files: in batches on the server where the transport can (one `openssl dgst` per 100 files
 * over SSH), the rest one by one by `remoteSha256`. With `sizes` (the files' sizes, in order) that total little
 * (`cheaperReadBack`), all are read back. A file that cannot be hashed maps to its error.
 */
export async function remoteSha256Many(
    t: Transport,
    paths: readonly string[],
    sizes?: readonly number[],
): Promise<Map<string, RemoteHash | FiledropError>> {
    const readAll = sizes !== undefined && cheaperReadBack(t, sizes);
    const result = new Map<string, RemoteHash | FiledropError>(
        !readAll && t.remoteSha256Many ? await t.remoteSha256Many(paths) : [],
    );
    await forEachLimit(
        paths.filter((p) => !result.has(p)),
        HASHES_IN_FLIGHT,
        async (p) => {
            try {
                result.set(p, await (readAll ? readBack(t, p) : remoteSha256(t, p)));
            } catch (e) {
                result.set(
                    p,
                    asFiledropError(e, (m) => `Cannot hash ${t.endpoint}${p}: ${m}.`),
                );
            }
        },
    );
    return result;
}

/** SHA-256 (hex) of many remote files; files that could not be hashed are left out. */
export async function hashMany(t: Transport, paths: readonly string[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const [p, r] of await remoteSha256Many(t, paths)) {
        if (!isFiledropError(r)) {
            result.set(p, r.sha256);
        }
    }
    return result;
}
