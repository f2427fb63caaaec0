/**
 * One logged-in FTP control connection on basic-ftp (loaded lazily, like ssh2 in sftp.ts), set up the strict way:
 *   1. TCP connect (implicit FTPS: TLS from the first byte; explicit: `AUTH TLS`, refused server → TLS_REQUIRED),
 *   2. the server's certificate checked (trust/tlsTrust.ts) *before* USER/PASS is sent,
 *   3. login, FEAT, `TYPE I`, and for FTPS `PBSZ 0` + `PROT P` — a refusal of PROT P is an error, never a
 *      plaintext data channel (basic-ftp's own `access()` ignores that refusal, so it is not used),
 *   4. `OPTS HASH SHA-256` where FEAT offers HASH, `SITE UMASK 077` where SITE offers UMASK.
 * Every data connection must present the same certificate as the control connection.
 */

import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Client, FTPResponse } from "basic-ftp";
import {
    type ConnectionInputs,
    type CredentialInputs,
    dialTimeoutMs,
    endpointUrl,
    portOf,
    protocolOf,
    userOf,
} from "../../connection";
import { FiledropError, isFiledropError, messageOf } from "../../errors";
import { checkTlsPeer, tlsOptionsFor } from "../../trust/tlsTrust";
import { hashAlgorithms } from "./ftpReplies";

/** What one control connection offers, from FEAT and SITE HELP. */
export interface FtpSession {
    readonly client: Client;
    /** MLST/MLSD (RFC 3659) available; else stat uses `STAT -a` listings. */
    readonly mlst: boolean;
    /** How the server computes SHA-256, if it can. */
    readonly digest: "HASH" | "XSHA256" | undefined;
    readonly siteChmod: boolean;
    /** `SITE UMASK 077` is in effect: new files start private. */
    readonly privateUmask: boolean;
}

/** Milliseconds a command or a stalled transfer may take before the connection counts as lost. */
const COMMAND_TIMEOUT_MS = 120000;

const TRANSIENT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|Timeout|closed|FIN packet/i;
const TLS_PROTOCOL = /ssl|tls|wrong version|EPROTO|handshake/i;

function ftpCode(e: unknown): number | undefined {
    const code = (e as { code?: unknown }).code;
    return typeof code === "number" ? code : undefined;
}

/** The message of an FTP error reply without the trailing newline, for quoting. */
export function replyText(e: unknown): string {
    return messageOf(e).trim().split("\n").pop() ?? "";
}

/**
 * Makes every TLS data connection of `client` present the certificate `fingerprint256` (the control
 * connection's, already verified), checked before anything is written to it.
 */
function guardDataSockets(client: Client, fingerprint256: string | undefined, where: string): void {
    const ctx = client.ftp as unknown as object;
    const accessor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(ctx), "dataSocket");
    if (!accessor?.get || !accessor.set) {
        throw new FiledropError(
            "UNSUPPORTED",
            `This version of basic-ftp cannot be guarded (no dataSocket accessor); ${where} was not contacted further.`,
        );
    }
    Object.defineProperty(ctx, "dataSocket", {
        configurable: true,
        get(): Socket | undefined {
            return accessor.get!.call(this);
        },
        set(socket: Socket | TLSSocket | undefined) {
            if (fingerprint256 !== undefined && socket && "getPeerCertificate" in socket) {
                // prepend: runs before basic-ftp's own listener starts writing the upload.
                socket.prependOnceListener("secureConnect", () => {
                    // A resumed session proves the peer holds the verified control connection's session secret
                    // (Node then reports no certificate); a full handshake must show the same certificate.
                    const presented = socket.getPeerCertificate()?.fingerprint256;
                    if (!socket.isSessionReused() && presented !== fingerprint256) {
                        socket.destroy(
                            new FiledropError(
                                "TLS_VERIFY_FAILED",
                                `A data connection of ${where} presented another TLS certificate (SHA-256 ${presented}) than the control connection; nothing was sent on it.`,
                            ),
                        );
                    }
                });
            }
            accessor.set!.call(this, socket);
        },
    });
}

/** Maps a failure while connecting or logging in to a FiledropError naming the endpoint (never the password). */
function connectFailure(c: ConnectionInputs, step: string, e: unknown): FiledropError {
    if (isFiledropError(e)) {
        return e;
    }
    const where = endpointUrl(c);
    const msg = messageOf(e);
    const code = ftpCode(e);
    if (step === "AUTH TLS" && code !== undefined) {
        return new FiledropError(
            "TLS_REQUIRED",
            `${where} does not offer TLS: it answered AUTH TLS with "${replyText(e)}". Enable TLS on the server; ` +
                'to send the password and files in clear text instead, use protocol "ftp" with `allowPlaintext: true`.',
            { cause: e },
        );
    }
    if (step === "login" && code !== undefined && /TLS|SSL|encrypt/i.test(msg)) {
        return new FiledropError(
            "TLS_REQUIRED",
            `${where} refused a login without TLS: "${replyText(e)}"; use protocol "ftps".`,
            { cause: e },
        );
    }
    if (step === "login" && code === 530) {
        return new FiledropError(
            "AUTH_FAILED",
            `Login as ${userOf(c)} to ${where} failed: the server said "${replyText(e)}"; check \`user\` and \`password\`.`,
            { cause: e },
        );
    }
    if (step === "login" && code !== undefined) {
        return new FiledropError(
            "AUTH_FAILED",
            `Login as ${userOf(c)} to ${where} was refused: the server said "${replyText(e)}".`,
            { cause: e },
        );
    }
    if (step === "PROT P" && code !== undefined) {
        return new FiledropError(
            "TLS_REQUIRED",
            `${where} refused to protect the data channel (PROT P): "${replyText(e)}". Files are never sent over a plaintext data channel; enable TLS for data connections on the server.`,
            { cause: e },
        );
    }
    if (
        code === undefined &&
        TLS_PROTOCOL.test(`${(e as { code?: string }).code ?? ""} ${msg}`) &&
        protocolOf(c) !== "ftp"
    ) {
        const hint =
            protocolOf(c) === "ftps-implicit"
                ? 'the server may not speak implicit TLS on this port (for AUTH TLS use protocol "ftps")'
                : "check that the server's TLS setup works";
        return new FiledropError(
            "TLS_REQUIRED",
            `TLS handshake with ${where} failed (${msg.split("\n")[0]}): ${hint}.`,
            { cause: e },
        );
    }
    const transient =
        code === undefined
            ? TRANSIENT.test(`${(e as { code?: string }).code ?? ""} ${msg}`)
            : code >= 400 && code < 500;
    return new FiledropError(
        "CONNECT_FAILED",
        `Cannot connect to ${where} (${step}): ${msg.split("\n")[0]}; check host, port and that the FTP server is running.`,
        { cause: e, transient },
    );
}

async function step<T>(c: ConnectionInputs, name: string, f: () => Promise<T>): Promise<T> {
    try {
        return await f();
    } catch (e) {
        throw connectFailure(c, name, e);
    }
}

async function setUp(client: Client, c: ConnectionInputs, creds: CredentialInputs): Promise<FtpSession> {
    const protocol = protocolOf(c);
    const where = endpointUrl(c);
    const tlsOptions = { ...tlsOptionsFor(c), host: c.host };
    if (protocol === "ftps-implicit") {
        await step(c, "TLS handshake", () => client.connectImplicitTLS(c.host, portOf(c), tlsOptions));
    } else {
        await step(c, "connect", () => client.connect(c.host, portOf(c)));
        if (protocol === "ftps") {
            await step(c, "AUTH TLS", () => client.useTLS(tlsOptions));
        }
    }
    let fingerprint: string | undefined;
    if (protocol !== "ftp") {
        const socket = client.ftp.socket as TLSSocket;
        const refusal = checkTlsPeer(c, socket);
        if (refusal) {
            throw refusal;
        }
        fingerprint = c.insecureSkipTlsVerify === true ? undefined : socket.getPeerCertificate().fingerprint256;
    }
    guardDataSockets(client, fingerprint, where);
    await client.sendIgnoringError("OPTS UTF8 ON");
    await step(c, "login", () => client.login(userOf(c), creds.password ?? ""));
    const features = await step(c, "FEAT", () => client.features());
    await step(c, "TYPE I", () => client.send("TYPE I"));
    if (protocol !== "ftp") {
        await step(c, "PROT P", () => client.send("PBSZ 0"));
        await step(c, "PROT P", () => client.send("PROT P"));
    }
    const mlst = features.has("MLST");
    client.availableListCommands = mlst ? ["MLSD", "LIST -a", "LIST"] : ["LIST -a", "LIST"];
    let digest: FtpSession["digest"];
    if (
        hashAlgorithms(features.get("HASH")).includes("SHA-256") &&
        (await ok(client.sendIgnoringError("OPTS HASH SHA-256")))
    ) {
        digest = "HASH";
    } else if (features.has("XSHA256")) {
        digest = "XSHA256";
    }
    const siteHelp = (await client.sendIgnoringError("SITE HELP")).message;
    const siteChmod = /\bCHMOD\b/i.test(siteHelp) && !/^5/.test(siteHelp);
    const privateUmask = /\bUMASK\b/i.test(siteHelp) && (await ok(client.sendIgnoringError("SITE UMASK 077")));
    return { client, mlst, digest, siteChmod, privateUmask };
}

async function ok(reply: Promise<FTPResponse>): Promise<boolean> {
    const r = await reply;
    return r.code >= 200 && r.code < 300;
}

/** Opens and sets up one control connection; see the file comment. */
export async function openFtpSession(c: ConnectionInputs, creds: CredentialInputs): Promise<FtpSession> {
    // Loaded here, not at the top: the dynamic provider's closure serialization then captures a module reference.
    const { Client: FtpClient } = require("basic-ftp") as typeof import("basic-ftp");
    const client = new FtpClient(COMMAND_TIMEOUT_MS);
    const dialMs = dialTimeoutMs(c);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
            () =>
                reject(
                    new FiledropError(
                        "CONNECT_FAILED",
                        `Connecting to ${endpointUrl(c)} took longer than ${dialMs / 1000} s; check host and port.`,
                        { transient: true },
                    ),
                ),
            dialMs,
        );
    });
    try {
        return await Promise.race([setUp(client, c, creds), timeout]);
    } catch (e) {
        client.close();
        throw e;
    } finally {
        clearTimeout(timer);
    }
}
