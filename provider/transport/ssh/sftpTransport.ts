/**
 * The SFTP Transport over one SSH connection and its SFTP session: each operation is one or a few SFTP requests
 * (sftpCalls.ts), transfers are pipelined (sftpStreams.ts), commands and server-side hashing go over exec
 * channels (sftpExec.ts, sshHasher.ts). Opening the connection is sftp.ts's job.
 */
import type { Readable } from "node:stream";
import type { Client, SFTPWrapper, Stats } from "ssh2";
import { type ConnectionInputs, endpointUrl } from "../../connection";
import { READ_BACK_MAX_BYTES } from "../../defaults";
import { alreadyExists } from "../../errors";
import { shellQuote } from "../../shellQuote";
import { describeEntry } from "../describeEntry";
import type {
    ExecOptions,
    ExecResult,
    RemoteEntry,
    RemoteStat,
    Transport,
    TransportCapabilities,
    WriteOptions,
} from "../types";
import { isNoSuchFile, SftpCalls, statOf } from "./sftpCalls";
import { SshExec } from "./sftpExec";
import { SftpLanes } from "./sftpLanes";
import { extensionsOf, readPipelined, writePipelined } from "./sftpStreams";
import { SshHasher } from "./sshHasher";

/** The link count in an `ls -l` style long name (`-rw------- 1 user group …`, OpenSSH's readdir), if it has one. */
function nlinkOf(longname: string | undefined): number | undefined {
    const m = /^[-dlpscb][-rwxsStT]{9}[+@.]?\s+(\d+)\s/.exec(longname ?? "");
    return m ? Number(m[1]) : undefined;
}

export class SftpTransport implements Transport {
    public readonly endpoint: string;
    public readonly capabilities: TransportCapabilities;
    /** Small files are read back rather than hashed by a command, which runs the login shell (defaults.ts). */
    public readonly readBackMaxBytes = READ_BACK_MAX_BYTES;
    private readonly calls: SftpCalls;
    private readonly execs: SshExec;
    /** The sessions files are written on: `sftp`, and more while many writes are in flight (sftpLanes.ts). */
    private readonly lanes: SftpLanes;
    private readonly hasher = new SshHasher(
        (command, options) => this.exec(command, options),
        () => this.endpoint,
    );

    constructor(
        private readonly client: Client,
        private readonly sftp: SFTPWrapper,
        c: ConnectionInputs,
        /** `connection.sudo`'s prefix: every command runs as `prefix sh -c '…'`, like the SFTP server itself. */
        private readonly sudoPrefix?: string,
        /** Opens one more SFTP session on `client` the way `sftp` was opened; absent: files are written on `sftp` alone. */
        openSession?: () => Promise<SFTPWrapper>,
    ) {
        this.endpoint = endpointUrl(c);
        this.calls = new SftpCalls(this.endpoint);
        this.execs = new SshExec(client, this.endpoint);
        // When the connection drops, ssh2 may never answer requests already sent or queued: fail them all at once.
        const lost = () => this.calls.connectionLost();
        this.lanes = new SftpLanes(sftp, openSession, this.execs, lost);
        client.on("close", lost);
        client.on("error", lost);
        sftp.on("close", lost);
        this.capabilities = {
            atomicOverwrite: extensionsOf(sftp)["posix-rename@openssh.com"] !== undefined,
            chmod: true,
            chown: true,
            exec: true,
        };
    }

    get closed(): boolean {
        return this.calls.closed;
    }

    async stat(path: string): Promise<RemoteStat | undefined> {
        try {
            return statOf(await this.calls.call<Stats>("stat", path, (cb) => this.sftp.lstat(path, cb)));
        } catch (e) {
            if (isNoSuchFile(e)) {
                return undefined;
            }
            throw e;
        }
    }

    /** realpath@openssh resolves every link; a dangling one fails with "no such file", which is `undefined` here. */
    async resolveLink(path: string): Promise<string | undefined> {
        try {
            return await this.calls.call<string>("resolve the symlink", path, (cb) => this.sftp.realpath(path, cb));
        } catch (e) {
            if (isNoSuchFile(e)) {
                return undefined;
            }
            throw e;
        }
    }

    async mkdir(path: string, mode?: number): Promise<void> {
        await this.calls.call("create directory", path, (cb) =>
            this.sftp.mkdir(path, mode === undefined ? {} : { mode }, cb),
        );
    }

    async rmdir(path: string): Promise<void> {
        await this.calls.call("remove directory", path, (cb) => this.sftp.rmdir(path, cb));
    }

    async remove(path: string): Promise<void> {
        try {
            await this.calls.call("remove", path, (cb) => this.sftp.unlink(path, cb));
        } catch (e) {
            if (!isNoSuchFile(e)) {
                throw e;
            }
        }
    }

    async list(path: string): Promise<RemoteEntry[]> {
        const entries = await this.calls.call<{ filename: string; longname: string; attrs: Stats }[]>(
            "list",
            path,
            (cb) => this.sftp.readdir(path, cb as never),
        );
        return entries
            .filter((e) => e.filename !== "." && e.filename !== "..")
            .map((e) => ({ name: e.filename, stat: { ...statOf(e.attrs), nlink: nlinkOf(e.longname) } }));
    }

    async write(path: string, data: Readable, mode?: number, options?: WriteOptions): Promise<number> {
        // "wx" is O_CREAT|O_EXCL: nothing at the path may be reused, and a symlink there (even dangling) is never followed.
        const flags = options?.exclusive === true ? "wx" : "w";
        return this.lanes.run(async (sftp) => {
            let handle: Buffer;
            try {
                handle = await this.calls.call<Buffer>("write", path, (cb) =>
                    sftp.open(path, flags, mode === undefined ? {} : { mode }, cb),
                );
            } catch (e) {
                // OpenSSH answers EEXIST with a bare "Failure": look at what is there to say so.
                const there = options?.exclusive === true ? await this.stat(path).catch(() => undefined) : undefined;
                throw there === undefined ? e : alreadyExists(this.endpoint, path, describeEntry(there), e);
            }
            return writePipelined(this.calls, sftp, path, handle, data);
        });
    }

    async writeFrom(path: string, data: Readable, offset: number): Promise<number> {
        // "r+": keep the bytes already there; the writes continue at `offset` (the file's size, checked by the caller).
        const handle = await this.calls.call<Buffer>("write", path, (cb) => this.sftp.open(path, "r+", cb));
        return writePipelined(this.calls, this.sftp, path, handle, data, offset);
    }

    async read(path: string): Promise<Readable> {
        const handle = await this.calls.call<Buffer>("read", path, (cb) => this.sftp.open(path, "r", cb));
        return readPipelined(this.calls, this.sftp, path, handle);
    }

    async rename(from: string, to: string): Promise<void> {
        if (this.capabilities.atomicOverwrite) {
            await this.calls.call("rename", to, (cb) => this.sftp.ext_openssh_rename(from, to, cb as never));
            return;
        }
        // SFTP v3 rename refuses to replace an existing file; ops/replace.ts moves the old one aside first.
        await this.calls.call("rename", to, (cb) => this.sftp.rename(from, to, cb as never));
    }

    async chmod(path: string, mode: number): Promise<void> {
        await this.calls.call("change mode of", path, (cb) => this.sftp.chmod(path, mode, cb as never));
    }

    async chown(path: string, uid: number, gid: number): Promise<void> {
        await this.calls.call("change owner of", path, (cb) => this.sftp.chown(path, uid, gid, cb as never));
    }

    async remoteSha256(path: string): Promise<{ sha256: string; method: string } | undefined> {
        return (await this.hasher.sha256Many([path])).get(path);
    }

    remoteSha256Many(paths: readonly string[]): Promise<Map<string, { sha256: string; method: string }>> {
        return this.hasher.sha256Many(paths);
    }

    /** Runs a command line; with `sudo`, the whole line runs through it (validate, checks, hashing). */
    exec(command: string, options?: ExecOptions): Promise<ExecResult> {
        return this.execs.run(
            this.sudoPrefix === undefined ? command : `${this.sudoPrefix} sh -c ${shellQuote(command)}`,
            options,
        );
    }

    /** Closes the SSH connection. */
    close(): void {
        this.calls.closed = true;
        this.client.end();
    }
}
