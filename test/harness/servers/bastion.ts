/**
 * A bastion (jump host) for a target sshd started with `isolatedNetwork`: a real OpenSSH sshd run the way socket
 * activation runs it (`sshd -i`, one process per connection, like Debian's ssh.socket + ssh@.service), inside the
 * target's network namespace (`nsenter --net`). The listener here only accepts on 127.0.0.1 and hands each
 * connection to a new `sshd -i`; the bastion's own sshd decides everything else (host key, login, forwarding).
 * So the target is reachable only through the bastion's `direct-tcpip` forward: a direct connection from this
 * namespace finds nothing listening. The bastion logs at DEBUG1, which names every forward
 * ("server_request_direct_tcpip: originator … target 127.0.0.1 port …").
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { ensureInstalled, serverBinary } from "./installed";
import { freePort } from "./ports";
import type { Sshd } from "./sshd";
import { type KeyPair, makeKeyPair } from "./sshKeys";
import { writeTemplate } from "./templates";

/** A running bastion in front of an isolated target. */
export interface Bastion {
    readonly host: string;
    readonly port: number;
    readonly hostKey: KeyPair;
    /** known_hosts with the bastion's key for `[127.0.0.1]:port`. */
    readonly knownHostsPath: string;
    /** The log of every bastion sshd (DEBUG1). */
    readonly logFile: string;
    /** Connections handed to a bastion sshd so far. */
    readonly connections: () => number;
    stop(): Promise<void>;
}

/** The most bastion sessions at once: a bound for the tests (a pooled deployment needs one). */
const MAX_SESSIONS = 16;

/** Starts a bastion that reaches `target` (started with `isolatedNetwork`) on its namespace's 127.0.0.1. */
export async function startBastion(dir: string, target: Sshd): Promise<Bastion> {
    const inst = ensureInstalled();
    const sshd = serverBinary("sshd");
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const host = "127.0.0.1";
    const port = await freePort();
    const hostKey = makeKeyPair(dir, "ssh_host_ed25519_key", "ed25519", "", "filedrop-test-bastion");
    const knownHostsPath = path.join(dir, "known_hosts");
    fs.writeFileSync(knownHostsPath, `[${host}]:${port} ${hostKey.publicKey}\n`);
    const configFile = path.join(dir, "sshd_config");
    writeTemplate("sshd_config", configFile, {
        PORT: port,
        LISTEN: host,
        HOST_KEYS: `HostKey ${hostKey.privatePath}`,
        AUTHORIZED_KEYS: path.join(path.dirname(target.configFile), "authorized_keys"),
        USERS: `${inst.user.name} ${inst.otherUser.name}`,
        SFTP_SUBSYSTEM: "internal-sftp",
        LIMITS: "AllowTcpForwarding yes",
        LOG_LEVEL: "DEBUG1",
    });
    const logFile = path.join(dir, "bastion.log");
    const children = new Set<ChildProcess>();
    let count = 0;
    const server = net.createServer((sock) => {
        if (children.size >= MAX_SESSIONS) {
            sock.destroy();
            return;
        }
        count++;
        const log = fs.openSync(logFile, "a", 0o600);
        const child = spawn("nsenter", ["-t", String(target.pid), "-n", "--", sshd, "-i", "-e", "-f", configFile], {
            stdio: ["pipe", "pipe", log],
        });
        fs.closeSync(log);
        children.add(child);
        sock.pipe(child.stdin!);
        child.stdout!.pipe(sock);
        sock.on("error", () => child.kill());
        sock.on("close", () => child.kill());
        child.stdin!.on("error", () => undefined);
        child.on("exit", () => {
            children.delete(child);
            sock.end();
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve());
    });
    return {
        host,
        port,
        hostKey,
        knownHostsPath,
        logFile,
        connections: () => count,
        stop: async () => {
            const closed = new Promise<void>((resolve) => server.close(() => resolve()));
            await Promise.all(
                [...children].map(
                    (c) =>
                        new Promise<void>((resolve) => {
                            c.once("exit", () => resolve());
                            c.kill();
                        }),
                ),
            );
            await closed;
        },
    };
}
