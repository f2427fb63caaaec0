/**
 * Opening an SFTP connection: loads ssh2 lazily (so the dynamic provider's closure serialization captures a module
 * reference rather than code), verifies the host key before anything is sent, and maps connect and login failures.
 * Through a bastion (`proxy`) the bastion is logged in to first (its host key verified too) and the target's SSH
 * connection runs inside a `direct-tcpip` channel of it. The transport itself is sftpTransport.ts; the SFTP session
 * through sudo is sudoSftp.ts.
 *
 * Speed notes (SPEC §7): ssh2 leaves Nagle's algorithm on, so the socket is created here with `setNoDelay(true)`,
 * and the packets of one tick are written together (coalesceWrites).
 */
import * as net from "node:net";
import type { Client, SFTPWrapper } from "ssh2";
import {
    type ConnectionInputs,
    type CredentialInputs,
    dialTimeoutMs,
    endpointUrl,
    portOf,
    proxyConnection,
    sudoPrefix,
    userOf,
} from "../../connection";
import { SSH_KEEPALIVE_MS } from "../../defaults";
import { FiledropError, messageOf } from "../../errors";
import { checkHostKey, hostKeyAlgorithmsFor } from "../../trust/sshTrust";
import { SftpTransport } from "./sftpTransport";
import { authFailure, authOptions, type SshLogin } from "./sshAuth";
import { openSudoSftp } from "./sudoSftp";

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

/** A TCP socket to host:port, with Nagle off and the writes of one tick coalesced. */
function tcpSocket(host: string, port: number): net.Socket {
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    coalesceWrites(sock);
    sock.on("error", () => undefined); // reported through the client's error event
    return sock;
}

/**
 * Logs in over `sock` (a TCP socket, or a bastion's forwarded channel) to the SSH server `c` names: the host key is
 * verified before anything is sent. `what` names the server in messages ("" or "the bastion ").
 */
function dialSsh(c: ConnectionInputs, login: SshLogin, sock: NodeJS.ReadWriteStream, what: string): Promise<Client> {
    // Loaded here, not at the top: see the file comment.
    const { Client } = require("ssh2") as typeof import("ssh2");
    const where = `${what}${endpointUrl(c)}`;
    return new Promise<Client>((resolve, reject) => {
        const client = new Client();
        let hostKeyError: FiledropError | undefined;
        let settled = false;
        const finish = (e: FiledropError | Promise<FiledropError>) => {
            if (!settled) {
                settled = true;
                client.end();
                void Promise.resolve(e).then(reject);
            }
        };
        client.on("error", (err: Error & { level?: string; code?: string }) => {
            if (hostKeyError) {
                if (what !== "") {
                    // The bastion's key: say so, and name the settings inside `proxy`.
                    hostKeyError.message = hostKeyError.message
                        .replace(endpointUrl(c), where)
                        .replace(/`(hostKey|knownHosts)`/g, "`proxy.$1`");
                }
                return finish(hostKeyError);
            }
            if (err.level === "client-authentication") {
                return finish(authFailure(login, where, err));
            }
            const transient =
                /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|Timed out|before handshake|Connection lost/i.test(
                    `${err.code} ${err.message}`,
                );
            finish(
                new FiledropError(
                    "CONNECT_FAILED",
                    `Cannot connect to ${where}: ${err.message}; check host, port and that the SSH server is running.`,
                    { cause: err, transient },
                ),
            );
        });
        client.on("ready", () => {
            settled = true;
            resolve(client);
        });
        try {
            client.connect({
                sock: sock as never,
                ...authOptions(login),
                readyTimeout: dialTimeoutMs(c),
                keepaliveInterval: SSH_KEEPALIVE_MS,
                // Prefer the host key types already known for the host, as OpenSSH does (issue 8 item 4).
                algorithms: { serverHostKey: hostKeyAlgorithmsFor(c) as never },
                hostVerifier: (key: Buffer) => {
                    hostKeyError = checkHostKey(c, key);
                    return hostKeyError === undefined;
                },
            });
        } catch (e) {
            // ssh2 throws synchronously for a key it cannot parse; its message never includes the key.
            (sock as unknown as { destroy?: () => void }).destroy?.();
            finish(
                new FiledropError(
                    "AUTH_FAILED",
                    `The private key for ${where} cannot be used: ${messageOf(e)}; check \`privateKey\` and \`privateKeyPassword\`.`,
                    { cause: e },
                ),
            );
        }
    });
}

/** A `direct-tcpip` channel from the bastion to the target's SSH port. */
function forwardThrough(bastion: Client, c: ConnectionInputs, where: string): Promise<NodeJS.ReadWriteStream> {
    return new Promise((resolve, reject) => {
        bastion.forwardOut("127.0.0.1", 0, c.host, portOf(c), (err, stream) => {
            if (err) {
                reject(
                    new FiledropError(
                        "CONNECT_FAILED",
                        `The bastion ${where} could not open a connection to ${c.host}:${portOf(c)} (${err.message}); check the target's host and port as the bastion sees them, and that the bastion's sshd allows TCP forwarding (AllowTcpForwarding).`,
                        { cause: err, transient: /refused|timed out/i.test(err.message) },
                    ),
                );
                return;
            }
            resolve(stream);
        });
    });
}

/** The plain SFTP session: the server's sftp subsystem. */
function openSubsystemSftp(client: Client, where: string): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
        client.sftp((err, sftp) => {
            if (err) {
                reject(
                    new FiledropError(
                        "UNSUPPORTED",
                        `${where} accepted the login but refused an SFTP session (${err.message}); enable the sftp subsystem.`,
                        { cause: err },
                    ),
                );
                return;
            }
            resolve(sftp);
        });
    });
}

/** Opens an SSH connection (through the bastion when `proxy` is set) and its SFTP session; host keys first. */
export async function openSftp(c: ConnectionInputs, creds: CredentialInputs): Promise<SftpTransport> {
    const where = endpointUrl(c);
    const login: SshLogin = {
        user: userOf(c),
        password: creds.password,
        privateKey: creds.privateKey,
        privateKeyPassword: creds.privateKeyPassword,
        agentSocketPath: c.agentSocketPath,
    };
    let bastion: Client | undefined;
    let client: Client | undefined;
    try {
        if (c.proxy !== undefined) {
            const b = proxyConnection(c.proxy);
            const bastionLogin: SshLogin = {
                user: userOf(b),
                password: creds.proxy?.password,
                privateKey: creds.proxy?.privateKey,
                privateKeyPassword: creds.proxy?.privateKeyPassword,
                agentSocketPath: b.agentSocketPath,
            };
            bastion = await dialSsh(b, bastionLogin, tcpSocket(b.host, portOf(b)), "the bastion ");
            const stream = await forwardThrough(bastion, c, endpointUrl(b));
            client = await dialSsh(c, login, stream, "");
            const viaBastion = bastion;
            client.on("close", () => viaBastion.end());
        } else {
            client = await dialSsh(c, login, tcpSocket(c.host, portOf(c)), "");
        }
        const prefix = sudoPrefix(c);
        const ssh = client;
        const session = () => (prefix === undefined ? openSubsystemSftp(ssh, where) : openSudoSftp(ssh, prefix, where));
        return new SftpTransport(client, await session(), c, prefix, session);
    } catch (e) {
        client?.end();
        bastion?.end();
        throw e;
    }
}
