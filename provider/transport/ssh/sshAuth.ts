/**
 * How an SSH login authenticates, and what an authentication failure says. With no password, private key or
 * `agentSocketPath` given, the agent in `SSH_AUTH_SOCK` is used, as ssh does. A failure names the methods tried and
 * the agent's keys by fingerprint and comment (public facts), never a secret.
 */
import { createHash } from "node:crypto";
import type { ParsedKey } from "ssh2";
import { FiledropError } from "../../errors";

/** The credentials of one SSH login (the target, or a bastion). */
export interface SshLogin {
    readonly user: string;
    readonly password?: string;
    readonly privateKey?: string;
    readonly privateKeyPassword?: string;
    readonly agentSocketPath?: string;
}

/** The agent socket a login uses: the one given, else `SSH_AUTH_SOCK` when no other credential is given. */
export function agentFor(login: SshLogin, env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (login.agentSocketPath !== undefined) {
        return login.agentSocketPath;
    }
    if (login.password === undefined && login.privateKey === undefined) {
        const sock = env.SSH_AUTH_SOCK;
        return sock !== undefined && sock !== "" ? sock : undefined;
    }
    return undefined;
}

/** The ssh2 connect options for a login. */
export function authOptions(login: SshLogin): {
    username: string;
    password?: string;
    privateKey?: string;
    passphrase?: string;
    agent?: string;
} {
    return {
        username: login.user,
        password: login.password,
        privateKey: login.privateKey,
        passphrase: login.privateKeyPassword,
        agent: agentFor(login),
    };
}

/** `SHA256:…` of a public key blob, as ssh-keygen -l prints it. */
export function fingerprintOf(blob: Buffer): string {
    return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The agent's keys as "SHA256:… (comment)", or why they cannot be listed; at most 2 s. */
export function agentIdentities(sock: string): Promise<string> {
    const { OpenSSHAgent } = require("ssh2") as typeof import("ssh2");
    return new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve("the agent did not answer"), 2000);
        new OpenSSHAgent(sock).getIdentities((err, keys) => {
            clearTimeout(timer);
            if (err || keys === undefined) {
                resolve(`the agent at ${sock} cannot be reached (${err?.message ?? "no answer"})`);
                return;
            }
            if (keys.length === 0) {
                resolve(`the agent at ${sock} holds no keys`);
                return;
            }
            const names = (keys as ParsedKey[]).map(
                (k) => `${fingerprintOf(k.getPublicSSH())}${k.comment ? ` (${k.comment})` : ""}`,
            );
            resolve(`agent keys ${names.join(", ")}`);
        });
    });
}

/** The AUTH_FAILED error of a login that the server refused: which methods and agent keys were tried. */
export async function authFailure(login: SshLogin, where: string, cause: unknown): Promise<FiledropError> {
    const agent = agentFor(login);
    const tried = [
        login.password !== undefined && "password",
        login.privateKey !== undefined && "private key",
        agent !== undefined && (await agentIdentities(agent)),
    ].filter((t): t is string => typeof t === "string");
    const fix =
        agent === undefined && login.password === undefined && login.privateKey === undefined
            ? "set `password`, `privateKey` or `agentSocketPath`, or start an ssh-agent (SSH_AUTH_SOCK) holding a key the server accepts"
            : "check the password, private key or the keys in the agent (`ssh-add -l`) against the server's authorized_keys";
    return new FiledropError(
        "AUTH_FAILED",
        `Authentication as ${login.user} to ${where} failed (tried: ${tried.join("; ") || "nothing"}); ${fix}.`,
        { cause },
    );
}
