/**
 * SFTP requests as promises, with the connection's fate attached: ssh2 answers by callback and, when the connection
 * drops, may never answer requests already sent. Every request goes through `call`, which fails it at once when
 * the connection is lost; `fail` maps SFTP status codes to FiledropErrors.
 */
import type { Stats } from "ssh2";
import {
    connectionLost,
    type FiledropError,
    messageOf,
    noSuchFile,
    permissionDenied,
    remoteIo,
    writeFailed,
} from "../../errors";
import type { RemoteStat } from "../types";

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
export const STATUS_EOF = 1;
export const STATUS_NO_SUCH_FILE = 2;
const STATUS_PERMISSION_DENIED = 3;

/** ssh2's Stats → RemoteStat. */
export function statOf(s: Stats): RemoteStat {
    const kind = s.isDirectory() ? "directory" : s.isFile() ? "file" : s.isSymbolicLink() ? "symlink" : "other";
    return { kind, size: Number(s.size), mode: s.mode & 0o7777, mtime: s.mtime, uid: s.uid, gid: s.gid };
}

/** True when a FiledropError of `call` was the server's "no such file". */
export function isNoSuchFile(e: unknown): boolean {
    return ((e as { cause?: { code?: unknown } }).cause?.code ?? undefined) === STATUS_NO_SUCH_FILE;
}

export class SftpCalls {
    public closed = false;
    /** Callbacks to run when the connection is lost, each failing one pending operation. */
    private readonly onLost = new Set<(e: FiledropError) => void>();

    constructor(private readonly endpoint: string) {}

    /** A server or ssh2 failure of `op` on `path` as a FiledropError. */
    fail(op: string, path: string, e: unknown): FiledropError {
        const code = (e as { code?: unknown }).code;
        if (code === STATUS_PERMISSION_DENIED) {
            return permissionDenied(this.endpoint, op, path, undefined, e);
        }
        if (code === STATUS_NO_SUCH_FILE) {
            return noSuchFile(this.endpoint, op, path, e);
        }
        const msg = messageOf(e);
        if (/No response from server|Not connected|closed|ECONNRESET/i.test(msg)) {
            return connectionLost(this.endpoint, op, path, e);
        }
        return op === "write"
            ? writeFailed(this.endpoint, path, msg, e)
            : remoteIo(this.endpoint, op, path, msg, { cause: e });
    }

    /** The error for an operation the lost connection can no longer answer. */
    lost(op: string, path: string): FiledropError {
        return connectionLost(this.endpoint, op, path);
    }

    /** Marks the connection lost and fails every pending operation. */
    connectionLost(): void {
        this.closed = true;
        const e = this.lost("finish an operation on", "");
        for (const fail of [...this.onLost]) {
            fail(e);
        }
        this.onLost.clear();
    }

    /** Runs `onLost` if the connection drops before the returned `done` is called. */
    watch(onLost: (e: FiledropError) => void): () => void {
        this.onLost.add(onLost);
        return () => this.onLost.delete(onLost);
    }

    /** One request: `f` gets ssh2's callback. */
    call<T>(op: string, path: string, f: (cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
        return new Promise<T>((resolve, reject) => {
            if (this.closed) {
                return reject(this.lost(op, path));
            }
            const unwatch = this.watch(() => reject(this.lost(op, path)));
            const done = (fn: () => void) => {
                unwatch();
                fn();
            };
            try {
                f((err, v) => done(() => (err ? reject(this.fail(op, path, err)) : resolve(v as T))));
            } catch (e) {
                done(() => reject(this.fail(op, path, e)));
            }
        });
    }
}
