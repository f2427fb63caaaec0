/**
 * Opening an SFTP connection: the only file that loads ssh2 (lazily, so the dynamic provider's closure
 * serialization captures a module reference rather than code), verifies the host key before anything is sent,
 * and maps connect and login failures. The transport itself is sftpTransport.ts.
 *
 * Speed notes (SPEC §7): ssh2 leaves Nagle's algorithm on, so the socket is created here with `setNoDelay(true)`,
 * and the packets of one tick are written together (coalesceWrites).
 */
import * as net from "node:net";
import {
    type ConnectionInputs,
    type CredentialInputs,
    dialTimeoutMs,
    endpointUrl,
    portOf,
    userOf,
} from "../connection";
import { SSH_KEEPALIVE_MS } from "../defaults";
import { FiledropError, messageOf } from "../errors";
import { checkHostKey, hostKeyAlgorithmsFor } from "../trust/sshTrust";
import { SftpTransport } from "./sftpTransport";

export { SftpTransport } from "./sftpTransport";

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

/** Opens an SSH connection and its SFTP session; verifies the host key first. */
export function openSftp(c: ConnectionInputs, creds: CredentialInputs): Promise<SftpTransport> {
    // Loaded here, not at the top: see the file comment.
    const { Client } = require("ssh2") as typeof import("ssh2");
    const where = endpointUrl(c);
    return new Promise<SftpTransport>((resolve, reject) => {
        const client = new Client();
        let hostKeyError: FiledropError | undefined;
        let settled = false;
        const finish = (e: FiledropError) => {
            if (!settled) {
                settled = true;
                client.end();
                reject(e);
            }
        };
        const sock = net.connect({ host: c.host, port: portOf(c) });
        sock.setNoDelay(true);
        coalesceWrites(sock);
        sock.on("error", () => undefined); // reported through the client's error event
        client.on("error", (err: Error & { level?: string; code?: string }) => {
            if (hostKeyError) {
                return finish(hostKeyError);
            }
            if (err.level === "client-authentication") {
                const tried = [
                    creds.password !== undefined && "password",
                    creds.privateKey !== undefined && "private key",
                    c.agentSocketPath !== undefined && "agent",
                ]
                    .filter(Boolean)
                    .join(", ");
                return finish(
                    new FiledropError(
                        "AUTH_FAILED",
                        `Authentication as ${userOf(c)} to ${where} failed (tried: ${tried || "nothing"}); check the password, private key or agent.`,
                        { cause: err },
                    ),
                );
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
            client.sftp((err, sftp) => {
                if (err) {
                    return finish(
                        new FiledropError(
                            "UNSUPPORTED",
                            `${where} accepted the login but refused an SFTP session (${err.message}); enable the sftp subsystem.`,
                            { cause: err },
                        ),
                    );
                }
                settled = true;
                resolve(new SftpTransport(client, sftp, c));
            });
        });
        try {
            client.connect({
                sock,
                username: userOf(c),
                password: creds.password,
                privateKey: creds.privateKey,
                passphrase: creds.privateKeyPassword,
                agent: c.agentSocketPath,
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
            sock.destroy();
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
