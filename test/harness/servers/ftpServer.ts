/**
 * One throwaway vsftpd or ProFTPD on loopback, started in the foreground as the harness's child, with its config
 * from a template. Variants are options: the TLS mode, the certificate, where PASV replies point (for the dropping
 * proxy), ProFTPD's AllowOverwrite, a folder where renames are refused.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { probeFtp } from "./ftpProbe";
import { ensureInstalled, serverBinary } from "./installed";
import { canConnect, freePorts } from "./ports";
import { ServerProcess } from "./serverProcess";
import { writeTemplate } from "./templates";
import type { CertFiles } from "./tlsCerts";

/** `protocol` values of the connection object (SPEC section 3). */
export type FtpProtocol = "ftps" | "ftps-implicit" | "ftp";

/** What kind of FTP server to start. */
export interface FtpServerOptions {
    readonly software: "vsftpd" | "proftpd";
    /** Explicit FTPS (AUTH TLS), implicit FTPS, or no TLS at all (vsftpd only). */
    readonly tls: "explicit" | "implicit" | "none";
    /** Certificate and key the server presents, and the CA that signed it (TLS servers). */
    readonly cert?: { readonly server: CertFiles; readonly ca: CertFiles };
    /** Address the server listens on, control and passive ports alike. @default "127.0.0.1" */
    readonly listenHost?: string;
    /**
     * Address PASV replies name, and the one clients (and the readiness probe) connect to. A dropping proxy on 127.0.0.1 in front of a server listening on 127.0.0.2 listens
     * on the same ports, so data connections go through it too. @default listenHost
     */
    readonly passiveAddress?: string;
    /** Number of passive ports. @default 20 */
    readonly passivePortCount?: number;
    /** Control and passive ports chosen by the caller (e.g. to start a proxy on them first). @default free ones */
    readonly ports?: { readonly control: number; readonly passive: readonly number[] };
    /** ProFTPD only: `AllowOverwrite` (off: STOR and RNTO over an existing file are refused). @default true */
    readonly allowOverwrite?: boolean;
    /** ProFTPD only: folders in which RNFR and RNTO are refused (`<Limit RNFR RNTO> DenyAll`). @default none */
    readonly denyRenameIn?: readonly string[];
    /** vsftpd only: `cmds_denied`, e.g. ["RNFR", "RNTO"] to refuse every rename. @default none */
    readonly deniedCommands?: readonly string[];
    /** vsftpd only: `chmod_enable` (off: SITE CHMOD is refused, files keep the mode the umask gives). @default true */
    readonly chmod?: boolean;
    /** vsftpd only: `local_umask`, applied to every file (0666) and folder (0777) it creates. @default "022" */
    readonly umask?: string;
    /** Require TLS session reuse on data connections (stock vsftpd/ProFTPD). @default env FILEDROP_FTP_TLS_REUSE != "optional" */
    readonly tlsSessionReuseRequired?: boolean;
}

/** A running test FTP server, as tests and benches see it. */
export interface FtpServer {
    readonly host: string;
    /** The port clients connect to. */
    readonly port: number;
    readonly protocol: FtpProtocol;
    readonly software: "vsftpd" | "proftpd";
    /** Listener pid. */
    readonly pid: number;
    readonly configFile: string;
    /**
     * Protocol log: one line with "CONNECT" per control connection (see countFtpConnections); truncated once the
     * server passed its readiness check. ProFTPD also writes `${logFile}.tls` and `${logFile}.xfer`.
     */
    readonly logFile: string;
    /** Inclusive passive port range. */
    readonly passivePorts: [number, number];
    /** Algorithms listed by FEAT's HASH line ("SHA-256", …); [] when the server has no HASH. */
    readonly hashAlgorithms: string[];
    /** CA that signed this server's certificate; null for the plaintext server. */
    readonly caCertPath: string | null;
    /** SHA-256 of this server's certificate, formatted like Node's `cert.fingerprint256`; null for plain. */
    readonly certFingerprint256: string | null;
    readonly tlsSessionReuseRequired: boolean;
    /** Stops the listener and its sessions. */
    stop(): Promise<void>;
}

/** Root-owned empty folder for vsftpd's secure_chroot_dir. */
function emptyDir(dir: string): string {
    const d = path.join(dir, "empty");
    fs.mkdirSync(d, { recursive: true });
    fs.chownSync(d, 0, 0);
    fs.chmodSync(d, 0o555);
    return d;
}

function proftpdLimits(o: FtpServerOptions): string {
    return (o.denyRenameIn ?? [])
        .map((d) => `<Directory ${d}>\n  <Limit RNFR RNTO>\n    DenyAll\n  </Limit>\n</Directory>`)
        .join("\n");
}

/** Starts one FTP server with its files in `dir` and waits until a real login and listing work. */
export async function startFtpServer(dir: string, name: string, o: FtpServerOptions): Promise<FtpServer> {
    const inst = ensureInstalled();
    const binary = serverBinary(o.software);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const host = o.listenHost ?? "127.0.0.1";
    const passiveAddress = o.passiveAddress ?? host;
    const hosts = [...new Set([host, passiveAddress])];
    const port = o.ports?.control ?? (await freePorts(1, hosts))[0];
    const pasv = o.ports?.passive ?? (await freePorts(o.passivePortCount ?? 20, hosts));
    const reuse = o.tlsSessionReuseRequired ?? process.env.FILEDROP_FTP_TLS_REUSE !== "optional";
    const logFile = path.join(dir, `${name}.log`);
    const configFile = path.join(dir, `${name}.conf`);
    const mode = o.tls === "none" ? "plain" : o.tls;
    if (o.tls !== "none" && !o.cert) {
        throw new Error(`${name}: a TLS server needs a certificate`);
    }
    const common = {
        LISTEN: host,
        PORT: port,
        PASV_ADDRESS: passiveAddress,
        PASV_MIN: pasv[0],
        PASV_MAX: pasv[pasv.length - 1],
        LOG: logFile,
        MODE: mode,
    };
    let proc: ServerProcess;
    if (o.software === "vsftpd") {
        if (o.allowOverwrite === false || o.denyRenameIn) {
            throw new Error(`${name}: allowOverwrite and denyRenameIn are ProFTPD options`);
        }
        let tls = "ssl_enable=NO";
        if (o.cert) {
            const tlsFile = `${configFile}.tls`;
            writeTemplate("vsftpd-tls.conf", tlsFile, {
                CERT: o.cert.server.certPath,
                KEY: o.cert.server.keyPath,
                REUSE: reuse ? "YES" : "NO",
                IMPLICIT: o.tls === "implicit" ? "YES" : "NO",
            });
            tls = fs.readFileSync(tlsFile, "utf8");
            fs.rmSync(tlsFile);
        }
        const denied = o.deniedCommands?.length ? `cmds_denied=${o.deniedCommands.join(",")}` : "";
        writeTemplate("vsftpd.conf", configFile, {
            ...common,
            EMPTY_DIR: emptyDir(dir),
            TLS: tls,
            DENIED: denied,
            UMASK: o.umask ?? "022",
            CHMOD: o.chmod === false ? "NO" : "YES",
        });
        proc = ServerProcess.start(name, binary, [configFile], `${logFile}.daemon`);
    } else {
        if (o.deniedCommands || o.chmod !== undefined || o.umask !== undefined) {
            throw new Error(`${name}: deniedCommands, chmod and umask are vsftpd options (ProFTPD: denyRenameIn)`);
        }
        if (!o.cert) {
            throw new Error(`${name}: the harness runs ProFTPD with TLS only`);
        }
        const options = [
            ...(reuse ? [] : ["NoSessionReuseRequired"]),
            ...(o.tls === "implicit" ? ["UseImplicitSSL"] : []),
        ];
        writeTemplate("proftpd.conf", configFile, {
            ...common,
            MODULES: inst.proftpdModules,
            ALLOW_OVERWRITE: o.allowOverwrite === false ? "off" : "on",
            RUN_DIR: dir,
            LIMITS: proftpdLimits(o),
            CERT: o.cert.server.certPath,
            KEY: o.cert.server.keyPath,
            TLS_OPTIONS: options.length > 0 ? `TLSOptions ${options.join(" ")}` : "",
        });
        // -n: no daemon (foreground), so the pid is the listener; -q: no startup chatter.
        proc = ServerProcess.start(name, binary, ["-n", "-q", "-c", configFile], `${logFile}.daemon`);
    }
    fs.writeFileSync(logFile, "");
    try {
        // Listening first (on its own address: a proxy in front would turn "refused" into a closed connection).
        const deadline = Date.now() + 15000;
        while (!(await canConnect(host, port))) {
            proc.assertRunning();
            if (Date.now() > deadline) {
                throw new Error(`not listening on ${host}:${port} after 15 s`);
            }
            await new Promise((r) => setTimeout(r, 50));
        }
        const features = await probeFtp(
            {
                host: passiveAddress,
                port,
                user: inst.user.name,
                password: inst.user.password,
                secure: o.tls === "none" ? false : o.tls === "implicit" ? "implicit" : true,
                caCertPath: o.cert?.ca.certPath,
            },
            () => proc.assertRunning(),
        );
        // Only test traffic from here on (both servers open the log with O_APPEND per session: truncating is safe).
        fs.truncateSync(logFile);
        return {
            host: passiveAddress,
            port,
            protocol: o.tls === "none" ? "ftp" : o.tls === "implicit" ? "ftps-implicit" : "ftps",
            software: o.software,
            pid: proc.pid,
            configFile,
            logFile,
            passivePorts: [pasv[0], pasv[pasv.length - 1]],
            hashAlgorithms: features.hashAlgorithms,
            caCertPath: o.cert?.ca.certPath ?? null,
            certFingerprint256: o.cert?.server.fingerprint256 ?? null,
            tlsSessionReuseRequired: o.tls !== "none" && reuse,
            stop: () => proc.stop(),
        };
    } catch (e) {
        await proc.stop();
        throw new Error(`${name}: ${(e as Error).message}\n${proc.logTail()}`);
    }
}
