/**
 * The other tools a user could run instead, on the same sshd with the same key, as whole commands: OpenSSH `sftp`
 * (default cipher, and aes128-gcm, the cipher ssh2 negotiates), lftp and rclone where installed. Each returns the
 * command's wall time in ms; the caller verifies what it wrote.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { Servers } from "../../test/harness/world";

/** Whether `cmd` is on PATH. */
export function installed(cmd: string): boolean {
    try {
        execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

function timed(cmd: string, args: string[], timeoutMs = 300_000): number {
    const t0 = performance.now();
    execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], timeout: timeoutMs });
    return performance.now() - t0;
}

/** `sftp -b` running `lines` (batch commands), with the cipher if given. */
export function openSsh(w: Servers, scratch: string, lines: string[], cipher?: string): number {
    const batch = path.join(scratch, "sftp-batch");
    fs.writeFileSync(batch, `${lines.join("\n")}\n`);
    const s = w.sshd;
    return timed("sftp", [
        "-q",
        "-b",
        batch,
        ...(cipher ? ["-c", cipher] : []),
        "-i",
        s.privateKeyPath,
        "-o",
        `UserKnownHostsFile=${s.knownHostsPath}`,
        "-o",
        "BatchMode=yes",
        "-P",
        String(s.port),
        `${s.user}@${s.host}`,
    ]);
}

/** `lftp -c` over sftp:// (lftp runs OpenSSH's ssh with the key), running `command` after opening. */
export function lftp(w: Servers, command: string): number {
    const s = w.sshd;
    const ssh = `ssh -a -x -i ${s.privateKeyPath} -o UserKnownHostsFile=${s.knownHostsPath} -o BatchMode=yes`;
    return timed("lftp", [
        "-c",
        `set sftp:connect-program "${ssh}"; set cmd:fail-exit yes; open -u ${s.user}, -p ${s.port} sftp://${s.host}; ${command}`,
    ]);
}

/** `rclone <args...>` with `:sftp,…:` standing for the sshd as a connection string and an empty config. */
export function rclone(w: Servers, scratch: string, args: string[]): number {
    const s = w.sshd;
    const remote = `:sftp,host=${s.host},port=${s.port},user=${s.user},key_file=${s.privateKeyPath},known_hosts_file=${s.knownHostsPath}:`;
    const conf = path.join(scratch, "rclone.conf");
    fs.writeFileSync(conf, "");
    return timed("rclone", ["--config", conf, ...args.map((a) => a.replace(/^:sftp:/, remote))]);
}
