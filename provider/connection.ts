import { createHash } from "node:crypto";
import { DEFAULT_DIAL_TIMEOUT_MS, DEFAULT_PROTOCOL } from "./defaults";
import { type Protocol, protocolInfo } from "./protocols";

export type { Protocol } from "./protocols";

/**
 * The connection settings as the provider sees them: plain values, no `pulumi.Input`s.
 * The SDK's `ConnectionArgs` (sdk/connection.ts) documents every field for users.
 */

/** The non-secret part of a connection, stored in state as is. */
export interface ConnectionInputs {
    protocol?: Protocol;
    host: string;
    port?: number;
    user?: string;
    agentSocketPath?: string;
    hostKey?: string;
    knownHosts?: string;
    insecureAcceptAnyHostKey?: boolean;
    perDialTimeout?: number;
    dialErrorLimit?: number;
    ca?: string;
    certFingerprint?: string;
    insecureSkipTlsVerify?: boolean;
    allowPlaintext?: boolean;
    servername?: string;
    maxSessions?: number;
}

/** The secret part of a connection; always a Pulumi secret in state. */
export interface CredentialInputs {
    password?: string;
    privateKey?: string;
    privateKeyPassword?: string;
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
        // The credentials identify the session too, but only by a digest so the key itself is not a secret.
        createHash("sha256")
            .update(JSON.stringify([creds.password ?? "", creds.privateKey ?? "", creds.privateKeyPassword ?? ""]))
            .digest("hex"),
    ]);
}

/** How long one dial (TCP connect and handshake) may take, in milliseconds. */
export function dialTimeoutMs(c: ConnectionInputs): number {
    return c.perDialTimeout !== undefined ? c.perDialTimeout * 1000 : DEFAULT_DIAL_TIMEOUT_MS;
}
