import { createHash } from "node:crypto";
import { DEFAULT_DIAL_TIMEOUT_MS, DEFAULT_PROTOCOL } from "./defaults";
import { type Protocol, protocolInfo } from "./protocols";

/**
 * The connection settings as the provider sees them: plain values, no `pulumi.Input`s.
 * The SDK's `ConnectionArgs` (sdk/connection.ts) documents every field for users.
 */

/** The non-secret part of a connection, stored in state as is: the SSH login fields a bastion has too, and more. */
export interface ConnectionInputs extends ProxyInputs {
    protocol?: Protocol;
    ca?: string;
    certFingerprint?: string;
    insecureSkipTlsVerify?: boolean;
    allowPlaintext?: boolean;
    servername?: string;
    maxSessions?: number;
    /** A bastion (jump) host to reach `host` through; SFTP only. Its secrets are in `CredentialInputs.proxy`. */
    proxy?: ProxyInputs;
    /** Run the SFTP server and every command through sudo: `true` for `sudo -n`, or a command prefix. SFTP only. */
    sudo?: boolean | string;
}

/**
 * The non-secret part of a bastion, with the field names of `@pulumi/command`'s ProxyConnectionArgs plus our host
 * key settings (the bastion's key is verified like the target's).
 */
export interface ProxyInputs {
    host: string;
    port?: number;
    user?: string;
    agentSocketPath?: string;
    hostKey?: string;
    knownHosts?: string;
    insecureAcceptAnyHostKey?: boolean;
    perDialTimeout?: number;
    dialErrorLimit?: number;
}

/** The secret part of a bastion. */
export interface ProxyCredentialInputs {
    password?: string;
    privateKey?: string;
    privateKeyPassword?: string;
}

/** The secret part of a connection; always a Pulumi secret in state: the login secrets a bastion has too, and the bastion's. */
export interface CredentialInputs extends ProxyCredentialInputs {
    /** The bastion's credentials, when `ConnectionInputs.proxy` is set. */
    proxy?: ProxyCredentialInputs;
}

/** Default port of each protocol (see the protocol registry). */
export function defaultPort(protocol: Protocol): number {
    return protocolInfo(protocol).defaultPort;
}

/** The protocol, defaulted. */
export function protocolOf(c: ConnectionInputs): Protocol {
    return c.protocol ?? DEFAULT_PROTOCOL;
}

/** The port, defaulted. */
export function portOf(c: ConnectionInputs): number {
    return c.port ?? defaultPort(protocolOf(c));
}

/** The user, defaulted to the local user name like ssh does. */
export function userOf(c: ConnectionInputs): string {
    return c.user ?? process.env.USER ?? "root";
}

/** `sftp://user@host:port` — the endpoint named in messages; never contains a secret. */
export function endpointUrl(c: ConnectionInputs, path = ""): string {
    const host = c.host.includes(":") ? `[${c.host}]` : c.host;
    return `${protocolOf(c)}://${userOf(c)}@${host}:${portOf(c)}${path}`;
}

/** A key naming the endpoint and identity, for pooling connections. */
export function endpointKey(c: ConnectionInputs, creds: CredentialInputs): string {
    return JSON.stringify([
        protocolOf(c),
        c.host,
        portOf(c),
        userOf(c),
        c.hostKey ?? "",
        c.knownHosts ?? "",
        c.ca ?? "",
        c.certFingerprint ?? "",
        c.insecureAcceptAnyHostKey === true,
        c.insecureSkipTlsVerify === true,
        c.agentSocketPath ?? "",
        // The route and the privileges are part of what the connection is.
        JSON.stringify(c.proxy ?? null),
        c.sudo ?? false,
        // The credentials identify the session too, but only by a digest so the key itself is not a secret.
        createHash("sha256")
            .update(
                JSON.stringify([
                    creds.password ?? "",
                    creds.privateKey ?? "",
                    creds.privateKeyPassword ?? "",
                    creds.proxy ?? null,
                ]),
            )
            .digest("hex"),
    ]);
}

/** The bastion as a connection of its own (for host key checks and messages): SSH, port 22 by default. */
export function proxyConnection(p: ProxyInputs): ConnectionInputs {
    return {
        protocol: "sftp",
        host: p.host,
        port: p.port,
        user: p.user,
        agentSocketPath: p.agentSocketPath,
        hostKey: p.hostKey,
        knownHosts: p.knownHosts,
        insecureAcceptAnyHostKey: p.insecureAcceptAnyHostKey,
        perDialTimeout: p.perDialTimeout,
        dialErrorLimit: p.dialErrorLimit,
    };
}

/** The command prefix of `sudo`, or undefined when commands run as the login user. */
export function sudoPrefix(c: ConnectionInputs): string | undefined {
    if (c.sudo === true) {
        return "sudo -n";
    }
    return typeof c.sudo === "string" && c.sudo.trim() !== "" ? c.sudo.trim() : undefined;
}

/** How long one dial (TCP connect and handshake) may take, in milliseconds. */
export function dialTimeoutMs(c: ConnectionInputs): number {
    return c.perDialTimeout !== undefined ? c.perDialTimeout * 1000 : DEFAULT_DIAL_TIMEOUT_MS;
}
