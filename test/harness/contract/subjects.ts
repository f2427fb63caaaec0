/**
 * The transports and real servers the contract suite runs against, and the server variants its fault tests need
 * (a dropping proxy in front, rename over an existing file refused by configuration). Each subject opens its
 * transport as the provider does, through provider/transport/open.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { openTransport } from "../../../provider/transport/open";
import type { Transport, TransportCapabilities } from "../../../provider/transport/types";
import { DropProxy } from "../dropProxy";
import { type FtpServers, ftpServers, serverConnection } from "../ftpServers";
import { type FtpServer, type FtpServerOptions, startFtpServer } from "../servers/ftpServer";
import { freePorts } from "../servers/ports";
import { type Sshd, type SshdOptions, startSshd } from "../servers/sshd";
import { getServers, type Servers } from "../world";

/** Connection inputs and credentials, as the provider's opener takes them. */
export interface Endpoint {
    readonly connection: Parameters<typeof openTransport>[0];
    readonly creds: Parameters<typeof openTransport>[1];
}

/** A server started for one test, with its endpoint. */
export interface Started {
    readonly endpoint: Endpoint;
    stop(): Promise<void>;
}

/** A server variant that refuses some renames by configuration. */
export interface RenameRefusal {
    /** e.g. "internal-sftp -P posix-rename@openssh.com". */
    readonly name: string;
    /** Only renames over an existing file are refused (else every rename is). */
    readonly overwriteOnly: boolean;
    /** Starts the variant; its files live in `dir`; `remote` is the folder the test writes to. */
    start(dir: string, remote: string): Promise<Started>;
}

/** One transport on one real server. */
export interface Subject {
    readonly name: string;
    /** What the transport must declare on the stock server. */
    readonly capabilities: TransportCapabilities;
    /** `method` of remoteSha256 where the server offers one; undefined where it does not. */
    readonly hashMethod: RegExp | undefined;
    /** The stock server (shared by the run). */
    endpoint(): Promise<Endpoint>;
    /** A server like the stock one with a dropping proxy in front (control and data connections), started. */
    behindProxy(dir: string, cuts: readonly number[]): Promise<Started & { proxy: DropProxy }>;
    /** Variants refusing renames by configuration. */
    readonly renameRefusals: readonly RenameRefusal[];
}

/** Opens a transport the way the provider does. */
export function open(e: Endpoint): Promise<Transport> {
    return openTransport(e.connection, e.creds);
}

function sftpEndpoint(s: Sshd, port = s.port): Endpoint {
    const viaProxy = port !== s.port;
    return {
        connection: {
            host: s.host,
            port,
            user: s.user,
            ...(viaProxy ? { hostKey: s.hostKeyFingerprint } : { knownHosts: s.knownHostsPath }),
        } as Endpoint["connection"],
        creds: { privateKey: fs.readFileSync(s.privateKeyPath, "utf8") },
    };
}

function sshdVariant(name: string, overwriteOnly: boolean, options: SshdOptions): RenameRefusal {
    return {
        name,
        overwriteOnly,
        start: async (dir) => {
            const s = await startSshd(dir, options);
            return { endpoint: sftpEndpoint(s), stop: () => s.stop() };
        },
    };
}

const sftp: Subject = {
    name: "sftp (OpenSSH)",
    capabilities: { atomicOverwrite: true, chmod: true, chown: true, exec: true },
    hashMethod: /^ssh exec: /,
    endpoint: async () => sftpEndpoint((await getServers()).sshd),
    behindProxy: async (_dir, cuts) => {
        const s = (await getServers()).sshd;
        const proxy = await new DropProxy(s.port, cuts).start();
        return { endpoint: sftpEndpoint(s, proxy.port), proxy, stop: () => proxy.stop() };
    },
    renameRefusals: [
        // Request names as `sftp-server -Q requests` lists them ("posix-rename", not the extension's full name).
        sshdVariant("internal-sftp -P posix-rename", true, { sftpArgs: ["-P", "posix-rename"] }),
        sshdVariant("internal-sftp -P rename,posix-rename", false, { sftpArgs: ["-P", "rename,posix-rename"] }),
    ],
};

type StockKey = "vsftpdExplicit" | "vsftpdImplicit" | "proftpdExplicit";

function ftpEndpoint(servers: Pick<FtpServers, "user" | "password" | "caCertPath">, s: FtpServer): Endpoint {
    const { password, ...connection } = serverConnection(servers, s);
    return { connection: connection as unknown as Endpoint["connection"], creds: { password: password as string } };
}

/** Options of the stock server `key`, with its certificate. */
function stockOptions(servers: FtpServers, key: StockKey): FtpServerOptions {
    const software = key.startsWith("vsftpd") ? "vsftpd" : "proftpd";
    return {
        software,
        tls: key === "vsftpdImplicit" ? "implicit" : "explicit",
        cert: { server: servers.pki.server, ca: servers.pki.ca },
    };
}

function ftpVariant(
    key: StockKey,
    name: string,
    overwriteOnly: boolean,
    extra: (remote: string) => Partial<FtpServerOptions>,
): RenameRefusal {
    return {
        name,
        overwriteOnly,
        start: async (dir, remote) => {
            const servers = await ftpServers();
            const s = await startFtpServer(dir, key, { ...stockOptions(servers, key), ...extra(remote) });
            return { endpoint: ftpEndpoint(servers, s), stop: () => s.stop() };
        },
    };
}

function ftpSubject(
    key: StockKey,
    name: string,
    hashMethod: RegExp | undefined,
    renameRefusals: RenameRefusal[],
): Subject {
    return {
        name,
        capabilities: { atomicOverwrite: true, chmod: true, chown: false, exec: false },
        hashMethod,
        endpoint: async () => {
            const servers = await ftpServers();
            return ftpEndpoint(servers, servers.servers[key]);
        },
        behindProxy: async (dir, cuts) => {
            const servers = await ftpServers();
            // The server listens on 127.0.0.2 and names 127.0.0.1 in PASV replies, where the proxy listens on the
            // same ports: control and data connections both pass through it.
            const ports = await freePorts(11, ["127.0.0.1", "127.0.0.2"]);
            const proxy = await DropProxy.mirror({ ports, targetHost: "127.0.0.2", cuts: [] });
            try {
                const s = await startFtpServer(dir, key, {
                    ...stockOptions(servers, key),
                    listenHost: "127.0.0.2",
                    passiveAddress: "127.0.0.1",
                    ports: { control: ports[0], passive: ports.slice(1) },
                });
                proxy.armCut(...cuts); // after the readiness probe
                return {
                    endpoint: ftpEndpoint(servers, s),
                    proxy,
                    stop: async () => {
                        await s.stop();
                        await proxy.stop();
                    },
                };
            } catch (e) {
                await proxy.stop();
                throw e;
            }
        },
        renameRefusals,
    };
}

/** Every transport × server the contract covers. */
export const SUBJECTS: readonly Subject[] = [
    sftp,
    ftpSubject("vsftpdExplicit", "ftps explicit (vsftpd)", undefined, [
        ftpVariant("vsftpdExplicit", "vsftpd cmds_denied=RNFR,RNTO", false, () => ({
            deniedCommands: ["RNFR", "RNTO"],
        })),
    ]),
    ftpSubject("vsftpdImplicit", "ftps implicit (vsftpd)", undefined, [
        ftpVariant("vsftpdImplicit", "vsftpd cmds_denied=RNFR,RNTO", false, () => ({
            deniedCommands: ["RNFR", "RNTO"],
        })),
    ]),
    ftpSubject("proftpdExplicit", "ftps explicit (ProFTPD)", /^ftp HASH$/, [
        ftpVariant("proftpdExplicit", "ProFTPD AllowOverwrite off", true, () => ({ allowOverwrite: false })),
        ftpVariant("proftpdExplicit", "ProFTPD <Limit RNFR RNTO> DenyAll", false, (remote) => ({
            denyRenameIn: [remote],
        })),
    ]),
];

/** A folder for a test under the servers' remote root, owned by the login user. */
export async function scratchRemote(name: string): Promise<{ w: Servers; dir: string }> {
    const w = await getServers();
    const dir = path.join(w.remoteRoot, `${name}-${Math.random().toString(36).slice(2, 8)}`);
    fs.mkdirSync(dir);
    fs.chownSync(dir, w.uid, w.gid);
    return { w, dir };
}
