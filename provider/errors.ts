/**
 * Typed errors of pulumi-filedrop.
 *
 * Every error the provider raises is a {@link FiledropError} with a stable `code`, so that programs and tests can
 * react to the kind of failure. Provider code is rehydrated in another process by Pulumi's dynamic provider, where
 * `instanceof` across module copies is unreliable: use {@link isFiledropError} instead.
 *
 * Messages say what failed, where (an endpoint URL without password) and what to do. They never contain
 * passwords, private keys or file content.
 */

import * as posix from "node:path/posix";
import { isBackupName, isTemporaryName } from "./sideFiles";

/** Stable error codes. */
export type FiledropErrorCode =
    | "INVALID_INPUT"
    | "HOST_KEY_UNKNOWN"
    | "HOST_KEY_MISMATCH"
    | "HOST_KEY_REVOKED"
    | "TLS_VERIFY_FAILED"
    | "TLS_REQUIRED"
    | "AUTH_FAILED"
    | "CONNECT_FAILED"
    | "CONNECTION_LOST"
    | "VERIFY_FAILED"
    | "VALIDATE_FAILED"
    | "CHECK_TIMEOUT"
    | "SOURCE_CHANGED"
    | "REMOTE_IO"
    | "NO_SPACE"
    | "PERMISSION_DENIED"
    | "NOT_EMPTY"
    | "TOO_LARGE"
    | "UNSUPPORTED"
    | "ALREADY_EXISTS"
    | "CHANGED_SINCE_WRITTEN";

const BRAND = Symbol.for("pulumi-filedrop.FiledropError");

/** Base class of every error raised by pulumi-filedrop. */
export class FiledropError extends Error {
    /** Stable machine-readable code. */
    public readonly code: FiledropErrorCode;
    /** Whether retrying the same operation may succeed (reset, timeout, refused while restarting). */
    public readonly transient: boolean;

    constructor(code: FiledropErrorCode, message: string, options: { cause?: unknown; transient?: boolean } = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = "FiledropError";
        this.code = code;
        this.transient = options.transient ?? false;
        Object.defineProperty(this, BRAND, { value: true });
    }
}

/** True for any {@link FiledropError}, also one created by another copy of this module. */
export function isFiledropError(e: unknown): e is FiledropError {
    return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** True for a {@link FiledropError} with the given code. */
export function hasCode(e: unknown, code: FiledropErrorCode): boolean {
    return isFiledropError(e) && e.code === code;
}

/** The message of any thrown value, for wrapping (an Error from any realm or module copy, else its text). */
export function messageOf(e: unknown): string {
    if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string") {
        return (e as { message: string }).message;
    }
    return String(e);
}

/*
 * Factories for the wordings used in more than one place: each sentence exists once. `endpoint` is the URL
 * without password (`sftp://deploy@host:22`); `path` an absolute remote path.
 */

/** The connection dropped during an operation; transient, so the pool retries the operation on a new one. */
export function connectionLost(
    endpoint: string,
    op: string,
    path: string,
    cause?: unknown,
    detail?: string,
): FiledropError {
    const why = detail === undefined ? "" : ` (${detail})`;
    return new FiledropError(
        "CONNECTION_LOST",
        `Connection to ${endpoint} was lost while trying to ${op} ${path}${why}; run the deployment again.`,
        { cause, transient: true },
    );
}

/** The server refused or failed an operation; `said` is its own words, `hint` a reason to add. */
export function remoteIo(
    endpoint: string,
    op: string,
    path: string,
    said: string,
    options: { cause?: unknown; hint?: string; transient?: boolean } = {},
): FiledropError {
    return new FiledropError(
        "REMOTE_IO",
        `Cannot ${op} ${endpoint}${path}: the server said "${said}"${options.hint ?? ""}.`,
        { cause: options.cause, transient: options.transient },
    );
}

/**
 * Writing a file failed in a way that, on SFTP (a bare failure status) and FTP (451/452/552 on STOR), most often
 * means the server's disk is full or a quota was reached: REMOTE_IO with that hint.
 */
export function writeFailed(endpoint: string, path: string, said: string, cause?: unknown): FiledropError {
    return remoteIo(endpoint, "write", path, said, {
        cause,
        hint: " (the server's disk may be full or a quota reached)",
    });
}

/** Nothing at a path an operation needed. */
export function noSuchFile(endpoint: string, op: string, path: string, cause?: unknown): FiledropError {
    return new FiledropError("REMOTE_IO", `Cannot ${op} ${endpoint}${path}: no such file or directory.`, { cause });
}

/** An exclusive create (`WriteOptions.exclusive`) found something at its path; `what` says what (kind and owner). */
export function alreadyExists(endpoint: string, path: string, what: string, cause?: unknown): FiledropError {
    return new FiledropError(
        "ALREADY_EXISTS",
        `Cannot create ${endpoint}${path}: ${what} is already there, and side files are only ever created new (never written through a link or into someone else's file).`,
        { cause },
    );
}

/**
 * The remote user may not do an operation; `said` is the server's own words when it gave any. When the path is one
 * of our temporaries, the file itself may well be writable: what is missing is the right to create a file in its
 * folder, which every upload needs (temporary name, then rename), so the message names the folder.
 */
export function permissionDenied(
    endpoint: string,
    op: string,
    path: string,
    said?: string,
    cause?: unknown,
): FiledropError {
    const quoted = said === undefined ? "" : `: the server said "${said}"`;
    if (isTemporaryName(posix.basename(path))) {
        return folderNotWritable(endpoint, posix.dirname(path), `${op} a temporary file`, quoted, cause);
    }
    if (isBackupName(posix.basename(path))) {
        return folderNotWritable(endpoint, posix.dirname(path), `${op} a copy of the earlier file`, quoted, cause);
    }
    return new FiledropError(
        "PERMISSION_DENIED",
        `Permission denied to ${op} ${endpoint}${path}${quoted}; check the remote user's rights on that path.`,
        { cause },
    );
}

/** The folder an upload writes its temporary (or its copy of the earlier file) into is not writable (see {@link permissionDenied}). */
function folderNotWritable(
    endpoint: string,
    dir: string,
    what: string,
    quoted: string,
    cause?: unknown,
): FiledropError {
    return new FiledropError(
        "PERMISSION_DENIED",
        `Permission denied to ${what} in folder ${endpoint}${dir}${quoted}; the folder must be writable by the remote user, ` +
            `not only the file: every upload writes a temporary file beside the target and renames it over the target, so that the target is never half-written ` +
            `(and a file that was there before is first copied beside it, so that destroy can put it back).`,
        { cause },
    );
}

/** The folder a file or folder goes into is missing and `createParents` is off. */
export function folderMissing(endpoint: string, dir: string): FiledropError {
    return new FiledropError(
        "REMOTE_IO",
        `Folder ${endpoint}${dir} does not exist; create it or set \`createParents: true\`.`,
    );
}

/** Something other than a folder is where a folder must be. */
export function notAFolder(endpoint: string, path: string): FiledropError {
    return new FiledropError(
        "REMOTE_IO",
        `${endpoint}${path} exists and is not a directory; remove it or choose another path.`,
    );
}

/** Any thrown value as a FiledropError: itself when it is one, else REMOTE_IO with `sentence(message)`. */
export function asFiledropError(e: unknown, sentence: (message: string) => string): FiledropError {
    return isFiledropError(e) ? e : new FiledropError("REMOTE_IO", sentence(messageOf(e)), { cause: e });
}

/**
 * A host-key refusal raised while refreshing or destroying, with the advice that works there: those commands connect
 * with the connection kept in the state, not the program's, so a new `hostKey` (or inline `knownHosts`) in the
 * program takes effect only once `pulumi up` has written it to the state. Any other error is returned as is.
 */
export function withStateConnectionAdvice(e: unknown, command: "refresh" | "destroy"): unknown {
    if (!(hasCode(e, "HOST_KEY_MISMATCH") || hasCode(e, "HOST_KEY_UNKNOWN") || hasCode(e, "HOST_KEY_REVOKED"))) {
        return e;
    }
    const err = e as FiledropError;
    return new FiledropError(
        err.code,
        `${err.message} Note: ${command} connects with the connection kept in the state, not the one in your program; ` +
            `after changing \`hostKey\` or \`knownHosts\` in the program, run \`pulumi up\` first (it updates the state), then ${command} again; ` +
            `to forget a resource whose server is gone for good, run \`pulumi state delete <urn>\`.`,
        { cause: err },
    );
}
