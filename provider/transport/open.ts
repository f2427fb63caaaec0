import { ConnectionInputs, CredentialInputs, protocolOf } from "../connection";
import { Transport } from "./types";

/** Opens a new connection of the connection's protocol. Callers normally go through the pool (pool.ts). */
export async function openTransport(c: ConnectionInputs, creds: CredentialInputs): Promise<Transport> {
    if (protocolOf(c) === "sftp") {
        return (await import("./sftp")).openSftp(c, creds);
    }
    return (await import("./ftps")).openFtps(c, creds);
}
