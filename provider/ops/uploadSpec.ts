/** What an upload is asked to do and what it reports; shared by the stages of the verified atomic upload. */
import type { Readable } from "node:stream";
import { asFiledropError, type FiledropError } from "../errors";
import type { RemoteStat, Transport } from "../transport/types";
import type { OwnerLoss } from "./stagedOwner";

/** What to upload and how. */
export interface UploadSpec {
    /** Absolute remote target path. */
    readonly path: string;
    /** A fresh stream of the bytes to write; called once per attempt. */
    readonly open: () => Readable;
    /**
     * The whole content, when the caller holds it in memory (a tree's small files): a whole upload then sends it
     * as it is, without a stream pipeline per file (issue 22: at 50,000 files the pipelines' garbage raised the
     * provider's peak heap). `open` must yield the same bytes.
     */
    readonly bytes?: Buffer;
    /** The SHA-256 the plan saw; a different one means the local source changed since preview. */
    readonly expectedSha256?: string;
    /** Permission bits for the target; default: keep those of the file it replaces, else 0644. */
    readonly mode?: number;
    /** Owner for the target; default: keep that of the file it replaces, else the kernel's (ops/stagedOwner.ts). */
    readonly uid?: number;
    /** Group for the target; default: keep that of the file it replaces, else the kernel's (setgid folders). */
    readonly gid?: number;
    /** A command run on the server with `{path}` replaced by the temporary file; non-zero exit aborts. */
    readonly validate?: string;
    /** A command run after the rename (`{path}`: the target); non-zero exit puts the previous file back (inPlaceCheck.ts). */
    readonly validateInPlace?: string;
    /** How long each check may run, in ms. @default DEFAULT_CHECK_TIMEOUT_S */
    readonly checkTimeoutMs?: number;
    /** The content is a secret: checks' output is withheld from messages (checkRun.ts). */
    readonly secret?: boolean;
    /**
     * What `validateInPlace` puts back when its check fails: "target" (default), the file now at the target; "absent"
     * removes the new file, for a create whose own interrupted write is at the target (nothing was there before it).
     */
    readonly previous?: "target" | "absent";
    /** The size of the bytes `open` yields, when known: for progress lines and to judge a temporary to resume. */
    readonly size?: number;
    /**
     * Write to the temporary named after `expectedSha256` and continue one an interrupted attempt left (ops/stage.ts);
     * without `expectedSha256` every attempt takes a fresh temporary.
     */
    readonly resumable?: boolean;
    /**
     * Told of every byte sent, when the caller shows progress for many files together (a tree); without it the
     * upload shows its own progress lines once it runs past 2 s.
     */
    readonly counted?: (bytes: number) => void;
}

/**
 * What was at the target before: its stat (the mode, owner and group not given are kept from it), `"absent"` when
 * nothing was, `"unknown"` when it was not looked at.
 */
export type Previous = RemoteStat | "absent" | "unknown";

/** A file written to its temporary name, not yet verified by hash nor renamed. */
export interface StagedUpload {
    readonly spec: UploadSpec;
    readonly tmp: string;
    readonly sha256: string;
    readonly size: number;
    readonly before: Previous;
    readonly createdDirs: string[];
    /** Bytes an earlier attempt had left in the temporary, kept and not sent again (0: a whole upload). */
    readonly resumedFrom?: number;
    /** Bytes this attempt sent. */
    readonly bytesSent?: number;
    /** The temporary's stat after the write, when verification asked for it (its owner: what the kernel gave it). */
    readonly tmpStat?: RemoteStat;
}

/** What the upload did. */
export interface UploadResult {
    readonly sha256: string;
    readonly size: number;
    readonly mode?: number;
    readonly mtime?: number;
    /** The owner of the file after the upload, when the server tells it. */
    readonly uid?: number;
    readonly createdDirs: string[];
    /** How the remote SHA-256 was obtained: an ssh exec hasher, an FTP HASH command, or "read-back". */
    readonly verifiedBy: string;
    /** Whether the target was replaced atomically (no reader could see it missing or partial). */
    readonly atomic: boolean;
    /** Bytes kept from an interrupted attempt's temporary (resume); 0 or absent when the whole file was sent. */
    readonly resumedFrom?: number;
    /** Bytes sent by the attempt that finished the upload. */
    readonly bytesSent?: number;
    /** The replaced file's owner, when the new file could not keep it (the caller warns). */
    readonly ownerLost?: OwnerLoss;
}

/** Any failure of an upload as a FiledropError that says the target was left untouched. */
export function uploadFailed(t: Transport, spec: UploadSpec, e: unknown): FiledropError {
    return asFiledropError(
        e,
        (m) => `Upload to ${t.endpoint}${spec.path} failed: ${m}; the target was left untouched.`,
    );
}
