import { type ConnectionInputs, type CredentialInputs, protocolOf } from "../connection";
import { protocolInfo } from "../protocols";
import type { Transport } from "./types";

/** Opens a connection; the protocol registry's `open` by default. */
export type TransportOpener = (c: ConnectionInputs, creds: CredentialInputs) => Promise<Transport>;

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
    return (replacement ?? protocolInfo(protocolOf(c)).open)(c, creds);
}
