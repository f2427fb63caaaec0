/**
 * What scripts/servers/install.sh set up on this machine (packages, the test users and their password), read once
 * per process. The script is the only shell part of the harness; it runs under a lock and is quick when nothing is
 * missing.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO } from "./paths";

/** The server binaries and test accounts of this machine. */
export interface Installed {
    /** Path of OpenSSH's sshd. */
    readonly sshd: string;
    /** Path of vsftpd (installed, or unpacked into /var/cache/filedrop-ftp). */
    readonly vsftpd: string;
    /** Path of proftpd. */
    readonly proftpd: string;
    /** Folder of ProFTPD's modules (mod_tls.so, mod_digest.so). */
    readonly proftpdModules: string;
    /** The login user every server accepts. */
    readonly user: LoginUser;
    /** A second, unprivileged login user (for ownership and permission cases). */
    readonly otherUser: LoginUser;
}

/** A local account the servers log in. */
export interface LoginUser {
    readonly name: string;
    readonly password: string;
    readonly uid: number;
    readonly gid: number;
    readonly home: string;
}

let installed: Installed | undefined;

function loginUser(name: string, password: string): LoginUser {
    const line = fs
        .readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .find((l) => l.startsWith(`${name}:`));
    if (!line) {
        throw new Error(`user ${name} is missing after scripts/servers/install.sh`);
    }
    const f = line.split(":");
    return { name, password, uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
}

/** Runs scripts/servers/install.sh on first call (up to 15 minutes on a fresh machine) and returns what it set up. */
export function ensureInstalled(): Installed {
    if (installed) {
        return installed;
    }
    const out = execFileSync("bash", [path.join(REPO, "scripts/servers/install.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", process.env.FILEDROP_HARNESS_VERBOSE ? "inherit" : "pipe"],
        timeout: 15 * 60 * 1000,
    });
    const d = JSON.parse(out.trim().split("\n").pop()!) as {
        sshd: string;
        vsftpd: string;
        proftpd: string;
        proftpdModules: string;
        users: [string, string];
        passwordFile: string;
    };
    const password = fs.readFileSync(d.passwordFile, "utf8").trim();
    installed = {
        sshd: d.sshd,
        vsftpd: d.vsftpd,
        proftpd: d.proftpd,
        proftpdModules: d.proftpdModules,
        user: loginUser(d.users[0], password),
        otherUser: loginUser(d.users[1], password),
    };
    return installed;
}
