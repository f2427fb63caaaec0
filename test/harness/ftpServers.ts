// Real FTP/FTPS servers for integration tests and benchmarks: a thin typed wrapper around
// scripts/servers/ftp.sh, which installs (if needed), configures and starts vsftpd and ProFTPD on 127.0.0.1
// and describes them in DIR/ftp.json. Start once per test run (it takes a few seconds; the first run on a
// fresh machine also installs Debian packages), stop at the end. Requires root.
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { onStopWorld, World } from "./world";

/** `protocol` values, as in the connection object (SPEC section 3). */
export type FtpProtocol = "ftps" | "ftps-implicit" | "ftp";

/** Keys of the servers ftp.sh starts. */
export type FtpServerKey =
  | "vsftpdExplicit" // vsftpd, explicit FTPS (AUTH TLS), TLS required for login and data; no HASH
  | "vsftpdImplicit" // vsftpd, implicit FTPS; no HASH
  | "vsftpdOtherCa" // vsftpd, explicit FTPS with a certificate from the second, unrelated CA
  | "proftpdExplicit" // ProFTPD mod_tls + mod_digest: explicit FTPS, HASH / XSHA256
  | "proftpdImplicit" // ProFTPD, implicit FTPS (TLSOptions UseImplicitSSL), HASH / XSHA256
  | "plain"; // vsftpd without TLS at all

export const FTP_SERVER_KEYS: readonly FtpServerKey[] = [
  "vsftpdExplicit",
  "vsftpdImplicit",
  "vsftpdOtherCa",
  "proftpdExplicit",
  "proftpdImplicit",
  "plain",
];

export interface FtpServer {
  host: "127.0.0.1";
  port: number;
  protocol: FtpProtocol;
  software: "vsftpd" | "proftpd";
  /** Listener pid; null once stopped. */
  pid: number | null;
  /** Start time of `pid` (/proc/PID/stat field 22); stop checks it against pid reuse. */
  pidStartTime: number;
  executable: string;
  configFile: string;
  /**
   * Protocol log, truncated once the server passed its readiness check: one line with "CONNECT" per
   * control connection (see countFtpConnections). ProFTPD also writes `${logFile}.tls` and `${logFile}.xfer`;
   * both write stdout/stderr to `${logFile}.daemon`.
   */
  logFile: string;
  /** Inclusive passive port range on 127.0.0.1. */
  passivePorts: [number, number];
  /** Algorithms listed by FEAT's HASH line ("SHA-256", ...); [] when the server has no HASH. */
  hashAlgorithms: string[];
  /** CA that signed this server's certificate; null for the plaintext server. */
  caCertPath: string | null;
  /** SHA-256 of this server's certificate, formatted like Node's `cert.fingerprint256`; null for plain. */
  certFingerprint256: string | null;
}

export interface FtpServers {
  /** The DIR passed to startFtpServers (absolute). */
  dir: string;
  user: string;
  password: string;
  uid: number;
  gid: number;
  /** CA of every TLS server except vsftpdOtherCa. */
  caCertPath: string;
  /** An unrelated CA (it signed only vsftpdOtherCa's certificate). */
  otherCaCertPath: string;
  serverCertFingerprint256: string;
  otherServerCertFingerprint256: string;
  /** Whether the servers require TLS session reuse on data connections (FILEDROP_FTP_TLS_REUSE=required). */
  tlsSessionReuseRequired: boolean;
  running: boolean;
  servers: Record<FtpServerKey, FtpServer>;
  vsftpdExplicit: FtpServer;
  vsftpdImplicit: FtpServer;
  vsftpdOtherCa: FtpServer;
  proftpdExplicit: FtpServer;
  proftpdImplicit: FtpServer;
  plain: FtpServer;
}

export interface FtpHarnessOptions {
  /** Milliseconds to wait for the script (default 10 minutes: a first run installs packages). */
  timeoutMs?: number;
  /** Copy the script's progress lines to this process's stderr (default: env FILEDROP_HARNESS_VERBOSE). */
  verbose?: boolean;
  /** Extra environment, e.g. { FILEDROP_FTP_TLS_REUSE: "required" }. */
  env?: NodeJS.ProcessEnv;
}

/** Path of scripts/servers/ftp.sh: env FILEDROP_FTP_SCRIPT, else found above this file (src or dist). */
export function ftpScriptPath(): string {
  const fromEnv = process.env.FILEDROP_FTP_SCRIPT;
  if (fromEnv) return fromEnv;
  let d = __dirname;
  for (;;) {
    const candidate = path.join(d, "scripts", "servers", "ftp.sh");
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(d);
    if (up === d) throw new Error(`scripts/servers/ftp.sh not found above ${__dirname}`);
    d = up;
  }
}

function runScript(action: "start" | "stop", dir: string, opts: FtpHarnessOptions): Promise<void> {
  const script = ftpScriptPath();
  const verbose = opts.verbose ?? !!process.env.FILEDROP_HARNESS_VERBOSE;
  return new Promise((resolve, reject) => {
    const child = execFile(
      "bash",
      [script, action, dir],
      {
        timeout: opts.timeoutMs ?? 10 * 60 * 1000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, ...opts.env },
      },
      (err, _stdout, stderr) => {
        if (err) {
          const tail = String(stderr).trim().split("\n").slice(-15).join("\n");
          reject(new Error(`ftp.sh ${action} ${dir} failed: ${err.message.split("\n")[0]}\n${tail}`));
        } else {
          resolve();
        }
      },
    );
    if (verbose) child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  });
}

/** Parse DIR/ftp.json (written by ftp.sh start). */
export function readFtpServers(dir: string): FtpServers {
  const abs = path.resolve(dir);
  const raw = JSON.parse(fs.readFileSync(path.join(abs, "ftp.json"), "utf8")) as Omit<FtpServers, "dir">;
  for (const key of FTP_SERVER_KEYS) {
    if (!raw.servers || !raw.servers[key]) throw new Error(`${abs}/ftp.json has no server "${key}"`);
  }
  return { ...raw, dir: abs };
}

/** Start every server (stopping a previous set in the same DIR first) and return their description. */
export async function startFtpServers(dir: string, opts: FtpHarnessOptions = {}): Promise<FtpServers> {
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true });
  await runScript("start", abs, opts);
  return readFtpServers(abs);
}

/** Stop exactly the processes startFtpServers started in DIR; a no-op when nothing runs. */
export async function stopFtpServers(dir: string, opts: FtpHarnessOptions = {}): Promise<void> {
  await runScript("stop", path.resolve(dir), opts);
}

/** Number of control connections the server logged since it became ready. */
export function countFtpConnections(server: FtpServer): number {
  let text: string;
  try {
    text = fs.readFileSync(server.logFile, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw e;
  }
  // vsftpd: `... [pid N] CONNECT: Client "127.0.0.1"`; ProFTPD (our LogFormat): `[time] 127.0.0.1 CONNECT`.
  const pattern = server.software === "vsftpd" ? /\] CONNECT: Client "/ : / CONNECT$/;
  return text.split("\n").filter((line) => pattern.test(line)).length;
}

/** Options for basic-ftp's `Client.access()` to log in to one server as the test user. */
export function basicFtpAccessOptions(
  servers: FtpServers,
  key: FtpServerKey,
): {
  host: string;
  port: number;
  user: string;
  password: string;
  secure: boolean | "implicit";
  secureOptions?: { ca: Buffer };
} {
  const s = servers.servers[key];
  const base = { host: s.host, port: s.port, user: servers.user, password: servers.password };
  if (s.protocol === "ftp") return { ...base, secure: false };
  return {
    ...base,
    secure: s.protocol === "ftps-implicit" ? "implicit" : true,
    secureOptions: { ca: fs.readFileSync(s.caCertPath ?? servers.caCertPath) },
  };
}

let worldServers: FtpServers | undefined;

/**
 * The FTP servers of the shared test world, started on first use in `<world.dir>/servers` (beside sshd, so the
 * test user and its password are the same) and stopped with the world. Synchronous, so that targets.ts can
 * hand out connection args from plain functions.
 */
export function worldFtpServers(w: World): FtpServers {
  if (worldServers && worldServers.dir === path.join(w.dir, "servers")) return worldServers;
  const dir = path.join(w.dir, "servers");
  process.stderr.write(`[harness] starting FTP servers in ${dir}\n`);
  execFileSync("bash", [ftpScriptPath(), "start", dir], {
    stdio: ["ignore", "ignore", process.env.FILEDROP_HARNESS_VERBOSE ? "inherit" : "pipe"],
    timeout: 10 * 60 * 1000,
  });
  worldServers = readFtpServers(dir);
  onStopWorld(() => {
    execFileSync("bash", [ftpScriptPath(), "stop", dir], { stdio: ["ignore", "ignore", "pipe"] });
    worldServers = undefined;
  });
  return worldServers;
}

/** Connection args (SDK `ConnectionArgs`, plain JSON) for one server of the world, trusting the test CA. */
export function ftpConnection(w: World, key: FtpServerKey, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const servers = worldFtpServers(w);
  const s = servers.servers[key];
  return {
    protocol: s.protocol,
    host: s.host,
    port: s.port,
    user: servers.user,
    password: servers.password,
    ...(s.protocol === "ftp" ? { allowPlaintext: true } : { ca: fs.readFileSync(servers.caCertPath, "utf8") }),
    ...extra,
  };
}
