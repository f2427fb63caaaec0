/** What the RemoteFile handler receives (after the SDK resolved sources and hashes) and returns. */
import { ConnectionInputs, CredentialInputs } from "../connection";

export type OnDeleteFile = "delete" | "restore";

/** Inputs of a RemoteFile, as the SDK hands them to the provider. */
export interface RemoteFileInputs {
    connection: ConnectionInputs;
    credentials?: CredentialInputs;
    path: string;
    /** The text to write, when given as `content` (possibly a secret). */
    content?: string;
    /** Absolute local path, when given as `source`. */
    sourcePath?: string;
    /** SHA-256 (hex) of the bytes the program wants there; on outputs, the one verified on the server. */
    sha256: string;
    /** Size in bytes of those bytes; on outputs, the verified remote size. */
    size: number;
    /** Octal permission string such as "0640"; on outputs, the remote mode. */
    mode?: string;
    uid?: number;
    gid?: number;
    createParents?: boolean;
    onDelete?: OnDeleteFile;
    validate?: string;
}

/** Outputs of a RemoteFile: the inputs, with sha256/size/mode as found on the server, plus: */
export interface RemoteFileOutputs extends RemoteFileInputs {
    /** Remote modification time, seconds since the epoch. */
    mtime: number;
    /** Whether a file was at the path before this resource first wrote it (it was adopted). */
    existedBefore: boolean;
    /** SHA-256 of the file that was there before, when one was. */
    previousSha256?: string;
    /** Where that previous file is kept for `onDelete: "restore"`. */
    backupPath?: string;
    /** Folders created for this file, outermost first; destroy removes them when empty. */
    createdDirs: string[];
    /** How the last upload's SHA-256 was verified on the server. */
    verifiedBy: string;
    /** Whether the last replace was atomic. */
    atomic: boolean;
}

/** Parses "0640" / "640" / "0o640" into a number. */
export function parseMode(mode: string): number {
    return parseInt(mode.replace(/^0o/, ""), 8);
}

/** Formats permission bits as a 4-digit octal string ("0640"). */
export function formatMode(mode: number | undefined): string | undefined {
    return mode === undefined ? undefined : (mode & 0o7777).toString(8).padStart(4, "0");
}
