/**
 * A throwaway OpenSSH sshd on loopback, started in the foreground as the harness's child. Variants are options:
 * `startSshd(dir, { maxSessions: 2 })`, an SFTP subsystem refusing requests, an RSA-only host key, …
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureInstalled, type LoginUser, serverBinary } from "./installed";
import { freePort } from "./ports";
import { ServerProcess } from "./serverProcess";
import { speaksSsh } from "./sshBanner";
import { type KeyPair, makeKeyPair, randomPassphrase } from "./sshKeys";
import { writeTemplate } from "./templates";

/** How a test sshd differs from OpenSSH's defaults. Every field is optional; `{}` is a stock server. */
export interface SshdOptions {
    /** sshd `MaxSessions` (channels per connection). @default OpenSSH's default (10), not written to the config */
    readonly maxSessions?: number;
    /**
     * Arguments for `internal-sftp`, e.g. `["-P", "posix-rename"]` to refuse that request (names as
     * `sftp-server -Q requests` lists them; an unknown name is silently ignored), or `["-R"]` for a read-only
     * server. @default none
     */
    readonly sftpArgs?: readonly string[];
    /** Host key types, in the order sshd offers them. @default ["ed25519"] */
    readonly hostKeyTypes?: readonly ("ed25519" | "rsa")[];
    /**
     * Run sshd in a network namespace of its own (`unshare --net`), listening on that namespace's 127.0.0.1: no
     * process outside it can connect, only one that enters it (the bastion of servers/bastion.ts does). @default false
     */
    readonly isolatedNetwork?: boolean;
    /** sshd `LogLevel`: DEBUG1 logs each forwarded (direct-tcpip) connection. @default "VERBOSE" */
    readonly logLevel?: "VERBOSE" | "DEBUG1";
    /**
     * Let root log in too, with the client keys only (`PermitRootLogin prohibit-password` for root), as servers
     * deployed to as root do. @default false (`PermitRootLogin no`)
     */
    readonly rootLogin?: boolean;
}

/** What tests and benches need to reach a running test sshd. */
export interface SshdInfo {
    readonly host: string;
    readonly port: number;
    /** The login user (see `otherUser` for the second account). */
    readonly user: string;
    readonly password: string;
    /** Unencrypted ed25519 client key, authorised for both users. */
    readonly privateKeyPath: string;
    /** RSA client key encrypted with `encryptedKeyPassphrase`, authorised for both users. */
    readonly encryptedKeyPath: string;
    readonly encryptedKeyPassphrase: string;
    /** `type base64` of the first host key. */
    readonly hostPublicKey: string;
    /** `SHA256:…` of the first host key. */
    readonly hostKeyFingerprint: string;
    /** Every host key of the server, in `hostKeyTypes` order. */
    readonly hostKeys: readonly KeyPair[];
    /** known_hosts listing every host key of the server. */
    readonly knownHostsPath: string;
    /** The listener's pid. */
    readonly pid: number;
    /** sshd's VERBOSE log. */
    readonly logFile: string;
    readonly configFile: string;
    /** A second, unprivileged login user. */
    readonly otherUser: LoginUser;
}

/** A running test sshd. */
export interface Sshd extends SshdInfo {
    /** Stops the listener and its sessions. */
    stop(): Promise<void>;
}

/** Waits until something on host:port speaks SSH (the banner), or the process ends, or 15 s pass. */
async function waitForBanner(host: string, port: number, proc: ServerProcess): Promise<void> {
    const deadline = Date.now() + 15000;
    for (;;) {
        proc.assertRunning();
        if (await speaksSsh(host, port)) {
            return;
        }
        if (Date.now() > deadline) {
            throw new Error(`sshd did not answer on ${host}:${port} within 15 s; its log ends:\n${proc.logTail()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** Waits for sshd's "Server listening" line (a server in its own network namespace cannot be dialled from here). */
async function waitForListening(logFile: string, port: number, proc: ServerProcess): Promise<void> {
    const deadline = Date.now() + 15000;
    while (!fs.readFileSync(logFile, "utf8").includes(`Server listening on 127.0.0.1 port ${port}.`)) {
        proc.assertRunning();
        if (Date.now() > deadline) {
            throw new Error(`sshd did not listen on port ${port} within 15 s; its log ends:\n${proc.logTail()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** Starts an sshd whose files (config, keys, known_hosts, log) live in `dir`. */
export async function startSshd(dir: string, options: SshdOptions = {}): Promise<Sshd> {
    const inst = ensureInstalled();
    const sshd = serverBinary("sshd");
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const host = "127.0.0.1";
    const port = await freePort();
    const hostKeys = (options.hostKeyTypes ?? ["ed25519"]).map((t) =>
        makeKeyPair(dir, `ssh_host_${t}_key`, t, "", "filedrop-test-host"),
    );
    const client = makeKeyPair(dir, "client_ed25519", "ed25519");
    const passphrase = randomPassphrase();
    const encrypted = makeKeyPair(dir, "client_rsa_enc", "rsa", passphrase, "filedrop-test-client-enc");
    const authorizedKeys = path.join(dir, "authorized_keys");
    fs.writeFileSync(authorizedKeys, `${client.publicKey}\n${encrypted.publicKey}\n`, { mode: 0o644 });
    const knownHostsPath = path.join(dir, "known_hosts");
    fs.writeFileSync(knownHostsPath, hostKeys.map((k) => `[${host}]:${port} ${k.publicKey}\n`).join(""));
    const limits = [
        options.maxSessions !== undefined ? `MaxSessions ${options.maxSessions}` : "",
        // Last, as a Match block overrides the template's global `PermitRootLogin no` for root alone.
        options.rootLogin ? "Match User root\n    PermitRootLogin prohibit-password" : "",
    ];
    const configFile = path.join(dir, "sshd_config");
    writeTemplate("sshd_config", configFile, {
        PORT: port,
        LISTEN: host,
        HOST_KEYS: hostKeys.map((k) => `HostKey ${k.privatePath}`).join("\n"),
        AUTHORIZED_KEYS: authorizedKeys,
        USERS: `${inst.user.name} ${inst.otherUser.name}${options.rootLogin ? " root" : ""}`,
        SFTP_SUBSYSTEM: ["internal-sftp", ...(options.sftpArgs ?? [])].join(" "),
        LIMITS: limits.filter((l) => l !== "").join("\n"),
        LOG_LEVEL: options.logLevel ?? "VERBOSE",
    });
    const logFile = path.join(dir, "sshd.log");
    // -D: stay in the foreground (the harness owns the pid); -e: log to stderr, which goes to the log file.
    const sshdArgs = ["-D", "-e", "-f", configFile];
    // unshare and sh exec in place, so the pid is sshd's; the namespace's loopback starts down.
    const proc = options.isolatedNetwork
        ? ServerProcess.start(
              "sshd",
              "unshare",
              ["--net", "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', sshd, ...sshdArgs],
              logFile,
          )
        : ServerProcess.start("sshd", sshd, sshdArgs, logFile);
    try {
        await (options.isolatedNetwork ? waitForListening(logFile, port, proc) : waitForBanner(host, port, proc));
    } catch (e) {
        await proc.stop();
        throw e;
    }
    return {
        host,
        port,
        user: inst.user.name,
        password: inst.user.password,
        privateKeyPath: client.privatePath,
        encryptedKeyPath: encrypted.privatePath,
        encryptedKeyPassphrase: passphrase,
        hostPublicKey: hostKeys[0].publicKey,
        hostKeyFingerprint: hostKeys[0].fingerprint,
        hostKeys,
        knownHostsPath,
        pid: proc.pid,
        logFile,
        configFile,
        otherUser: inst.otherUser,
        stop: () => proc.stop(),
    };
}
