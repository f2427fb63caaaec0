/**
 * Verification of staged files: the size the server holds, and the SHA-256 computed on the server, or read back
 * (where the server cannot hash, or the files are small: ops/remoteHash.ts).
 */
import { FiledropError, isFiledropError } from "../errors";
import { sha256OfStream } from "../hashing";
import type { RemoteStat, Transport } from "../transport/types";
import { temporaryVanished } from "./concurrentWriter";
import { remoteSha256Many } from "./remoteHash";
import { type StagedUpload, uploadFailed } from "./uploadSpec";

/**
 * Checks the size of a staged file on the server: a short file means the transfer was cut. Returns the stat (it
 * also tells the owner the kernel gave the temporary, which ops/stagedOwner.ts then need not ask).
 */
export async function verifySize(t: Transport, s: StagedUpload): Promise<RemoteStat> {
    const st = await t.stat(s.tmp);
    if (!st) {
        throw temporaryVanished(t, s.spec.path, s.tmp);
    }
    if (st.size !== s.size) {
        throw new FiledropError(
            "VERIFY_FAILED",
            `Upload to ${t.endpoint}${s.spec.path} is incomplete: wrote ${s.size} bytes, the server has ${st.size}; the target was left untouched.`,
            { transient: true },
        );
    }
    return st;
}

/**
 * Verifies staged files by SHA-256 on the server, many per round trip where the transport can, else one by one,
 * else by reading back; files that total little are read back at once (cheaper than a server command). Returns, per staged file, the method or the error; a mismatch is VERIFY_FAILED.
 */
export async function verifyStaged(t: Transport, staged: readonly StagedUpload[]): Promise<(string | FiledropError)[]> {
    const hashes = await remoteSha256Many(
        t,
        staged.map((s) => s.tmp),
        staged.map((s) => s.size),
    );
    const verdicts = staged.map(async (s): Promise<string | FiledropError> => {
        const remote = hashes.get(s.tmp) ?? new FiledropError("REMOTE_IO", `Cannot hash ${t.endpoint}${s.tmp}.`);
        if (isFiledropError(remote)) {
            return uploadFailed(t, s.spec, remote);
        }
        if (remote.sha256 !== s.sha256) {
            return mismatch(t, s, remote);
        }
        return remote.method;
    });
    return Promise.all(verdicts);
}

/**
 * A staged file whose SHA-256 on the server is not the expected one. When that was the plan's (the bytes were not
 * hashed on the way, stage.ts), the local source is hashed now: if it is no longer what was planned, it changed
 * during the deployment (and a retry would not help); else the bytes were damaged on the way.
 */
async function mismatch(
    t: Transport,
    s: StagedUpload,
    remote: { sha256: string; method: string },
): Promise<FiledropError> {
    const planned = s.spec.expectedSha256;
    if (planned) {
        const local = await sha256OfStream(s.spec.open()).then(
            (h) => h.sha256,
            () => undefined, // gone or unreadable
        );
        if (local !== planned) {
            const now = local === undefined ? "now unreadable" : `read ${local.slice(0, 12)}…`;
            return new FiledropError(
                "SOURCE_CHANGED",
                `The local source for ${t.endpoint}${s.spec.path} changed during the deployment (planned SHA-256 ${planned.slice(0, 12)}…, ${now}); run the deployment again.`,
            );
        }
    }
    return new FiledropError(
        "VERIFY_FAILED",
        `Upload to ${t.endpoint}${s.spec.path} is corrupt: SHA-256 on the server (${remote.method}) is ${remote.sha256.slice(0, 12)}…, expected ${s.sha256.slice(0, 12)}…; the target was left untouched.`,
        { transient: true },
    );
}
