/**
 * A `Transport` over an in-memory file system (memoryFs.ts), with fault hooks, for fast unit tests of the
 * provider's own logic (upload stages, tree sync, remote folders, handlers). Never instead of the real servers:
 * what the protocols and servers do is proven by the integration and contract suites.
 *
 * One `MemoryServer` is one server: its file system outlives connections, so a cut connection and the pool's new
 * one see the same files. Install it as the provider's opener with `server.install()` (and `uninstall()` after).
 *
 * Faults: `cutAfterBytes(n)` (the connection drops once n more bytes were written), `cutWhen(pred)` (drops at a
 * call), `corruptNextWrite(pred)` (flips a byte of what the server stores), `fs.capacity` (disk full),
 * `refuseRenameOverExisting`, `refuseExec`, `execChannels` (MaxSessions-like limit on concurrent exec channels; `exec`
 * shares a channel budget like the SSH transport, `execChannel` opens one raw),
 * `failWhen(pred, error)`. Commands (`commands`) may answer later (a Promise: a check that hangs, or that is cut with
 * `cutWhen` while it runs) and are told when they are stopped at their time limit (`ExecOptions.timeoutMs`), as the
 * server's `timeout` would; `running` lists the commands still running. Symlinks: `fs.symlink`. Owners: the login
 * user is `fs.uid`/`fs.gid`/`fs.groups` (1000, not root, unless a test says so); chown and setgid folders behave as
 * on Linux (memoryFs.ts). Every call is recorded in `calls`.
 */
import { Readable } from "node:stream";
import { type ConnectionInputs, endpointUrl } from "../../../provider/connection";
import { EXECS_PER_CONNECTION } from "../../../provider/defaults";
import {
    alreadyExists,
    connectionLost,
    FiledropError,
    hasCode,
    noSuchFile,
    permissionDenied,
    remoteIo,
} from "../../../provider/errors";
import { sha256OfText } from "../../../provider/hashing";
import { describeEntry } from "../../../provider/transport/describeEntry";
import { setTransportOpener } from "../../../provider/transport/open";
import { closeAll } from "../../../provider/transport/pool";
import { ChannelBudget } from "../../../provider/transport/ssh/channelBudget";
import { SshHasher } from "../../../provider/transport/ssh/sshHasher";
import type {
    ExecOptions,
    ExecResult,
    RemoteEntry,
    RemoteStat,
    Transport,
    TransportCapabilities,
    WriteOptions,
} from "../../../provider/transport/types";
import { FsError, MemoryFs, type Node } from "./memoryFs";

/** One recorded call: which connection, which operation, on what. */
export interface Call {
    readonly connection: number;
    readonly op: string;
    readonly path: string;
    readonly to?: string;
}

/** How the server computes SHA-256: by exec of `openssl dgst` (batched), or not at all (callers read back). */
export type ServerHashing = "exec" | "none";

/**
 * A command handler for `exec` (e.g. a `validate` command); undefined means "command not found". A Promise is a
 * command that takes time; `stopped` is aborted when its time limit stops it (it should then settle).
 */
export type CommandHandler = (
    command: string,
    server: MemoryServer,
    stopped: AbortSignal,
) => ExecResult | Promise<ExecResult> | undefined;

export class MemoryServer {
    readonly fs = new MemoryFs();
    readonly calls: Call[] = [];
    /** Connections opened so far. */
    connections = 0;
    /** What every new connection reports. */
    capabilities: TransportCapabilities = { atomicOverwrite: true, chmod: true, chown: true, exec: true };
    /**
     * What a server that cannot chmod (`capabilities.chmod` false) gives what it creates, like vsftpd's
     * `local_umask`: files 0666 and folders 0777 less these bits, whatever mode the client asked for.
     */
    umask = 0o022;
    hashing: ServerHashing = "exec";
    /**
     * The transport's `readBackMaxBytes`: files checked together that total at most this are read back instead of
     * hashed by a command, as SFTP does (READ_BACK_MAX_BYTES). Unset by default, so tests see the server's hasher.
     */
    readBackMaxBytes?: number;
    refuseRenameOverExisting = false;
    /** Writes can continue an existing file at its end (`Transport.writeFrom`), as SFTP and FTP APPE can. */
    resumableWrites = true;
    /** Bytes written by every write and writeFrom (all connections). */
    bytesWritten = 0;
    refuseExec = false;
    /** Exec channels open at once at most (sshd's MaxSessions less the SFTP channel); more are refused. */
    execChannels = Infinity;
    commands?: CommandHandler;
    execsRunning = 0;
    execsPeak = 0;
    /** Commands running now (a time limit or their end takes them off; a cut connection does not). */
    readonly running = new Set<string>();
    private cutBytes?: number;
    private cutPredicate?: (c: Call) => boolean;
    private corruptPredicate?: (path: string) => boolean;
    private failures: { when: (c: Call) => boolean; error: (c: Call) => Error }[] = [];
    private readonly open = new Set<MemoryTransport>();

    /** The connection (whichever writes) drops once `n` more bytes were written; once. */
    cutAfterBytes(n: number): void {
        this.cutBytes = n;
    }

    /** The connection drops at the first call `pred` accepts (before it runs); once. */
    cutWhen(pred: (c: Call) => boolean): void {
        this.cutPredicate = pred;
    }

    /** The next file written whose path `pred` accepts is stored with its first byte flipped; once. */
    corruptNextWrite(pred: (path: string) => boolean = () => true): void {
        this.corruptPredicate = pred;
    }

    /** Every call `when` accepts fails with `error(call)` (until `clearFailures`). */
    failWhen(when: (c: Call) => boolean, error: (c: Call) => Error): void {
        this.failures.push({ when, error });
    }

    clearFailures(): void {
        this.failures = [];
    }

    /** Drops every open connection now (e.g. from a command handler: a cut while the command runs). */
    cutConnections(): void {
        for (const t of this.open) {
            t.closed = true;
        }
    }

    /** Calls of one operation. */
    callsOf(op: string): Call[] {
        return this.calls.filter((c) => c.op === op);
    }

    /** Opens a connection, as the provider's opener. */
    readonly opener = async (c: ConnectionInputs): Promise<Transport> => {
        const t = new MemoryTransport(this, endpointUrl(c), ++this.connections);
        this.open.add(t);
        return t;
    };

    /** Makes the provider's pool open connections to this server. */
    install(): this {
        setTransportOpener(this.opener);
        return this;
    }

    /** Closes pooled connections and restores the real transports. */
    async uninstall(): Promise<void> {
        await closeAll();
        setTransportOpener(undefined);
    }

    /** Faults, checked at the start of every call. Returns the hook that fired, if any. */
    fault(c: Call): "cut" | Error | undefined {
        if (this.cutPredicate?.(c)) {
            this.cutPredicate = undefined;
            return "cut";
        }
        const f = this.failures.find((x) => x.when(c));
        return f?.error(c);
    }

    /** Bytes a write may still pass before the cut; undefined for no cut pending. */
    takeBytes(n: number): number | undefined {
        if (this.cutBytes === undefined) {
            return undefined;
        }
        const allowed = Math.min(n, this.cutBytes);
        this.cutBytes -= allowed;
        if (allowed < n || this.cutBytes === 0) {
            this.cutBytes = undefined;
            return allowed;
        }
        return undefined;
    }

    corrupts(path: string): boolean {
        if (this.corruptPredicate?.(path)) {
            this.corruptPredicate = undefined;
            return true;
        }
        return false;
    }

    /** Runs a command as the server would: the hashers, then `commands`, else 127. */
    run(command: string, stopped: AbortSignal = new AbortController().signal): ExecResult | Promise<ExecResult> {
        const m = /^openssl dgst -sha256 -r (.*)$/.exec(command);
        if (m) {
            let stdout = "";
            let stderr = "";
            for (const p of shellWords(m[1])) {
                try {
                    stdout += `${sha256OfText(this.fs.readFile(p))} *${p}\n`;
                } catch (e) {
                    stderr += `${p}: ${(e as Error).message}\n`;
                }
            }
            return { code: stderr === "" ? 0 : 1, stdout, stderr };
        }
        return (
            this.commands?.(command, this, stopped) ?? {
                code: 127,
                stdout: "",
                stderr: `sh: 1: ${command.split(" ")[0]}: not found\n`,
            }
        );
    }
}

/** The words of a command line made by shellQuote (`'a'\''b' 'c'`). */
function shellWords(s: string): string[] {
    const out: string[] = [];
    const re = /'((?:[^']|'\\'')*)'/g;
    for (let m = re.exec(s); m; m = re.exec(s)) {
        out.push(m[1].split(`'\\''`).join("'"));
    }
    return out;
}

function statOf(n: Node): RemoteStat {
    return {
        kind: n.kind,
        size: n.kind === "file" ? n.data.length : n.kind === "symlink" ? n.target.length : 0,
        mode: n.mode,
        mtime: n.mtime,
        uid: n.uid,
        gid: n.gid,
    };
}

export class MemoryTransport implements Transport {
    readonly capabilities: TransportCapabilities;
    readonly readBackMaxBytes?: number;
    closed = false;
    private readonly hasher = new SshHasher(
        (command, options) => this.exec(command, options),
        () => this.endpoint,
    );
    private readonly channels = new ChannelBudget(1 + EXECS_PER_CONNECTION, 1);

    constructor(
        private readonly server: MemoryServer,
        readonly endpoint: string,
        readonly connection: number,
    ) {
        this.capabilities = { ...server.capabilities };
        this.readBackMaxBytes = server.readBackMaxBytes;
        if (server.hashing === "none") {
            this.remoteSha256Many = undefined;
        }
        if (!server.resumableWrites) {
            this.writeFrom = undefined;
        }
    }

    private get fs(): MemoryFs {
        return this.server.fs;
    }

    /** Records the call, lets other work run (like a round trip), then applies the faults. */
    private async enter(op: string, path: string, to?: string): Promise<void> {
        const call: Call = { connection: this.connection, op, path, to };
        this.server.calls.push(call);
        await new Promise<void>((r) => setImmediate(r));
        if (this.closed) {
            throw connectionLost(this.endpoint, op, path);
        }
        const fault = this.server.fault(call);
        if (fault === "cut") {
            throw this.cut(op, path);
        }
        if (fault !== undefined) {
            throw fault;
        }
    }

    private cut(op: string, path: string): FiledropError {
        this.closed = true;
        return connectionLost(this.endpoint, op, path);
    }

    /** A file system failure as the FiledropError a real transport would raise. */
    private mapped(op: string, path: string, e: unknown): unknown {
        if (!(e instanceof FsError)) {
            return e;
        }
        switch (e.errno) {
            case "ENOENT":
                return noSuchFile(this.endpoint, op, path, e);
            case "EACCES":
            case "EPERM":
                return permissionDenied(this.endpoint, op, path, e.message, e);
            case "ENOSPC":
                return new FiledropError(
                    "NO_SPACE",
                    `Cannot ${op} ${this.endpoint}${path}: the server said "${e.message}" (disk full or quota reached).`,
                    { cause: e },
                );
            default:
                return remoteIo(this.endpoint, op, path, e.message, { cause: e });
        }
    }

    private async op<T>(op: string, path: string, f: () => T, to?: string): Promise<T> {
        await this.enter(op, path, to);
        try {
            return f();
        } catch (e) {
            throw this.mapped(op, path, e);
        }
    }

    stat(path: string): Promise<RemoteStat | undefined> {
        return this.op("stat", path, () => {
            const n = this.fs.lstat(path);
            return n && statOf(n);
        });
    }

    /** Like realpath on OpenSSH: the final target of a link, `undefined` when it dangles. */
    resolveLink(path: string): Promise<string | undefined> {
        return this.op("resolveLink", path, () => {
            const r = this.fs.resolve(path);
            return this.fs.lstat(r) === undefined ? undefined : r;
        });
    }

    mkdir(path: string, mode?: number): Promise<void> {
        return this.op("mkdir", path, () =>
            this.fs.mkdir(path, this.capabilities.chmod ? mode : 0o777 & ~this.server.umask),
        );
    }

    rmdir(path: string): Promise<void> {
        return this.op("rmdir", path, () => this.fs.rmdir(path));
    }

    remove(path: string): Promise<void> {
        return this.op("remove", path, () => {
            if (this.fs.lstat(path)) {
                this.fs.unlink(path);
            }
        });
    }

    list(path: string): Promise<RemoteEntry[]> {
        return this.op("list", path, () => {
            const dir = this.fs.resolve(path);
            if (this.fs.lstat(dir)?.kind !== "directory") {
                throw new FsError("ENOENT", `${path} is not a directory`);
            }
            return this.fs.children(dir).map((p) => ({
                name: p.slice(p.lastIndexOf("/") + 1),
                // A listing tells the link count, like OpenSSH's long names; this file system has no hard links.
                stat: { ...statOf(this.fs.lstat(p)!), nlink: 1 },
            }));
        });
    }

    async write(path: string, data: Readable, mode?: number, options?: WriteOptions): Promise<number> {
        const real = await this.op("write", path, () => {
            const there = this.fs.lstat(path);
            if (options?.exclusive === true && there !== undefined) {
                // O_CREAT|O_EXCL: anything at the path, even a dangling link, refuses the create.
                throw alreadyExists(this.endpoint, path, describeEntry(statOf(there)));
            }
            return this.fs.truncate(path, this.capabilities.chmod ? mode : 0o666 & ~this.server.umask);
        });
        return this.writeBody(path, real, data);
    }

    async writeFrom?(path: string, data: Readable, offset: number): Promise<number> {
        const real = await this.op("write", path, () => {
            const r = this.fs.resolve(path);
            const n = this.fs.lstat(r);
            if (n?.kind !== "file" || n.data.length !== offset) {
                throw new FsError("ENOENT", `${path} does not end at ${offset}`);
            }
            return r;
        });
        return this.writeBody(path, real, data);
    }

    private async writeBody(path: string, real: string, data: Readable): Promise<number> {
        let written = 0;
        try {
            for await (const chunk of data as AsyncIterable<Buffer>) {
                if (this.closed) {
                    throw connectionLost(this.endpoint, "write", path);
                }
                const allowed = this.server.takeBytes(chunk.length);
                if (allowed !== undefined) {
                    this.fs.append(real, chunk.subarray(0, allowed));
                    this.server.bytesWritten += allowed;
                    throw this.cut("write", path);
                }
                this.fs.append(real, chunk);
                this.server.bytesWritten += chunk.length;
                written += chunk.length;
                await new Promise<void>((r) => setImmediate(r));
            }
        } catch (e) {
            throw this.mapped("write", path, e);
        }
        if (this.server.corrupts(path)) {
            const n = this.fs.lstat(real);
            if (n?.kind === "file" && n.data.length > 0) {
                n.data = Buffer.from(n.data);
                n.data[0] ^= 0xff;
            }
        }
        return written;
    }

    async read(path: string): Promise<Readable> {
        const data = await this.op("read", path, () => Buffer.from(this.fs.readFile(path)));
        return Readable.from([data]);
    }

    rename(from: string, to: string): Promise<void> {
        return this.op(
            "rename",
            from,
            () => {
                if (this.server.refuseRenameOverExisting && this.fs.lstat(to) !== undefined) {
                    throw new FsError("EEXIST", `${to} exists; the server does not rename over existing files`);
                }
                this.fs.rename(from, to);
            },
            to,
        );
    }

    chmod(path: string, mode: number): Promise<void> {
        return this.op("chmod", path, () => {
            if (!this.capabilities.chmod) {
                // As the FTP transport does where SITE CHMOD is refused.
                throw new FiledropError("UNSUPPORTED", `${this.endpoint} cannot change the mode of ${path}.`);
            }
            this.fs.chmod(path, mode);
        });
    }

    chown(path: string, uid: number, gid: number): Promise<void> {
        return this.op("chown", path, () => this.fs.chownAsLogin(path, uid, gid));
    }

    async remoteSha256(path: string): Promise<{ sha256: string; method: string } | undefined> {
        if (this.server.hashing === "none") {
            await this.enter("hash", path);
            return undefined;
        }
        return (await this.hasher.sha256Many([path])).get(path);
    }

    remoteSha256Many?: (paths: readonly string[]) => Promise<Map<string, { sha256: string; method: string }>> = (
        paths,
    ) => this.hasher.sha256Many(paths);

    /**
     * Runs a command as the SSH transport does: each on a channel of one budget shared with the SFTP session
     * (provider/transport/ssh/channelBudget.ts), so a channel beyond `execChannels` waits instead of failing.
     */
    exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
        return this.channels.run(
            () => this.execChannel(command, options),
            (e) => hasCode(e, "UNSUPPORTED"),
        );
    }

    /** One exec channel, opened straight away: refused beyond `execChannels` (like sshd beyond MaxSessions). */
    async execChannel(command: string, options: ExecOptions = {}): Promise<ExecResult> {
        await this.enter("exec", command);
        const s = this.server;
        if (s.refuseExec || !this.capabilities.exec) {
            throw new FiledropError("UNSUPPORTED", `${this.endpoint} does not allow running commands (open failed).`);
        }
        if (s.execsRunning >= s.execChannels) {
            throw new FiledropError(
                "UNSUPPORTED",
                `${this.endpoint} does not allow running commands (open failed: administratively prohibited).`,
            );
        }
        s.execsRunning++;
        s.execsPeak = Math.max(s.execsPeak, s.execsRunning);
        const stop = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        try {
            await new Promise<void>((r) => setImmediate(r));
            s.running.add(command);
            const done = Promise.resolve(s.run(command, stop.signal)).finally(() => s.running.delete(command));
            const limited =
                options.timeoutMs === undefined
                    ? done
                    : Promise.race([
                          done,
                          new Promise<ExecResult>((resolve) => {
                              timer = setTimeout(() => {
                                  stop.abort(); // the server's `timeout` stops the command
                                  s.running.delete(command);
                                  resolve({ code: null, timedOut: true, stdout: "", stderr: "" });
                              }, options.timeoutMs);
                          }),
                      ]);
            // A connection cut while the command runs: the client never gets its exit status.
            return await Promise.race([limited, this.lostWhileRunning(command, stop.signal)]);
        } finally {
            clearTimeout(timer);
            stop.abort();
            s.execsRunning--;
        }
    }

    /** Rejects (connection lost) once this connection is cut while `command` runs; stops looking at `done`. */
    private lostWhileRunning(command: string, done: AbortSignal): Promise<never> {
        return new Promise<never>((_, reject) => {
            const poll = setInterval(() => {
                if (done.aborted) {
                    clearInterval(poll);
                } else if (this.closed) {
                    clearInterval(poll);
                    reject(connectionLost(this.endpoint, "run", `\`${command}\``));
                }
            }, 1);
        });
    }

    close(): void {
        this.closed = true;
    }
}
