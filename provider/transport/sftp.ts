/**
 * The SFTP transport: the only file that imports ssh2 (lazily, so the dynamic provider's closure serialization
 * captures a module reference rather than code).
 *
 * Speed notes (SPEC §7): ssh2 leaves Nagle's algorithm on, so the socket is created here with `setNoDelay(true)`;
 * writes are split into the server's maximum write length (255 KiB on OpenSSH via limits@openssh.com) and many are
 * kept in flight; reads for hashing are pipelined the same way.
 */
import * as net from "net";
import { Readable } from "stream";
import type { Client, ClientChannel, SFTPWrapper, Stats } from "ssh2";
import { ConnectionInputs, CredentialInputs, endpointUrl, portOf, userOf } from "../connection";
import { FiledropError, isFiledropError, messageOf } from "../errors";
import { checkHostKey } from "../trust/sshTrust";
import { SshHasher } from "./sshHasher";
import { ExecResult, RemoteEntry, RemoteStat, Transport, TransportCapabilities } from "./types";

/**
 * Writes in flight are bounded by bytes as well as by count: past the server's channel window (2 MiB on OpenSSH)
 * more requests only queue inside ssh2 as extra copies, which costs memory and GC time, not speed. Measured by
 * bench/largeFile.ts (1 GiB, 255 KiB writes): 32 in flight 141-146 MiB peak RSS, 7.0-8.3 s; 16 in flight
 * 107-110 MiB, 5.4-5.9 s.
 */
const MAX_BYTES_IN_FLIGHT = 4 << 20;
const MIN_WRITES_IN_FLIGHT = 16;
const MAX_WRITES_IN_FLIGHT = 64;
const READS_IN_FLIGHT = 16;
const STATUS_NO_SUCH_FILE = 2;
/** Concurrent exec channels per connection: below OpenSSH's default MaxSessions (10) with the SFTP channel. */
const EXECS_AT_ONCE = 4;
const STATUS_PERMISSION_DENIED = 3;

function statOf(s: Stats): RemoteStat {
    const kind = s.isDirectory() ? "directory" : s.isFile() ? "file" : s.isSymbolicLink() ? "symlink" : "other";
    return { kind, size: Number(s.size), mode: s.mode & 0o7777, mtime: s.mtime, uid: s.uid, gid: s.gid };
}


export class SftpTransport implements Transport {
    public readonly endpoint: string;
    public readonly capabilities: TransportCapabilities;
    private readonly hasher = new SshHasher((command) => this.exec(command));
    private execsRunning = 0;
    private readonly execWaiters: (() => void)[] = [];
    public closed = false;

    constructor(
        private readonly client: Client,
        private readonly sftp: SFTPWrapper,
        c: ConnectionInputs,
    ) {
        this.endpoint = endpointUrl(c);
        // When the connection drops, ssh2 may never answer requests already sent or queued: fail them all at once.
        const lost = () => this.connectionLost();
        client.on("close", lost);
        client.on("error", lost);
        sftp.on("close", lost);
        const ext = (sftp as unknown as { _extensions?: Record<string, string> })._extensions ?? {};
        this.capabilities = {
            atomicOverwrite: ext["posix-rename@openssh.com"] !== undefined,
            chmod: true,
            chown: true,
            exec: true,
        };
    }

    private fail(op: string, path: string, e: unknown): FiledropError {
        const code = (e as { code?: unknown }).code;
        const where = `${this.endpoint}${path}`;
        if (code === STATUS_PERMISSION_DENIED) {
            return new FiledropError("PERMISSION_DENIED", `Permission denied to ${op} ${where}; check the remote user's rights on that path.`, { cause: e });
        }
        if (code === STATUS_NO_SUCH_FILE) {
            return new FiledropError("REMOTE_IO", `Cannot ${op} ${where}: no such file or directory.`, { cause: e });
        }
        const msg = messageOf(e);
        if (/No response from server|Not connected|closed|ECONNRESET/i.test(msg)) {
            return new FiledropError("CONNECTION_LOST", `Connection to ${this.endpoint} was lost while trying to ${op} ${path}; run the deployment again.`, { cause: e, transient: true });
        }
        const hint = op === "write" ? " (the server's disk may be full or a quota reached)" : "";
        return new FiledropError("REMOTE_IO", `Cannot ${op} ${where}: the server said "${msg}"${hint}.`, { cause: e });
    }

    /** Callbacks to run when the connection is lost, each failing one pending operation. */
    private readonly onLost = new Set<(e: FiledropError) => void>();

    private lostError(op: string, path: string): FiledropError {
        return new FiledropError("CONNECTION_LOST", `Connection to ${this.endpoint} was lost while trying to ${op} ${path}; run the deployment again.`, { transient: true });
    }

    private connectionLost(): void {
        this.closed = true;
        const e = this.lostError("finish an operation on", "");
        for (const fail of [...this.onLost]) {
            fail(e);
        }
        this.onLost.clear();
    }

    private call<T>(op: string, path: string, f: (cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
        return new Promise<T>((resolve, reject) => {
            if (this.closed) {
                return reject(this.lostError(op, path));
            }
            const onLost = () => reject(this.lostError(op, path));
            this.onLost.add(onLost);
            const done = (fn: () => void) => {
                this.onLost.delete(onLost);
                fn();
            };
            try {
                f((err, v) => done(() => (err ? reject(this.fail(op, path, err)) : resolve(v as T))));
            } catch (e) {
                done(() => reject(this.fail(op, path, e)));
            }
        });
    }

    async stat(path: string): Promise<RemoteStat | undefined> {
        try {
            return statOf(await this.call<Stats>("stat", path, (cb) => this.sftp.lstat(path, cb)));
        } catch (e) {
            if ((e as FiledropError).cause && ((e as FiledropError).cause as { code?: unknown }).code === STATUS_NO_SUCH_FILE) {
                return undefined;
            }
            throw e;
        }
    }

    async mkdir(path: string, mode?: number): Promise<void> {
        await this.call("create directory", path, (cb) => this.sftp.mkdir(path, mode === undefined ? {} : { mode }, cb));
    }

    async rmdir(path: string): Promise<void> {
        await this.call("remove directory", path, (cb) => this.sftp.rmdir(path, cb));
    }

    async remove(path: string): Promise<void> {
        try {
            await this.call("remove", path, (cb) => this.sftp.unlink(path, cb));
        } catch (e) {
            if (((e as FiledropError).cause as { code?: unknown })?.code === STATUS_NO_SUCH_FILE) {
                return;
            }
            throw e;
        }
    }

    async list(path: string): Promise<RemoteEntry[]> {
        const entries = await this.call<{ filename: string; attrs: Stats }[]>("list", path, (cb) => this.sftp.readdir(path, cb as never));
        return entries
            .filter((e) => e.filename !== "." && e.filename !== "..")
            .map((e) => ({ name: e.filename, stat: statOf(e.attrs) }));
    }

    async write(path: string, data: Readable, mode?: number): Promise<number> {
        const handle = await this.call<Buffer>("write", path, (cb) => this.sftp.open(path, "w", mode === undefined ? {} : { mode }, cb));
        const maxLen = (this.sftp as unknown as { _maxWriteLen?: number })._maxWriteLen ?? 32768;
        const writesInFlight = Math.max(MIN_WRITES_IN_FLIGHT, Math.min(MAX_WRITES_IN_FLIGHT, Math.floor(MAX_BYTES_IN_FLIGHT / maxLen)));
        let offset = 0;
        let inFlight = 0;
        let failure: unknown;
        let wake: (() => void) | undefined;
        const settled = () => {
            inFlight = Math.max(0, inFlight - 1);
            wake?.();
        };
        // Writes in flight when the connection drops may never be answered: give up on all of them.
        const onLost = (e: FiledropError) => {
            failure = e;
            inFlight = 0;
            wake?.();
        };
        this.onLost.add(onLost);
        try {
            if (this.closed) {
                throw this.lostError("write", path);
            }
            for await (const chunk of data as AsyncIterable<Buffer>) {
                for (let off = 0; off < chunk.length; off += maxLen) {
                    const len = Math.min(maxLen, chunk.length - off);
                    while (inFlight >= writesInFlight && failure === undefined) {
                        await new Promise<void>((r) => (wake = r));
                    }
                    if (failure !== undefined) {
                        throw failure;
                    }
                    inFlight++;
                    this.sftp.write(handle, chunk, off, len, offset, (err) => {
                        if (err && failure === undefined) {
                            failure = err;
                        }
                        settled();
                    });
                    offset += len;
                }
            }
            while (inFlight > 0) {
                await new Promise<void>((r) => (wake = r));
            }
            if (failure !== undefined) {
                throw failure;
            }
            if ((this.sftp as unknown as { _extensions: Record<string, string> })._extensions["fsync@openssh.com"]) {
                await this.call("write", path, (cb) => this.sftp.ext_openssh_fsync(handle, cb as never));
            }
        } catch (e) {
            while (inFlight > 0) {
                await new Promise<void>((r) => (wake = r));
            }
            await this.call("close", path, (cb) => this.sftp.close(handle, cb)).catch(() => undefined);
            throw isFiledropError(e) ? e : this.fail("write", path, e);
        } finally {
            this.onLost.delete(onLost);
        }
        await this.call("close", path, (cb) => this.sftp.close(handle, cb));
        return offset;
    }

    async read(path: string): Promise<Readable> {
        const handle = await this.call<Buffer>("read", path, (cb) => this.sftp.open(path, "r", cb));
        const maxLen = (this.sftp as unknown as { _maxReadLen?: number })._maxReadLen ?? 32768;
        const sftp = this.sftp;
        const self = this;
        async function* chunks(): AsyncGenerator<Buffer> {
            let next = 0;
            let eof = false;
            const pending: Promise<Buffer>[] = [];
            const issue = () => {
                const pos = next;
                next += maxLen;
                pending.push(
                    new Promise<Buffer>((resolve, reject) => {
                        const buf = Buffer.allocUnsafe(maxLen);
                        sftp.read(handle, buf, 0, maxLen, pos, (err, n) => {
                            // ssh2 reports end of file as an error with code 1 (EOF) or as 0 bytes read.
                            if (err && (err as { code?: unknown }).code !== 1) {
                                reject(self.fail("read", path, err));
                            } else {
                                resolve(buf.subarray(0, err ? 0 : n));
                            }
                        });
                    }),
                );
            };
            try {
                for (let i = 0; i < READS_IN_FLIGHT; i++) {
                    issue();
                }
                while (pending.length > 0) {
                    const buf = await pending.shift()!;
                    if (buf.length === 0) {
                        eof = true;
                    }
                    if (!eof) {
                        yield buf;
                        issue();
                    }
                }
            } finally {
                await Promise.allSettled(pending);
                await new Promise((r) => sftp.close(handle, r));
            }
        }
        return Readable.from(chunks(), { objectMode: false });
    }

    async rename(from: string, to: string): Promise<void> {
        if (this.capabilities.atomicOverwrite) {
            await this.call("rename", to, (cb) => this.sftp.ext_openssh_rename(from, to, cb as never));
            return;
        }
        // SFTP v3 rename refuses to replace an existing file: remove first. Not atomic; the handler says so.
        await this.remove(to);
        await this.call("rename", to, (cb) => this.sftp.rename(from, to, cb as never));
    }

    async chmod(path: string, mode: number): Promise<void> {
        await this.call("change mode of", path, (cb) => this.sftp.chmod(path, mode, cb as never));
    }

    async chown(path: string, uid: number, gid: number): Promise<void> {
        await this.call("change owner of", path, (cb) => this.sftp.chown(path, uid, gid, cb as never));
    }

    async remoteSha256(path: string): Promise<{ sha256: string; method: string } | undefined> {
        return (await this.hasher.sha256Many([path])).get(path);
    }

    remoteSha256Many(paths: readonly string[]): Promise<Map<string, { sha256: string; method: string }>> {
        return this.hasher.sha256Many(paths);
    }

    /** Runs a command, at most EXECS_AT_ONCE at a time (sshd's MaxSessions 10 counts the SFTP channel too). */
    async exec(command: string): Promise<ExecResult> {
        while (this.execsRunning >= EXECS_AT_ONCE) {
            await new Promise<void>((r) => this.execWaiters.push(r));
        }
        this.execsRunning++;
        try {
            return await this.execNow(command);
        } finally {
            this.execsRunning--;
            this.execWaiters.shift()?.();
        }
    }

    private execNow(command: string): Promise<ExecResult> {
        return new Promise<ExecResult>((resolve, reject) => {
            this.client.exec(command, (err: Error | undefined, stream: ClientChannel) => {
                if (err) {
                    reject(new FiledropError("UNSUPPORTED", `${this.endpoint} does not allow running commands (${err.message}).`, { cause: err }));
                    return;
                }
                const out: Buffer[] = [];
                const errOut: Buffer[] = [];
                stream.on("data", (d: Buffer) => out.push(d));
                stream.stderr.on("data", (d: Buffer) => errOut.push(d));
                stream.on("close", (code: number | null) =>
                    resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errOut).toString() }),
                );
            });
        });
    }

    /** Closes the SSH connection. */
    close(): void {
        this.closed = true;
        this.client.end();
    }
}

/**
 * ssh2 writes every SSH packet to the socket on its own: with Nagle off (above) and hundreds of small requests in
 * flight, that is one syscall per packet. Corking the socket on the first write of a tick and uncorking on the next
 * tick hands the kernel all packets of the tick in one writev, without delaying any of them past the current tick.
 */
function coalesceWrites(sock: net.Socket): void {
    const write = sock.write.bind(sock) as (...args: unknown[]) => boolean;
    let corked = false;
    (sock as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
        if (!corked) {
            corked = true;
            sock.cork();
            process.nextTick(() => {
                corked = false;
                sock.uncork();
            });
        }
        return write(...args);
    };
}

/** How long a TCP connect plus SSH handshake may take before it counts as a (transient) failure. */
const DEFAULT_DIAL_TIMEOUT_MS = 15000;

/** Opens an SSH connection and its SFTP session; verifies the host key first. */
export function openSftp(c: ConnectionInputs, creds: CredentialInputs): Promise<SftpTransport> {
    // Loaded here, not at the top: see the file comment.
    const { Client } = require("ssh2") as typeof import("ssh2");
    const where = endpointUrl(c);
    return new Promise<SftpTransport>((resolve, reject) => {
        const client = new Client();
        let hostKeyError: FiledropError | undefined;
        let settled = false;
        const finish = (e: FiledropError) => {
            if (!settled) {
                settled = true;
                client.end();
                reject(e);
            }
        };
        const sock = net.connect({ host: c.host, port: portOf(c) });
        sock.setNoDelay(true);
        coalesceWrites(sock);
        sock.on("error", () => undefined); // reported through the client's error event
        client.on("error", (err: Error & { level?: string; code?: string }) => {
            if (hostKeyError) {
                return finish(hostKeyError);
            }
            if (err.level === "client-authentication") {
                const tried = [creds.password !== undefined && "password", creds.privateKey !== undefined && "private key", c.agentSocketPath !== undefined && "agent"].filter(Boolean).join(", ");
                return finish(new FiledropError("AUTH_FAILED", `Authentication as ${userOf(c)} to ${where} failed (tried: ${tried || "nothing"}); check the password, private key or agent.`, { cause: err }));
            }
            const transient = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|Timed out|before handshake|Connection lost/i.test(`${err.code} ${err.message}`);
            finish(new FiledropError("CONNECT_FAILED", `Cannot connect to ${where}: ${err.message}; check host, port and that the SSH server is running.`, { cause: err, transient }));
        });
        client.on("ready", () => {
            client.sftp((err, sftp) => {
                if (err) {
                    return finish(new FiledropError("UNSUPPORTED", `${where} accepted the login but refused an SFTP session (${err.message}); enable the sftp subsystem.`, { cause: err }));
                }
                settled = true;
                resolve(new SftpTransport(client, sftp, c));
            });
        });
        try {
            client.connect({
                sock,
                username: userOf(c),
                password: creds.password,
                privateKey: creds.privateKey,
                passphrase: creds.privateKeyPassword,
                agent: c.agentSocketPath,
                readyTimeout: c.perDialTimeout !== undefined ? c.perDialTimeout * 1000 : DEFAULT_DIAL_TIMEOUT_MS,
                keepaliveInterval: 10000,
                hostVerifier: (key: Buffer) => {
                    hostKeyError = checkHostKey(c, key);
                    return hostKeyError === undefined;
                },
            });
        } catch (e) {
            // ssh2 throws synchronously for a key it cannot parse; its message never includes the key.
            sock.destroy();
            finish(new FiledropError("AUTH_FAILED", `The private key for ${where} cannot be used: ${messageOf(e)}; check \`privateKey\` and \`privateKeyPassword\`.`, { cause: e }));
        }
    });
}
