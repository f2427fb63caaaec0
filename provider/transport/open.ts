import { type ConnectionInputs, type CredentialInputs, protocolOf } from "../connection";
import { type ProtocolInfo, protocolInfo } from "../protocols";
import type { Transport } from "./types";

/** Opens a connection. */
export type TransportOpener = (c: ConnectionInputs, creds: CredentialInputs) => Promise<Transport>;

/** The transports by the registry's `transport` field, each loaded on first use (the SDK never loads ssh2/basic-ftp). */
const OPENERS: Record<ProtocolInfo["transport"], TransportOpener> = {
    ssh: async (c, creds) => (await import("./ssh/sftp")).openSftp(c, creds),
    ftp: async (c, creds) => (await import("./ftp/ftps")).openFtps(c, creds),
};

let replacement: TransportOpener | undefined;

/**
 * Replaces how connections are opened, for this process; `undefined` restores the real transports. For unit tests
 * only (the in-memory transport of test/unit/support): not part of the package's public API.
 * @internal
 */
export function setTransportOpener(opener: TransportOpener | undefined): void {
    replacement = opener;
}

/** Opens a new connection of the connection's protocol. Callers normally go through the pool (pool.ts). */
export async function openTransport(c: ConnectionInputs, creds: CredentialInputs): Promise<Transport> {
    return (replacement ?? OPENERS[protocolInfo(protocolOf(c)).transport])(c, creds);
}
