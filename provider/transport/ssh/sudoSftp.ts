/**
 * The SFTP session through sudo (`connection.sudo`): the server's sftp-server binary is run by an exec request
 * (`sudo -n /usr/lib/openssh/sftp-server`, as `sftp -s "sudo …" host` does) instead of the `sftp` subsystem request.
 *
 * ssh2 has no public API for this (mscdex/ssh2 issue #287 and #626 answer "use exec"; pull request #1296, which adds
 * a `command` option to `sftp()`, is not merged). Its `Client.sftp()` opens a session channel, wraps it in its SFTP
 * protocol class and sends one `subsystem` request; here that one request is sent as an `exec` of the command
 * instead (both are channel requests answered by CHANNEL_SUCCESS/FAILURE), everything else being ssh2's own
 * code. This leans on ssh2 internals (`Client._protocol.subsystem`/`exec`, stable since 1.0); the package pins ssh2,
 * and the sudo integration test fails if an upgrade breaks it.
 */
import type { Client, SFTPWrapper } from "ssh2";
import { FiledropError } from "../../errors";
import { shellQuote } from "../../shellQuote";
import { execOnce } from "./sftpExec";

/** Where distributions put OpenSSH's sftp-server (Debian/Ubuntu, RHEL/Fedora, Alpine/Arch, macOS/BSD). */
const SFTP_SERVER_PATHS = [
    "/usr/lib/openssh/sftp-server",
    "/usr/libexec/openssh/sftp-server",
    "/usr/lib/ssh/sftp-server",
    "/usr/libexec/sftp-server",
    "/usr/lib/sftp-server",
];

interface ProtocolInternals {
    subsystem(chan: number, name: string, wantReply: boolean): void;
    exec(chan: number, cmd: string, wantReply: boolean): void;
}

/** The path of sftp-server on the server (found as the login user, who can usually see /usr). */
async function findSftpServer(client: Client, where: string): Promise<string> {
    const script = `for p in ${SFTP_SERVER_PATHS.join(" ")}; do if [ -x "$p" ]; then echo "$p"; exit 0; fi; done; exit 1`;
    const r = await execOnce(client, script).catch((e: Error) => {
        throw new FiledropError(
            "UNSUPPORTED",
            `${where} does not allow running commands (${e.message}), which \`sudo\` needs to start the SFTP server; remove \`sudo\` or allow exec for this user.`,
            { cause: e },
        );
    });
    const found = r.stdout.trim().split("\n")[0];
    if (r.code !== 0 || !found) {
        throw new FiledropError(
            "UNSUPPORTED",
            `${where} has no OpenSSH sftp-server binary in ${SFTP_SERVER_PATHS.join(", ")}, which \`sudo\` runs as the SFTP server; install openssh-sftp-server (or openssh-server) there, or remove \`sudo\`.`,
        );
    }
    return found;
}

/** Why sudo refused, in sudo's own words (it says "a password is required" or "not in the sudoers file"). */
async function sudoRefusal(client: Client, prefix: string): Promise<string | undefined> {
    const r = await execOnce(client, `${prefix} true`).catch(() => undefined);
    if (r === undefined || r.code === 0) {
        return undefined;
    }
    return (r.stderr.trim().split("\n").pop() ?? "").slice(0, 300) || `exit code ${r.code}`;
}

/** Opens the SFTP session as `prefix sftp-server` (prefix e.g. "sudo -n" or "sudo -n -u www-data"). */
export async function openSudoSftp(client: Client, prefix: string, where: string): Promise<SFTPWrapper> {
    const server = await findSftpServer(client, where);
    const command = `${prefix} ${shellQuote(server)}`;
    const proto = (client as unknown as { _protocol: ProtocolInternals })._protocol;
    const subsystem = proto.subsystem;
    const restore = () => {
        proto.subsystem = subsystem;
    };
    try {
        return await new Promise<SFTPWrapper>((resolve, reject) => {
            // Only this call's one subsystem request is replaced; the next request (if any) is ssh2's own again.
            proto.subsystem = (chan: number, _name: string, wantReply: boolean) => {
                restore();
                proto.exec(chan, command, wantReply);
            };
            client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)));
        });
    } catch (e) {
        restore();
        const refused = await sudoRefusal(client, prefix);
        const why = refused ?? (e as Error).message;
        throw new FiledropError(
            "PERMISSION_DENIED",
            `${where}: \`${command}\` did not start an SFTP server (${why}); give this user password-less sudo for it (a sudoers rule with NOPASSWD), or remove \`sudo\` from the connection.`,
            { cause: e },
        );
    }
}
