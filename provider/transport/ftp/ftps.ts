/**
 * The FTPS/FTP transport on basic-ftp: `"ftps"` (explicit AUTH TLS), `"ftps-implicit"`, and `"ftp"` (plaintext,
 * which check only lets through with `allowPlaintext`). How a connection is opened and secured is in
 * ftpsSession.ts; how several are shared in ftpsSessions.ts; reply parsing in ftpReplies.ts.
 *
 * What servers offer, checked against Debian's vsftpd 3.0.3 and ProFTPD 1.3.8 (mod_tls, mod_digest):
 * - stat: MLST where FEAT lists it (ProFTPD); else `STAT -a <path>` over the control channel (vsftpd lists a
 *   directory with its `.` entry and a file as one line) plus MDTM for a file's time; else SIZE/CWD probes.
 * - SHA-256 on the server: `HASH` after `OPTS HASH SHA-256` (ProFTPD), else `XSHA256`; vsftpd has neither, so the
 *   caller reads the file back.
 * - rename: RNFR/RNTO replaces an existing target with rename(2) on both, atomically. Whether the server renames
 *   over an existing file (ProFTPD with `AllowOverwrite off` does not) is probed once when the connection opens
 *   (ftpsProbe.ts) and declared in `capabilities.atomicOverwrite`; where it does not, ops/replace.ts moves the
 *   old file aside first. The target is never deleted before the new file is in place.
 * - permissions: `SITE CHMOD` where SITE HELP lists it. New files start private: `SITE UMASK 077` where offered
 *   (vsftpd), else the file is created empty and chmod-ed before its bytes are sent (ProFTPD).
 * - no owner changes, no commands (`chown` and `exec` throw UNSUPPORTED).
 */
import * as posix from "node:path/posix";
import { PassThrough, Readable, Writable } from "node:stream";
import { type ConnectionInputs, type CredentialInputs, endpointUrl, protocolOf } from "../../connection";
import { MAX_FTP_CONTROL_CONNECTIONS } from "../../defaults";
import {
    alreadyExists,
    connectionLost,
    FiledropError,
    isFiledropError,
    messageOf,
    noSuchFile,
    permissionDenied,
    remoteIo,
    writeFailed,
} from "../../errors";
import { formatMode } from "../../mode";
import { describeEntry } from "../describeEntry";
import type { ExecResult, RemoteEntry, RemoteStat, Transport, TransportCapabilities, WriteOptions } from "../types";
import { parseDigestReply, parseFtpTime, parseLsListing, parseMlstReply, statFromStatListing } from "./ftpReplies";
import { probeAtomicOverwrite } from "./ftpsProbe";
import { type FtpSession, openFtpSession, replyText } from "./ftpsSession";
import { FtpSessions } from "./ftpsSessions";

/**
 * Node's TLS 1.3 client ending a data connection right after its handshake makes vsftpd and ProFTPD fail the
 * transfer ("decode error" / "unexpected eof"): an empty upload waits this long before closing the connection.
 */
const EMPTY_UPLOAD_SETTLE_MS = 30;

function ftpCode(e: unknown): number | undefined {
    const code = (e as { code?: unknown }).code;
    return typeof code === "number" ? code : undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** FileInfo (basic-ftp's listing entry) → RemoteStat. */
function statOfInfo(f: import("basic-ftp").FileInfo): RemoteStat {
    const kind = f.isFile ? "file" : f.isDirectory ? "directory" : f.isSymbolicLink ? "symlink" : "other";
    const p = f.permissions;
    // Owners where the listing gives numbers (vsftpd's default): a tree then knows whose files it replaces.
    const id = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
    return {
        kind,
        size: f.size,
        mode: p ? (p.user << 6) | (p.group << 3) | p.world : undefined,
        mtime: f.modifiedAt ? Math.floor(f.modifiedAt.getTime() / 1000) : undefined,
        uid: id(f.user),
        gid: id(f.group),
        nlink: f.hardLinkCount,
        owner: f.user || undefined,
    };
}

export class FtpsTransport implements Transport {
    public readonly endpoint: string;
    public readonly capabilities: TransportCapabilities;
    private readonly tls: boolean;

    constructor(
        private readonly sessions: FtpSessions,
        first: FtpSession,
        c: ConnectionInputs,
        atomicOverwrite: boolean,
    ) {
        this.endpoint = endpointUrl(c);
        this.tls = protocolOf(c) !== "ftp";
        this.capabilities = { atomicOverwrite, chmod: first.siteChmod, chown: false, exec: false };
    }

    get closed(): boolean {
        return this.sessions.closed;
    }

    private fail(op: string, path: string, e: unknown): FiledropError {
        if (isFiledropError(e)) {
            return e;
        }
        const code = ftpCode(e);
        if (code === undefined) {
            return connectionLost(this.endpoint, op, path, e, messageOf(e).split("\n")[0]);
        }
        const said = replyText(e);
        if (op === "write" && (code === 451 || code === 452 || code === 552)) {
            // STOR refused or aborted for lack of space reads "451 Failure writing to local file" on vsftpd.
            return writeFailed(this.endpoint, path, said, e);
        }
        if (code === 552 || code === 452) {
            return new FiledropError(
                "NO_SPACE",
                `Cannot ${op} ${this.endpoint}${path}: the server said "${said}" (disk full or quota reached).`,
                { cause: e },
            );
        }
        if (/permission|denied|not permitted/i.test(said)) {
            return permissionDenied(this.endpoint, op, path, said, e);
        }
        // 4xx replies are transient by definition (421 closing, 425/426 data connection trouble, 450 busy).
        return remoteIo(this.endpoint, op, path, said, { cause: e, transient: code >= 400 && code < 500 });
    }

    /** Runs `f` on a connection of the set, mapping failures. */
    private run<T>(op: string, path: string, f: (s: FtpSession) => Promise<T>): Promise<T> {
        return this.sessions.use(async (s) => {
            try {
                return await f(s);
            } catch (e) {
                throw this.fail(op, path, e);
            }
        });
    }

    /** The reply to the first APPE probe (writeFrom): "" where appending is allowed; undefined before it. */
    private appendReply?: string;

    private async statWith(s: FtpSession, path: string): Promise<RemoteStat | undefined> {
        if (s.mlst) {
            const r = await s.client.sendIgnoringError(`MLST ${path}`);
            return r.code < 400 ? parseMlstReply(r.message) : undefined;
        }
        const listing = await s.client.sendIgnoringError(`STAT -a ${path}`);
        if (listing.code >= 200 && listing.code < 300) {
            const st = statFromStatListing(listing.message, path);
            if (st?.kind !== "file") {
                return st;
            }
            const mdtm = await s.client.sendIgnoringError(`MDTM ${path}`);
            return mdtm.code === 213 ? { ...st, mtime: parseFtpTime(mdtm.message.slice(4)) } : st;
        }
        // No MLST and no STAT with a path: a file answers SIZE, a directory CWD.
        const size = await s.client.sendIgnoringError(`SIZE ${path}`);
        if (size.code === 213) {
            const mdtm = await s.client.sendIgnoringError(`MDTM ${path}`);
            return {
                kind: "file",
                size: parseInt(size.message.slice(4), 10),
                mtime: mdtm.code === 213 ? parseFtpTime(mdtm.message.slice(4)) : undefined,
            };
        }
        return (await s.client.sendIgnoringError(`CWD ${path}`)).code < 400
            ? { kind: "directory", size: 0 }
            : undefined;
    }

    stat(path: string): Promise<RemoteStat | undefined> {
        return this.run("stat", path, (s) => this.statWith(s, path));
    }

    mkdir(path: string, mode?: number): Promise<void> {
        return this.run("create directory", path, async (s) => {
            await s.client.send(`MKD ${path}`);
            if ((mode !== undefined || s.privateUmask) && s.siteChmod) {
                await this.chmodWith(s, path, mode ?? 0o755);
            }
        });
    }

    rmdir(path: string): Promise<void> {
        return this.run("remove directory", path, async (s) => {
            await s.client.send(`RMD ${path}`);
        });
    }

    remove(path: string): Promise<void> {
        return this.run("remove", path, async (s) => {
            const r = await s.client.sendIgnoringError(`DELE ${path}`);
            // 550 is both "no such file" and "not allowed": gone is success, anything still there is not.
            if (r.code >= 400 && (r.code !== 550 || (await this.statWith(s, path)) !== undefined)) {
                throw Object.assign(new Error(r.message), { code: r.code });
            }
        });
    }

    list(path: string): Promise<RemoteEntry[]> {
        return this.run("list", path, (s) => this.listWith(s, path));
    }

    private async listWith(s: FtpSession, path: string): Promise<RemoteEntry[]> {
        const infos = await s.client.list(path);
        return infos
            .filter((f) => f.name !== "." && f.name !== "..")
            .map((f) => ({ name: posix.basename(f.name), stat: statOfInfo(f) }));
    }

    /**
     * What the long listing of `path`'s folder shows at its name, links included, or undefined. ProFTPD's MLST and
     * MLSD leave a dangling symlink out (they follow links); `STAT -a <folder>` lists it as `ls -l` does. Where the
     * server gives no such listing, its LIST/MLSD decides.
     */
    private async listedWith(s: FtpSession, path: string): Promise<RemoteStat | undefined> {
        const name = posix.basename(path);
        const dir = posix.dirname(path);
        const r = await s.client.sendIgnoringError(`STAT -a ${dir}`);
        const entries =
            r.code >= 200 && r.code < 300
                ? parseLsListing(r.message)
                : await this.listWith(s, dir).catch(() => [] as RemoteEntry[]);
        return entries.find((e) => e.name === name)?.stat;
    }

    /** STOR (or, with `append`, APPE) of `data` to `path`; returns the bytes sent. */
    private async store(s: FtpSession, data: Readable, path: string, append = false): Promise<number> {
        let bytes = 0;
        let sourceError: unknown;
        const tls = this.tls;
        async function* counted(): AsyncGenerator<Buffer> {
            // Only a failure to read `data` is the source's; one thrown in at the yield is the data connection's.
            const chunks = (data as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
            for (;;) {
                let next: IteratorResult<Buffer>;
                try {
                    next = await chunks.next();
                } catch (e) {
                    sourceError = e;
                    throw e;
                }
                if (next.done) {
                    break;
                }
                bytes += next.value.length;
                yield next.value;
            }
            if (bytes === 0 && tls) {
                await sleep(EMPTY_UPLOAD_SETTLE_MS);
            }
        }
        try {
            const source = Readable.from(counted(), { objectMode: false });
            await (append ? s.client.appendFrom(source, path) : s.client.uploadFrom(source, path));
        } catch (e) {
            if (sourceError !== undefined) {
                throw isFiledropError(sourceError)
                    ? sourceError
                    : new FiledropError(
                          "REMOTE_IO",
                          `Reading the data for ${this.endpoint}${path} failed: ${messageOf(sourceError)}.`,
                          { cause: sourceError },
                      );
            }
            throw e;
        }
        return bytes;
    }

    write(path: string, data: Readable, mode?: number, options?: WriteOptions): Promise<number> {
        return this.run("write", path, async (s) => {
            if (options?.exclusive === true) {
                // FTP has no O_EXCL: look first (callers also give side files a random part, see WriteOptions).
                // A stat follows links (ProFTPD's MLST answers 550 for a dangling one, and a STOR would then create
                // the file it points to), so where it sees nothing the folder's listing, which shows links, decides.
                const there = (await this.statWith(s, path)) ?? (await this.listedWith(s, path));
                if (there !== undefined) {
                    throw alreadyExists(this.endpoint, path, describeEntry(there));
                }
            }
            let created: number | undefined = s.privateUmask ? 0o600 : undefined;
            if (mode !== undefined && s.siteChmod && created === undefined) {
                // Create it empty and private first, so the bytes never sit in a file others can read.
                await this.store(s, Readable.from([]), path);
                created = mode & 0o700;
                await this.chmodWith(s, path, created);
            }
            const n = await this.store(s, data, path);
            if (mode !== undefined && s.siteChmod && (mode & 0o7777) !== created) {
                await this.chmodWith(s, path, mode);
            }
            return n;
        });
    }

    /**
     * APPE continues the file from its end, which the caller checked is `offset`. vsftpd allows it; stock ProFTPD
     * answers "451 Append/Restart not permitted" unless `AllowStoreRestart on`, and closes the data connection in a
     * way that reads as a lost connection. So the first resume on a connection asks first: an APPE without a data
     * connection gets "425 … PORT or PASV first" where appending is allowed, the refusal where it is not. A refusal
     * is UNSUPPORTED, and the caller sends the whole file instead.
     */
    writeFrom(path: string, data: Readable, _offset: number): Promise<number> {
        return this.run("write", path, async (s) => {
            if (this.appendReply === undefined) {
                const r = await s.client.sendIgnoringError(`APPE ${path}`);
                this.appendReply = r.code === 425 ? "" : r.message;
            }
            if (this.appendReply !== "") {
                throw new FiledropError(
                    "UNSUPPORTED",
                    `${this.endpoint} does not let an upload continue (APPE: ${this.appendReply}); the whole file is sent instead.`,
                );
            }
            return this.store(s, data, path, true);
        });
    }

    async read(path: string): Promise<Readable> {
        const out = new PassThrough({ highWaterMark: 1 << 20 });
        // basic-ftp ends its destination even when the transfer fails: give it a sink whose end does not end `out`,
        // so a failed download surfaces as an error, never as a short file.
        const sink = new Writable({
            highWaterMark: 1 << 20,
            write(chunk: Buffer, _enc, cb) {
                if (out.write(chunk)) {
                    cb();
                } else {
                    out.once("drain", () => cb());
                }
            },
        });
        let settled = false;
        // A reader that stops early: abort the transfer (basic-ftp then drops that connection from the set).
        sink.on("error", () => undefined);
        out.once("close", () => {
            if (!settled) {
                sink.destroy(new Error("the reader stopped reading"));
            }
        });
        const download = async (s: FtpSession) => {
            // Checked first: some servers (ProFTPD) reset the data connection before saying 550.
            if ((await this.statWith(s, path))?.kind !== "file") {
                throw noSuchFile(this.endpoint, "read", path);
            }
            await s.client.downloadTo(sink, path);
        };
        void this.run("read", path, download).then(
            () => {
                settled = true;
                out.end();
            },
            (e) => {
                settled = true;
                out.destroy(e);
            },
        );
        return out;
    }

    rename(from: string, to: string): Promise<void> {
        // Never DELE first: where the server will not rename over a file (atomicOverwrite false, probed when the
        // connection opened), ops/replace.ts moves the old file aside before calling this.
        return this.run("rename", to, async (s) => {
            await s.client.send(`RNFR ${from}`);
            await s.client.send(`RNTO ${to}`);
        });
    }

    private async chmodWith(s: FtpSession, path: string, mode: number): Promise<void> {
        await s.client.send(`SITE CHMOD ${formatMode(mode)} ${path}`);
    }

    chmod(path: string, mode: number): Promise<void> {
        if (!this.capabilities.chmod) {
            return Promise.reject(
                new FiledropError(
                    "UNSUPPORTED",
                    `${this.endpoint} does not offer SITE CHMOD, so the mode of ${path} cannot be set; remove \`mode\` or enable SITE CHMOD on the server.`,
                ),
            );
        }
        return this.run("change mode of", path, (s) => this.chmodWith(s, path, mode));
    }

    chown(path: string): Promise<void> {
        return Promise.reject(
            new FiledropError(
                "UNSUPPORTED",
                `FTP cannot change the owner of ${this.endpoint}${path}; remove \`uid\`/\`gid\` or use protocol "sftp".`,
            ),
        );
    }

    remoteSha256(path: string): Promise<{ sha256: string; method: string } | undefined> {
        return this.run("hash", path, async (s) => {
            if (s.digest === undefined) {
                return undefined;
            }
            const r = await s.client.sendIgnoringError(`${s.digest} ${path}`);
            if (r.code === 550) {
                throw Object.assign(new Error(r.message), { code: r.code });
            }
            // Any other refusal (XSHA256 cannot take paths with spaces on ProFTPD): the caller reads the file back.
            const hex = r.code < 400 ? parseDigestReply(r.message) : undefined;
            return hex ? { sha256: hex, method: `ftp ${s.digest}` } : undefined;
        });
    }

    exec(command: string): Promise<ExecResult> {
        return Promise.reject(
            new FiledropError(
                "UNSUPPORTED",
                `FTP cannot run commands on ${this.endpoint} (\`${command.slice(0, 60)}\`); \`validate\` needs protocol "sftp".`,
            ),
        );
    }

    /** Closes every control connection. */
    close(): void {
        this.sessions.close();
    }
}

/** Opens an FTPS (or, when allowed, FTP) connection: TLS verified before login, data channel protected. */
export async function openFtps(c: ConnectionInputs, creds: CredentialInputs): Promise<Transport> {
    const first = await openFtpSession(c, creds);
    const max = Math.max(1, Math.min(c.maxSessions ?? MAX_FTP_CONTROL_CONNECTIONS, MAX_FTP_CONTROL_CONNECTIONS));
    let atomicOverwrite: boolean;
    try {
        atomicOverwrite = await probeAtomicOverwrite(first.client);
    } catch (e) {
        first.client.close();
        throw e;
    }
    const sessions = new FtpSessions(first, max, () => openFtpSession(c, creds), endpointUrl(c));
    return new FtpsTransport(sessions, first, c, atomicOverwrite);
}
