/**
 * An OpenSSH sshd for the benches whose configuration differs from the test harness's (test/harness/servers/sshd.ts)
 * in the ways a user's server can: Debian's stock settings (`UsePAM yes`, X11Forwarding, AcceptEnv), `sftp-server`
 * instead of `internal-sftp`, root logins, and up to 16 `ListenAddress` entries on distinct 127.0.0.x addresses (the
 * fleet bench's "hosts"; OpenSSH accepts at most 16 listen sockets per sshd). Started in the foreground as this
 * process's child (ServerProcess), so stopping it cannot hit anyone else's server.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureInstalled, serverBinary } from "../../test/harness/servers/installed";
import { freePort } from "../../test/harness/servers/ports";
import { ServerProcess } from "../../test/harness/servers/serverProcess";
import { speaksSsh } from "../../test/harness/servers/sshBanner";
import { makeKeyPair } from "../../test/harness/servers/sshKeys";

export interface BenchSshdOptions {
    /** Loopback addresses to listen on (each in 127.0.0.0/8; at most 16). @default ["127.0.0.1"] */
    readonly addresses?: readonly string[];
    /** `internal-sftp` (in sshd's own process) or OpenSSH's `sftp-server` program. @default "internal-sftp" */
    readonly sftp?: "internal-sftp" | "sftp-server";
    /** Debian's stock settings: `UsePAM yes`, `X11Forwarding yes`, `AcceptEnv LANG LC_*`. @default false (UsePAM no) */
    readonly stock?: boolean;
    /** sshd LogLevel; VERBOSE logs one "Connection from" line per login (counted by the fleet bench). @default "VERBOSE" */
    readonly logLevel?: "INFO" | "VERBOSE";
    /** Extra configuration lines (e.g. `MaxStartups 100:30:200`). @default none */
    readonly extra?: readonly string[];
}

export interface BenchSshd {
    readonly addresses: readonly string[];
    readonly port: number;
    /** The harness's login user (root may log in too, with the same client key). */
    readonly user: string;
    readonly privateKeyPath: string;
    readonly privateKey: string;
    /** `type base64` of the host key. */
    readonly hostPublicKey: string;
    /** known_hosts naming every address of this server. */
    readonly knownHostsPath: string;
    readonly logFile: string;
    stop(): Promise<void>;
}

const MAX_LISTEN = 16;

/** Starts an sshd whose files live in `dir`; resolves once every address answers. */
export async function startBenchSshd(dir: string, o: BenchSshdOptions = {}): Promise<BenchSshd> {
    const addresses = o.addresses ?? ["127.0.0.1"];
    if (addresses.length === 0 || addresses.length > MAX_LISTEN) {
        throw new Error(`an sshd listens on 1 to ${MAX_LISTEN} addresses, not ${addresses.length}`);
    }
    for (const a of addresses) {
        if (!/^127\.\d+\.\d+\.\d+$/.test(a)) {
            throw new Error(`bench sshd addresses stay on loopback (127.0.0.0/8): ${a}`);
        }
    }
    const inst = ensureInstalled();
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const port = await freePort();
    const hostKey = makeKeyPair(dir, "ssh_host_ed25519_key", "ed25519", "", "filedrop-bench-host");
    const client = makeKeyPair(dir, "client_ed25519", "ed25519");
    const authorizedKeys = path.join(dir, "authorized_keys");
    fs.writeFileSync(authorizedKeys, `${client.publicKey}\n`, { mode: 0o644 });
    const knownHostsPath = path.join(dir, "known_hosts");
    fs.writeFileSync(knownHostsPath, addresses.map((a) => `[${a}]:${port} ${hostKey.publicKey}\n`).join(""));
    const sftp = o.sftp === "sftp-server" ? "/usr/lib/openssh/sftp-server" : "internal-sftp";
    const config = [
        `Port ${port}`,
        ...addresses.map((a) => `ListenAddress ${a}`),
        `HostKey ${hostKey.privatePath}`,
        "PidFile none",
        `AuthorizedKeysFile ${authorizedKeys}`,
        "StrictModes no", // the scratch folder is under /tmp; stock StrictModes would refuse the key file there
        `UsePAM ${o.stock ? "yes" : "no"}`,
        ...(o.stock ? ["X11Forwarding yes", "PrintMotd no", "AcceptEnv LANG LC_*"] : []),
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        `AllowUsers ${inst.user.name} root`,
        `Subsystem sftp ${sftp}`,
        `LogLevel ${o.logLevel ?? "VERBOSE"}`,
        ...(o.extra ?? []),
    ];
    const configFile = path.join(dir, "sshd_config");
    fs.writeFileSync(configFile, `${config.join("\n")}\n`);
    const logFile = path.join(dir, "sshd.log");
    const proc = ServerProcess.start("sshd", serverBinary("sshd"), ["-D", "-e", "-f", configFile], logFile);
    const deadline = Date.now() + 15000;
    for (const a of addresses) {
        while (!(await speaksSsh(a, port))) {
            proc.assertRunning();
            if (Date.now() > deadline) {
                await proc.stop();
                throw new Error(`bench sshd did not answer on ${a}:${port} within 15 s; log:\n${proc.logTail()}`);
            }
            await new Promise((r) => setTimeout(r, 100));
        }
    }
    return {
        addresses,
        port,
        user: inst.user.name,
        privateKeyPath: client.privatePath,
        privateKey: fs.readFileSync(client.privatePath, "utf8"),
        hostPublicKey: hostKey.publicKey,
        knownHostsPath,
        logFile,
        stop: () => proc.stop(),
    };
}

/**
 * Logins per address from a VERBOSE log: each "Accepted … from <client> port <p>" line, attributed to the address of
 * the "Connection from <client> port <p> on <address> port …" line before it. Connections that never log in (the
 * readiness probe of {@link startBenchSshd}) do not count.
 */
export function connectionsPerAddress(logFile: string): Map<string, number> {
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
    const addressOf = new Map<string, string>();
    const out = new Map<string, number>();
    for (const m of text.matchAll(
        /Connection from (\S+) port (\d+) on (\S+) port \d+|Accepted \S+ for \S+ from (\S+) port (\d+)/g,
    )) {
        if (m[3] !== undefined) {
            addressOf.set(`${m[1]}:${m[2]}`, m[3]);
        } else {
            const a = addressOf.get(`${m[4]}:${m[5]}`) ?? "?";
            out.set(a, (out.get(a) ?? 0) + 1);
        }
    }
    return out;
}
