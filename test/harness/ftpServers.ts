/**
 * The standard set of real FTP/FTPS servers (vsftpd and ProFTPD on 127.0.0.1, see servers/ftpServer.ts) shared by
 * tests and benchmarks: one typed description, started lazily with the world or on their own by a bench.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROTOCOLS } from "../../provider/protocols";
import { type FtpProtocol, type FtpServer, startFtpServer } from "./servers/ftpServer";
import { ensureInstalled } from "./servers/installed";
import { makeTestPki, type TestPki } from "./servers/tlsCerts";
import { onStopWorld, scratchDir } from "./world";

export type { FtpProtocol, FtpServer };

/** Keys of the standard servers. */
export type FtpServerKey =
    | "vsftpdExplicit" // vsftpd, explicit FTPS (AUTH TLS), TLS required for login and data; no HASH
    | "vsftpdImplicit" // vsftpd, implicit FTPS; no HASH
    | "vsftpdOtherCa" // vsftpd, explicit FTPS with a certificate from the second, unrelated CA
    | "proftpdExplicit" // ProFTPD mod_tls + mod_digest: explicit FTPS, HASH / XSHA256
    | "proftpdImplicit" // ProFTPD, implicit FTPS (TLSOptions UseImplicitSSL), HASH / XSHA256
    | "plain"; // vsftpd without TLS at all

/** The running standard servers (also at the top level by key) and what a client needs to log in. */
export interface FtpServers extends Record<FtpServerKey, FtpServer> {
    /** Folder of their configs, certificates and logs (absolute). */
    dir: string;
    user: string;
    password: string;
    uid: number;
    gid: number;
    /** The certificates and keys, for starting more servers of the same PKI. */
    pki: TestPki;
    /** Folder of the certificates and keys (ca.pem, server.pem, server.key, other-ca.pem, …). */
    tlsDir: string;
    /** CA of every TLS server except vsftpdOtherCa. */
    caCertPath: string;
    /** An unrelated CA (it signed only vsftpdOtherCa's certificate). */
    otherCaCertPath: string;
    serverCertFingerprint256: string;
    otherServerCertFingerprint256: string;
    /** Whether the servers require TLS session reuse on data connections (FILEDROP_FTP_TLS_REUSE != "optional"). */
    tlsSessionReuseRequired: boolean;
    servers: Record<FtpServerKey, FtpServer>;
    /** Stops every server. */
    stop(): Promise<void>;
}

/** Starts the six standard servers with their files in `dir` (fresh certificates each time). */
export async function startFtpServers(dir: string): Promise<FtpServers> {
    const inst = ensureInstalled();
    const abs = path.resolve(dir);
    const pki = makeTestPki(path.join(abs, "tls"));
    const main = { server: pki.server, ca: pki.ca };
    const started: FtpServer[] = [];
    const start = async (key: FtpServerKey, o: Parameters<typeof startFtpServer>[2]) => {
        const s = await startFtpServer(path.join(abs, key), key, o);
        started.push(s);
        return s;
    };
    const stop = async () => {
        await Promise.all(started.map((s) => s.stop()));
    };
    try {
        // One at a time: each readiness probe is a real TLS login, and the machine is shared.
        const servers: Record<FtpServerKey, FtpServer> = {
            vsftpdExplicit: await start("vsftpdExplicit", { software: "vsftpd", tls: "explicit", cert: main }),
            vsftpdImplicit: await start("vsftpdImplicit", { software: "vsftpd", tls: "implicit", cert: main }),
            vsftpdOtherCa: await start("vsftpdOtherCa", {
                software: "vsftpd",
                tls: "explicit",
                cert: { server: pki.otherServer, ca: pki.otherCa },
            }),
            proftpdExplicit: await start("proftpdExplicit", { software: "proftpd", tls: "explicit", cert: main }),
            proftpdImplicit: await start("proftpdImplicit", { software: "proftpd", tls: "implicit", cert: main }),
            plain: await start("plain", { software: "vsftpd", tls: "none" }),
        };
        return {
            dir: abs,
            pki,
            tlsDir: pki.dir,
            user: inst.user.name,
            password: inst.user.password,
            uid: inst.user.uid,
            gid: inst.user.gid,
            caCertPath: pki.ca.certPath,
            otherCaCertPath: pki.otherCa.certPath,
            serverCertFingerprint256: pki.server.fingerprint256,
            otherServerCertFingerprint256: pki.otherServer.fingerprint256,
            tlsSessionReuseRequired: servers.vsftpdExplicit.tlsSessionReuseRequired,
            servers,
            ...servers,
            stop,
        };
    } catch (e) {
        await stop();
        throw e;
    }
}

let worldServers: Promise<FtpServers> | undefined;
let started: FtpServers | undefined;

/** The standard servers of the shared test world, started on first call (in the world's scratch folder). */
export function ftpServers(): Promise<FtpServers> {
    if (!worldServers) {
        process.stderr.write("[harness] starting FTP servers\n");
        worldServers = startFtpServers(path.join(scratchDir(), "servers", "ftp")).then((s) => (started = s));
        onStopWorld(async () => {
            const s = await worldServers;
            worldServers = undefined;
            started = undefined;
            await s?.stop();
        });
    }
    return worldServers;
}

/** The world's standard servers, once `await ftpServers()` has started them (e.g. in a `before` hook). */
export function worldFtpServers(_w?: unknown): FtpServers {
    if (!started) {
        throw new Error("the FTP servers are not started: call `await ftpServers()` in a before() hook first");
    }
    return started;
}

/** Number of control connections the server logged since it became ready. */
export function countFtpConnections(server: FtpServer): number {
    let text: string;
    try {
        text = fs.readFileSync(server.logFile, "utf8");
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") {
            return 0;
        }
        throw e;
    }
    // vsftpd: `... [pid N] CONNECT: Client "127.0.0.1"`; ProFTPD (our LogFormat): `[time] 127.0.0.1 CONNECT`.
    const pattern = server.software === "vsftpd" ? /\] CONNECT: Client "/ : / CONNECT$/;
    return text.split("\n").filter((line) => pattern.test(line)).length;
}

/** Connection args (SDK `ConnectionArgs`, plain JSON) for one standard server, trusting the test CA. */
export function ftpConnection(
    _w: unknown,
    key: FtpServerKey,
    extra: Record<string, unknown> = {},
): Record<string, unknown> {
    const servers = worldFtpServers();
    return serverConnection(servers, servers.servers[key], extra);
}

/** Connection args (SDK `ConnectionArgs`, plain JSON) for any FTP server of the harness, trusting the test CA. */
export function serverConnection(
    servers: Pick<FtpServers, "user" | "password" | "caCertPath">,
    s: FtpServer,
    extra: Record<string, unknown> = {},
): Record<string, unknown> {
    return {
        protocol: s.protocol,
        host: s.host,
        port: s.port,
        user: servers.user,
        password: servers.password,
        ...(PROTOCOLS[s.protocol].plaintext
            ? { allowPlaintext: true }
            : { ca: fs.readFileSync(servers.caCertPath, "utf8") }),
        ...extra,
    };
}
