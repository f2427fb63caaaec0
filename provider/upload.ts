/**
 * The verified atomic upload of SPEC §4, protocol-neutral:
 *   1. make missing parent folders (remembering which),
 *   2. sweep temporaries an earlier failed run left, then stream the bytes to `.<name>.filedrop-<random>` in the
 *      target's folder, hashing them on the way,
 *   3. verify the size, and the SHA-256 by the best means the server offers (else by reading the file back),
 *   4. apply mode/owner, run `validate`,
 *   5. rename over the target,
 *   6. on any failure remove the temporary (and the folders made for it): the target is never half-written.
 */
import { randomBytes } from "crypto";
import * as posix from "path/posix";
import { Readable } from "stream";
import { FiledropError, isFiledropError, messageOf } from "./errors";
import { forEachLimit } from "./concurrency";
import { HashingStream, sha256OfStream } from "./hashing";
import { ensureDirs, removeEmptyDirs } from "./remoteDirs";
import { shellQuote } from "./shellQuote";
import { RemoteStat, Transport } from "./transport/types";

/** What to upload and how. */
export interface UploadSpec {
    /** Absolute remote target path. */
    readonly path: string;
    /** A fresh stream of the bytes to write; called once per attempt. */
    readonly open: () => Readable;
    /** The SHA-256 the plan saw; a different one means the local source changed since preview. */
    readonly expectedSha256?: string;
    /** Permission bits for the target; default: keep those of the file it replaces, else 0644. */
    readonly mode?: number;
    readonly uid?: number;
    readonly gid?: number;
    readonly createParents: boolean;
    /** A command run on the server with `{path}` replaced by the temporary file; non-zero exit aborts. */
    readonly validate?: string;
    /** Sweep stale temporaries of the target first (a RemoteTree sweeps each folder once instead). @default true */
    readonly sweep?: boolean;
    /**
     * Batch mode (RemoteTree): the caller already made the parent folders and knows nothing else is at the target
     * path that matters, so the per-file stats of the folder, the previous file, the temporary (its size is
     * covered by the SHA-256 check) and the result are skipped: four round trips of about ten. @default false
     */
    readonly batch?: boolean;
}

/** What the upload did. */
export interface UploadResult {
    readonly sha256: string;
    readonly size: number;
    readonly mode?: number;
    readonly mtime?: number;
    readonly createdDirs: string[];
    /** How the remote SHA-256 was obtained: an ssh exec hasher, an FTP HASH command, or "read-back". */
    readonly verifiedBy: string;
    /** Whether the target was replaced atomically (no reader could see it missing or partial). */
    readonly atomic: boolean;
}

/** Prefix of temporaries for `target`; `sweepTemporaries` removes leftovers with it. */
export function tempPrefix(target: string): string {
    return `.${posix.basename(target)}.filedrop-`;
}

/** True for the name of a temporary this package writes (`.<name>.filedrop-<12 hex>`), never for a backup. */
export function isTemporaryName(name: string): boolean {
    return /^\..+\.filedrop-[0-9a-f]{12}$/.test(name);
}

/** Removes temporaries of `target` left in its folder by an interrupted earlier run. */
export async function sweepTemporaries(t: Transport, target: string): Promise<number> {
    const dir = posix.dirname(target);
    const prefix = tempPrefix(target);
    let removed = 0;
    for (const e of await t.list(dir).catch(() => [])) {
        if (e.name.startsWith(prefix) && isTemporaryName(e.name) && e.stat.kind === "file") {
            await t.remove(posix.join(dir, e.name));
            removed++;
        }
    }
    return removed;
}

/** The SHA-256 of a remote file: computed on the server where it can be, else by reading it back. */
export async function remoteSha256(t: Transport, path: string): Promise<{ sha256: string; method: string }> {
    const onServer = await t.remoteSha256(path);
    if (onServer) {
        return onServer;
    }
    return { sha256: (await sha256OfStream(await t.read(path))).sha256, method: "read-back" };
}

/**
 * SHA-256 of many remote files: in batches on the server where the transport can (one `openssl dgst` per 100 files
 * over SSH), the rest one by one by `remoteSha256` (8 at once). A file that cannot be hashed maps to its error.
 */
export async function remoteSha256Many(t: Transport, paths: readonly string[]): Promise<Map<string, { sha256: string; method: string } | FiledropError>> {
    const result = new Map<string, { sha256: string; method: string } | FiledropError>(t.remoteSha256Many ? await t.remoteSha256Many(paths) : []);
    await forEachLimit(
        paths.filter((p) => !result.has(p)),
        8,
        async (p) => {
            try {
                result.set(p, await remoteSha256(t, p));
            } catch (e) {
                result.set(p, isFiledropError(e) ? e : new FiledropError("REMOTE_IO", `Cannot hash ${t.endpoint}${p}: ${messageOf(e)}.`, { cause: e }));
            }
        },
    );
    return result;
}

/** A file written to its temporary name and checked for size, not yet verified by hash nor renamed. */
export interface StagedUpload {
    readonly spec: UploadSpec;
    readonly tmp: string;
    readonly sha256: string;
    readonly size: number;
    readonly before?: RemoteStat;
    readonly createdDirs: string[];
}

/** Steps 1-3 up to the size check: parent folders, sweep, streamed write of the temporary with its local hash. */
export async function stageUpload(t: Transport, spec: UploadSpec): Promise<StagedUpload> {
    const dir = posix.dirname(spec.path);
    let createdDirs: string[] = [];
    if (spec.batch) {
        // Folders were made by the caller.
    } else if (spec.createParents) {
        createdDirs = await ensureDirs(t, dir);
    } else if ((await t.stat(dir))?.kind !== "directory") {
        throw new FiledropError("REMOTE_IO", `Folder ${t.endpoint}${dir} does not exist; create it or set \`createParents: true\`.`);
    }
    if (spec.sweep !== false) {
        await sweepTemporaries(t, spec.path);
    }
    const tmp = posix.join(dir, tempPrefix(spec.path) + randomBytes(6).toString("hex"));
    const before = spec.batch ? undefined : await t.stat(spec.path);
    if (before && before.kind === "directory") {
        throw new FiledropError("REMOTE_IO", `${t.endpoint}${spec.path} is a directory; a file cannot replace it.`);
    }
    try {
        const hashing = new HashingStream();
        const source = spec.open();
        source.on("error", (e) => hashing.destroy(e));
        const written = await t.write(tmp, source.pipe(hashing), 0o600);
        const sha256 = hashing.digest();
        if (spec.expectedSha256 !== undefined && sha256 !== spec.expectedSha256) {
            throw new FiledropError("SOURCE_CHANGED", `The local source for ${t.endpoint}${spec.path} changed during the deployment (planned SHA-256 ${spec.expectedSha256.slice(0, 12)}…, read ${sha256.slice(0, 12)}…); run the deployment again.`);
        }
        // The size check; in batch mode the SHA-256 check that follows covers it (same hash, same bytes).
        const st = spec.batch ? { size: written } : await t.stat(tmp);
        if (!st || st.size !== written) {
            throw new FiledropError("VERIFY_FAILED", `Upload to ${t.endpoint}${spec.path} is incomplete: wrote ${written} bytes, the server has ${st?.size ?? "none"}; the target was left untouched.`, { transient: true });
        }
        return { spec, tmp, sha256, size: written, before, createdDirs };
    } catch (e) {
        await abandon(t, { tmp, createdDirs });
        throw wrap(t, spec, e);
    }
}

/**
 * Step 3, the hash: verifies staged files by SHA-256 on the server, many per round trip where the transport can
 * (one `openssl dgst` for a batch over SSH), else one by one, else by reading back. Returns, per staged file, the
 * method or the error; a mismatch is a VERIFY_FAILED error for that file.
 */
export async function verifyStaged(t: Transport, staged: readonly StagedUpload[]): Promise<(string | FiledropError)[]> {
    const hashes = await remoteSha256Many(t, staged.map((s) => s.tmp));
    const results: (string | FiledropError)[] = [];
    for (const s of staged) {
        try {
            const remote = hashes.get(s.tmp);
            if (remote === undefined || remote instanceof Error) {
                throw remote ?? new FiledropError("REMOTE_IO", `Cannot hash ${t.endpoint}${s.tmp}.`);
            }
            if (remote.sha256 !== s.sha256) {
                throw new FiledropError("VERIFY_FAILED", `Upload to ${t.endpoint}${s.spec.path} is corrupt: SHA-256 on the server (${remote.method}) is ${remote.sha256.slice(0, 12)}…, expected ${s.sha256.slice(0, 12)}…; the target was left untouched.`, { transient: true });
            }
            results.push(remote.method);
        } catch (e) {
            results.push(wrap(t, s.spec, e));
        }
    }
    return results;
}

/** Steps 4-5: mode/owner, validate, atomic rename over the target. */
export async function commitStaged(t: Transport, s: StagedUpload, verifiedBy: string): Promise<UploadResult> {
    const { spec, tmp, before } = s;
    try {
        const mode = spec.mode ?? before?.mode ?? 0o644;
        if (t.capabilities.chmod) {
            await t.chmod(tmp, mode);
        }
        if (spec.uid !== undefined || spec.gid !== undefined) {
            await t.chown(tmp, spec.uid ?? before?.uid ?? -1, spec.gid ?? before?.gid ?? -1);
        }
        if (spec.validate !== undefined) {
            await runValidate(t, spec.validate, tmp, spec.path);
        }
        await t.rename(tmp, spec.path);
    } catch (e) {
        await abandon(t, s);
        throw wrap(t, spec, e);
    }
    const after = spec.batch ? undefined : await t.stat(spec.path);
    return {
        sha256: s.sha256,
        size: s.size,
        mode: after?.mode,
        mtime: after?.mtime,
        createdDirs: s.createdDirs,
        verifiedBy,
        atomic: t.capabilities.atomicOverwrite || (!spec.batch && before === undefined),
    };
}

/** Step 6: removes a temporary (and the folders made for it) after a failure. */
export async function abandon(t: Transport, s: { tmp: string; createdDirs: string[] }): Promise<void> {
    await t.remove(s.tmp).catch(() => undefined);
    await removeEmptyDirs(t, s.createdDirs).catch(() => undefined);
}

function wrap(t: Transport, spec: UploadSpec, e: unknown): FiledropError {
    return isFiledropError(e) ? e : new FiledropError("REMOTE_IO", `Upload to ${t.endpoint}${spec.path} failed: ${messageOf(e)}; the target was left untouched.`, { cause: e });
}

/** Runs the whole upload of one file; see the file comment for the steps. */
export async function verifiedUpload(t: Transport, spec: UploadSpec): Promise<UploadResult> {
    const staged = await stageUpload(t, spec);
    const [verdict] = await verifyStaged(t, [staged]);
    if (typeof verdict !== "string") {
        await abandon(t, staged);
        throw verdict;
    }
    return commitStaged(t, staged, verdict);
}

async function runValidate(t: Transport, template: string, tmp: string, target: string): Promise<void> {
    const command = template.includes("{path}") ? template.split("{path}").join(shellQuote(tmp)) : `${template} ${shellQuote(tmp)}`;
    const r = await t.exec(command);
    if (r.code !== 0) {
        const output = `${r.stdout}${r.stderr}`.trim().slice(-2000);
        throw new FiledropError("VALIDATE_FAILED", `Validation of the new ${target} failed (\`${template}\` exited ${r.code}); the target was left untouched. Output:\n${output}`);
    }
}
