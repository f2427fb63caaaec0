/**
 * Check of the SSH-only connection settings of issue 10: `proxy` (a bastion) and `sudo`. Both are refused for the
 * FTP protocols, where they could not be honoured (ignoring them would connect another way than asked, or write as
 * another user than asked). Pure functions, like checkInputs.ts; unknown values are skipped.
 */

import type { CheckFailure } from "../checkFailure";
import type { ConnectionInputs, CredentialInputs } from "../connection";
import { type Protocol, protocolInfo, protocolsThat } from "../protocols";
import { isValidPin } from "../trust/hostKeys";
import { isKnown } from "../unknown";

/** True when an ssh-agent is announced in the environment (SSH_AUTH_SOCK), which SSH logins then use by default. */
export function hasDefaultAgent(env: NodeJS.ProcessEnv = process.env): boolean {
    return typeof env.SSH_AUTH_SOCK === "string" && env.SSH_AUTH_SOCK !== "";
}

/** Problems with `proxy` and `sudo`. */
export function sshExtrasFailures(
    c: ConnectionInputs,
    protocol: Protocol,
    creds: CredentialInputs | undefined,
): CheckFailure[] {
    const f: CheckFailure[] = [];
    if (isKnown(c.sudo) && c.sudo !== undefined && c.sudo !== false) {
        if (!protocolInfo(protocol).can.sudo) {
            f.push({
                property: "connection.sudo",
                reason: `works only with protocol ${protocolsThat("sudo")} (an FTP server has no way to run the transfer as another user); remove it, or give the FTP user the rights on the target folder`,
            });
        } else if (c.sudo !== true && (typeof c.sudo !== "string" || c.sudo.trim() === "")) {
            f.push({
                property: "connection.sudo",
                reason: 'must be true (for "sudo -n") or a command prefix such as "sudo -n -u www-data"',
            });
        }
    }
    const p = c.proxy as unknown;
    if (!isKnown(p) || p === undefined) {
        return f;
    }
    if (!protocolInfo(protocol).can.proxy) {
        f.push({
            property: "connection.proxy",
            reason: `works only with protocol ${protocolsThat("proxy")} (a bastion forwards one SSH connection; FTP needs several); remove it and make the FTP server reachable directly`,
        });
        return f;
    }
    if (typeof p !== "object" || p === null) {
        f.push({ property: "connection.proxy", reason: "must be an object with at least `host` (the bastion)" });
        return f;
    }
    const proxy = c.proxy!;
    if (isKnown(proxy.host) && (typeof proxy.host !== "string" || proxy.host.trim() === "")) {
        f.push({ property: "connection.proxy.host", reason: "is required: the bastion's name or address" });
    }
    if (
        isKnown(proxy.port) &&
        proxy.port !== undefined &&
        !(Number.isInteger(proxy.port) && proxy.port > 0 && proxy.port < 65536)
    ) {
        f.push({
            property: "connection.proxy.port",
            reason: `must be a TCP port number (1-65535); got ${proxy.port}`,
        });
    }
    if (isKnown(proxy.hostKey) && proxy.hostKey !== undefined && !isValidPin(proxy.hostKey)) {
        f.push({
            property: "connection.proxy.hostKey",
            reason: 'must be an OpenSSH public key line ("ssh-ed25519 AAAA...") or a fingerprint ("SHA256:...")',
        });
    }
    const pc = creds?.proxy;
    if (
        creds !== undefined &&
        isKnown(pc) &&
        proxy.agentSocketPath === undefined &&
        pc?.password === undefined &&
        pc?.privateKey === undefined &&
        !hasDefaultAgent()
    ) {
        f.push({
            property: "connection.proxy",
            reason: "has no credential for the bastion: set `password`, `privateKey` or `agentSocketPath` in `proxy`, or start an ssh-agent (SSH_AUTH_SOCK) before `pulumi up`",
        });
    }
    return f;
}
