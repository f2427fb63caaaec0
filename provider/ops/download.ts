/**
 * The verified download of one remote file into memory (RemoteDownload): the size from a stat, the bytes received
 * (counted and hashed), and the SHA-256 computed on the server where it can be (`openssl dgst` over SSH exec, FTP
 * `HASH`); all must agree. A file that changes while it is read (an installer still writing it) is read again, a
 * few times; a file above the size limit is refused before it is read.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { DOWNLOAD_ATTEMPTS } from "../defaults";
import { FiledropError } from "../errors";
import type { RemoteStat, Transport } from "../transport/types";

export interface Downloaded {
    readonly bytes: Buffer;
    readonly sha256: string;
    readonly size: number;
    readonly mtime?: number;
    /** How the bytes were checked, e.g. "ssh exec: openssl dgst -sha256 + bytes received". */
    readonly verifiedBy: string;
}

/** "100 bytes", "2097152 bytes (2 MiB)". */
function bytesText(n: number): string {
    return n < 1 << 20 ? `${n} bytes` : `${n} bytes (${(n / (1 << 20)).toFixed(2).replace(/\.?0+$/, "")} MiB)`;
}

/** The refusal of a file above `maxBytes`. */
export function tooLarge(endpoint: string, path: string, size: number | undefined, maxBytes: number): FiledropError {
    const is = size === undefined ? "is larger than" : `is ${bytesText(size)}, above`;
    return new FiledropError(
        "TOO_LARGE",
        `${endpoint}${path} ${is} the RemoteDownload limit of ${bytesText(maxBytes)}; its content is kept in the state, so raise \`maxSize\` (at most 16 MiB) only if it must be read whole, else copy the file another way.`,
    );
}

/** Reads a stream to its end, refusing more than `maxBytes`. */
async function collect(s: Readable, maxBytes: number, refuse: () => FiledropError): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of s) {
        const b = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
        n += b.length;
        if (n > maxBytes) {
            s.destroy();
            throw refuse();
        }
        chunks.push(b);
    }
    return Buffer.concat(chunks);
}

/** The file a path names: itself, or the file a symlink there points to. Undefined when nothing is there. */
async function fileAt(t: Transport, path: string): Promise<{ path: string; st: RemoteStat } | undefined> {
    let st = await t.stat(path);
    let where = path;
    if (st?.kind === "symlink" && t.resolveLink !== undefined) {
        const resolved = await t.resolveLink(path);
        if (resolved === undefined) {
            return undefined;
        }
        where = resolved;
        st = await t.stat(resolved);
    }
    if (st === undefined) {
        return undefined;
    }
    if (st.kind !== "file") {
        throw new FiledropError(
            "REMOTE_IO",
            `${t.endpoint}${path} is a ${st.kind}, not a file; point \`path\` at a file.`,
        );
    }
    return { path: where, st };
}

/** Downloads and verifies the file at `path`; undefined when there is none. See the file comment. */
export async function verifiedDownload(t: Transport, path: string, maxBytes: number): Promise<Downloaded | undefined> {
    let why = "";
    for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
        const found = await fileAt(t, path);
        if (found === undefined) {
            return undefined;
        }
        if (found.st.size > maxBytes) {
            throw tooLarge(t.endpoint, path, found.st.size, maxBytes);
        }
        const bytes = await collect(await t.read(found.path), maxBytes, () =>
            tooLarge(t.endpoint, path, undefined, maxBytes),
        );
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        const onServer = await t.remoteSha256(found.path);
        const after = await t.stat(found.path);
        if (bytes.length !== found.st.size || after?.size !== found.st.size || after?.mtime !== found.st.mtime) {
            why = `received ${bytes.length} bytes of a file of ${found.st.size}, now ${after?.size ?? "gone"}`;
            continue;
        }
        if (onServer !== undefined && onServer.sha256 !== sha256) {
            why = `SHA-256 on the server (${onServer.method}) ${onServer.sha256.slice(0, 12)}…, of the bytes received ${sha256.slice(0, 12)}…`;
            continue;
        }
        const verifiedBy =
            onServer === undefined
                ? "size + SHA-256 of the bytes received (the server offers no hash)"
                : `${onServer.method} + bytes received`;
        return { bytes, sha256, size: bytes.length, mtime: after.mtime, verifiedBy };
    }
    throw new FiledropError(
        "VERIFY_FAILED",
        `Download of ${t.endpoint}${path} could not be verified in ${DOWNLOAD_ATTEMPTS} attempts (${why}): the file kept changing while it was read, or the transfer is corrupt; run again once nothing writes the file.`,
        { transient: true },
    );
}
