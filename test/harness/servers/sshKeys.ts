/** Throwaway SSH keys made with ssh-keygen: host keys for a test sshd, client keys for its login user. */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** A key pair on disk. */
export interface KeyPair {
    /** Private key file (OpenSSH format). */
    readonly privatePath: string;
    /** `type base64` of the public key. */
    readonly publicKey: string;
    /** `SHA256:…` as ssh-keygen -l prints it. */
    readonly fingerprint: string;
}

/** Makes `dir/name` (+ .pub), with `passphrase` ("" for none). An existing pair of that name is replaced. */
export function makeKeyPair(
    dir: string,
    name: string,
    type: "ed25519" | "rsa",
    passphrase = "",
    comment = `filedrop-test-${name}`,
): KeyPair {
    const file = path.join(dir, name);
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.pub`, { force: true });
    execFileSync(
        "ssh-keygen",
        ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", passphrase, "-C", comment, "-f", file],
        { stdio: "ignore" },
    );
    const publicKey = fs.readFileSync(`${file}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
    const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`], {
        encoding: "utf8",
    }).split(" ")[1];
    return { privatePath: file, publicKey, fingerprint };
}

/** A random passphrase for an encrypted test key. */
export function randomPassphrase(): string {
    return randomBytes(12).toString("base64url");
}
