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
    | "SOURCE_CHANGED"
    | "REMOTE_IO"
    | "NO_SPACE"
    | "PERMISSION_DENIED"
    | "NOT_EMPTY"
    | "UNSUPPORTED";

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

/** The message of any thrown value, for wrapping. */
export function messageOf(e: unknown): string {
    if (e instanceof Error) {
        return e.message;
    }
    return String(e);
}
