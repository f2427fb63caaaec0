import type { Readable } from "node:stream";

/** What a stat of a remote path tells. */
export interface RemoteStat {
    readonly kind: "file" | "directory" | "symlink" | "other";
    readonly size: number;
    /** Permission bits (e.g. 0o640), when the server tells them. */
    readonly mode?: number;
    /** Modification time, seconds since the epoch, when the server tells it. */
    readonly mtime?: number;
    readonly uid?: number;
    readonly gid?: number;
    /**
     * Hard links to the file, when the server tells them: SFTP attributes never carry it, so only a listing gives it
     * (OpenSSH's long names, an FTP `LIST` line); absent from `stat`.
     */
    readonly nlink?: number;
    /** The owner as a listing names it (an FTP `LIST` line's user column), where no `uid` is known. */
    readonly owner?: string;
}

/** How `Transport.write` creates its file. */
export interface WriteOptions {
    /**
     * Create the file, failing with ALREADY_EXISTS when anything is at the path, even a dangling symlink, which is
     * never followed (SFTP open with O_EXCL). FTP has no such open: it looks first and fails when something is there
     * (a race remains, so FTP side files also carry a random part in their names).
     * @default false
     */
    readonly exclusive?: boolean;
}

/** One entry of a directory listing. */
export interface RemoteEntry {
    readonly name: string;
    readonly stat: RemoteStat;
}

/** Result of a command run on the server. */
export interface ExecResult {
    /** The exit status; null when the command was killed by a signal or stopped at its time limit. */
    readonly code: number | null;
    /** The signal that killed the command (`"KILL"`, `"TERM"`), when the server says so. */
    readonly signal?: string;
    /** True when the command ran past `ExecOptions.timeoutMs` and was stopped. */
    readonly timedOut?: boolean;
    readonly stdout: string;
    readonly stderr: string;
}

/** How to run a command. */
export interface ExecOptions {
    /**
     * Stop the command after this long: on the server, it runs under coreutils `timeout` (where installed), so it
     * ends even when the connection is lost; the client stops waiting soon after. Without it, no limit.
     */
    readonly timeoutMs?: number;
}

/** What a transport can do on the server it is connected to; found out once per connection. */
export interface TransportCapabilities {
    /**
     * Rename can replace an existing file atomically (posix-rename, or FTP RNTO over a file). Known when the
     * connection opens (SFTP: the posix-rename extension; FTPS: a probe, ftpsProbe.ts), never learnt from a failure;
     * where false, ops/replace.ts moves the old file aside instead of deleting it.
     */
    readonly atomicOverwrite: boolean;
    /** Permission bits can be set (SFTP setstat, FTP SITE CHMOD). */
    readonly chmod: boolean;
    /** Owner and group can be set. */
    readonly chown: boolean;
    /** Commands can be run (SSH exec). */
    readonly exec: boolean;
}

/**
 * The protocol-neutral operations the resource handlers use. Only `sftp.ts` and `ftps.ts` know a wire protocol.
 * Paths are absolute POSIX paths. Every method throws a `FiledropError`.
 */
export interface Transport {
    /** `sftp://user@host:port`, for messages. */
    readonly endpoint: string;
    readonly capabilities: TransportCapabilities;
    /** True once the connection has closed or failed; the pool then opens a new one. */
    readonly closed: boolean;

    /** Stat without following a final symlink; `undefined` when nothing is at the path. */
    stat(path: string): Promise<RemoteStat | undefined>;
    /** Create one directory level. Fails if it exists. */
    mkdir(path: string, mode?: number): Promise<void>;
    /** Remove an empty directory. */
    rmdir(path: string): Promise<void>;
    /** Remove a file; succeeds if it is already gone. */
    remove(path: string): Promise<void>;
    /** List a directory (without `.` and `..`). */
    list(path: string): Promise<RemoteEntry[]>;
    /**
     * Write the stream to `path` (created or truncated; with `options.exclusive` only created), with many requests in
     * flight. `mode` is the mode the file is created with. Returns bytes written.
     */
    write(path: string, data: Readable, mode?: number, options?: WriteOptions): Promise<number>;
    /**
     * Continue writing the existing file at `path` from byte `offset`, which must be its current size (the bytes
     * before it are kept): SFTP writes at the offset, FTP appends (`APPE`). Returns the bytes written by this call.
     * Absent where the transport cannot resume; resumed uploads (ops/stage.ts) then start again from byte 0.
     */
    writeFrom?(path: string, data: Readable, offset: number): Promise<number>;
    /** Open the file at `path` for reading. */
    read(path: string): Promise<Readable>;
    /**
     * Rename `from` to `to`. Replaces an existing `to` atomically where `capabilities.atomicOverwrite`; elsewhere the
     * server may refuse, and the transport never deletes `to` to make room (ops/replace.ts does the safe dance).
     */
    rename(from: string, to: string): Promise<void>;
    /** Set permission bits. */
    chmod(path: string, mode: number): Promise<void>;
    /** Set owner and group. */
    chown(path: string, uid: number, gid: number): Promise<void>;
    /**
     * SHA-256 of a remote file computed on the server (hex), or `undefined` if the server offers no way to do it,
     * in which case the caller reads the file back. `method` says how it was computed, for logs and outputs.
     */
    remoteSha256(path: string): Promise<{ sha256: string; method: string } | undefined>;
    /**
     * Like `remoteSha256` for many files in few round trips, where the server allows it (SSH exec of one hasher over
     * a batch). Files missing from the result are verified one by one.
     */
    remoteSha256Many?(paths: readonly string[]): Promise<Map<string, { sha256: string; method: string }>>;
    /**
     * Files checked together that total at most this many bytes are cheaper to read back over the open session than
     * to hash by a server command (SFTP: every SSH command runs the login shell and its rc files). Absent: always
     * hash on the server where it can (FTP: each read back costs a data connection and its TLS handshake).
     */
    readonly readBackMaxBytes?: number;
    /**
     * The absolute path of the file a symlink at `path` finally points to, or `undefined` when it points nowhere.
     * Absent where the protocol cannot resolve links (FTP).
     */
    resolveLink?(path: string): Promise<string | undefined>;
    /**
     * Run a command on the server; rejects with UNSUPPORTED where `capabilities.exec` is false, and with a transient
     * CONNECTION_LOST when the connection drops before the command's exit status arrives.
     */
    exec(command: string, options?: ExecOptions): Promise<ExecResult>;
    /** Closes the connection. */
    close(): void | Promise<void>;
}
