import { ConnectionInputs, CredentialInputs, endpointUrl } from "../connection";
import { FiledropError } from "../errors";
import { Transport } from "./types";

/** FTPS/FTP transport over basic-ftp: being built in issue #3; until then FTP endpoints are refused clearly. */
export async function openFtps(c: ConnectionInputs, _creds: CredentialInputs): Promise<Transport> {
    throw new FiledropError("UNSUPPORTED", `${endpointUrl(c)}: FTP and FTPS are not available in this version yet; use protocol "sftp".`);
}
