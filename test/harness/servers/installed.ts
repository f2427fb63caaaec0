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
    /** Path of OpenSSH's sshd, as install.sh found it (servers start `serverBinary("sshd")`, which checks it). */
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

/** The server programs the harness runs; each has an override, FILEDROP_<NAME>_BIN (e.g. FILEDROP_PROFTPD_BIN). */
export type ServerBinary = "sshd" | "vsftpd" | "proftpd" | "nginx";

/** Where Debian's nginx-light puts nginx (install.sh installs it). */
const NGINX = "/usr/sbin/nginx";

/** The environment variable that overrides where `name` is: FILEDROP_SSHD_BIN, FILEDROP_VSFTPD_BIN, … */
export const binaryOverride = (name: ServerBinary): string => `FILEDROP_${name.toUpperCase()}_BIN`;

/**
 * The path of a server program, checked to be there and executable now: a package removed since install.sh ran
 * (another `apt-get install` of a conflicting FTP server does that) fails the server's start at once, naming the
 * program, instead of a readiness wait. `FILEDROP_<NAME>_BIN` (e.g. FILEDROP_PROFTPD_BIN=/opt/proftpd/sbin/proftpd)
 * runs another build of it.
 * @default the path install.sh reported (nginx: /usr/sbin/nginx)
 */
export function serverBinary(name: ServerBinary): string {
    const variable = binaryOverride(name);
    const overridden = process.env[variable];
    const found = overridden || (name === "nginx" ? NGINX : ensureInstalled()[name]);
    try {
        fs.accessSync(found, fs.constants.X_OK);
    } catch (e) {
        const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "is not executable";
        const fix = overridden
            ? `fix or unset ${variable}`
            : `run \`bash scripts/servers/install.sh\` again (another apt-get install may have removed its package), or point ${variable} at a ${name}`;
        throw new Error(`${name} cannot start: ${found} ${why}; ${fix}.`);
    }
    return found;
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
