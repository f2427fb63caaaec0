/**
 * The servers the protocol-neutral suites run against: each target gives connection args for the program and
 * says where files land. The RemoteFile lifecycle suite runs once per target.
 */
import { PROTOCOLS } from "../../provider/protocols";
import { type FtpProtocol, type FtpServerKey, ftpConnection, ftpServers, worldFtpServers } from "./ftpServers";
import { sshConnection, type World } from "./world";

export interface Target {
    /** Suite name, e.g. "sftp (OpenSSH)". */
    name: string;
    /** Connection args for the program (plain JSON; the program passes them to the resource). */
    connection(w: World): Record<string, unknown>;
    /** Whether the server can set permission bits (mode tests): the protocol's capability (provider/protocols.ts). */
    supportsMode: boolean;
    /** Whether the server runs commands (validate). */
    supportsExec: boolean;
    /** Starts the target's server if it is not running yet (call in a before() hook). */
    prepare(): Promise<unknown>;
    /** PID of the server's listening process, frozen (SIGSTOP) to prove a preview opens no connection. */
    serverPid(w: World): number;
}

export function targets(): Target[] {
    return [
        {
            name: "sftp (OpenSSH)",
            connection: (w) => sshConnection(w),
            supportsMode: PROTOCOLS.sftp.can.chmod,
            supportsExec: PROTOCOLS.sftp.can.exec,
            prepare: async () => undefined, // the world's sshd runs already
            serverPid: (w) => w.sshd.pid,
        },
        ftpTarget("ftps explicit (vsftpd)", "vsftpdExplicit", "ftps"),
        ftpTarget("ftps explicit (ProFTPD)", "proftpdExplicit", "ftps"),
        ftpTarget("ftps implicit (vsftpd)", "vsftpdImplicit", "ftps-implicit"),
    ];
}

/** A target on one of the FTP servers of ftpServers.ts, started with the world on first use. */
function ftpTarget(name: string, key: FtpServerKey, protocol: FtpProtocol): Target {
    return {
        name,
        connection: (w) => ftpConnection(w, key),
        supportsMode: PROTOCOLS[protocol].can.chmod, // SITE CHMOD, on both vsftpd and ProFTPD
        supportsExec: PROTOCOLS[protocol].can.exec,
        prepare: () => ftpServers(),
        serverPid: (w) => worldFtpServers(w).servers[key].pid,
    };
}
