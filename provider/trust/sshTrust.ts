/**
 * Decides whether to trust the host key an SSH server presents, from the connection's `hostKey`,
 * `knownHosts` or the user's ~/.ssh/known_hosts, and words the refusal.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type ConnectionInputs, endpointUrl, portOf } from "../connection";
import { FiledropError } from "../errors";
import {
    fingerprintOf,
    hostKeyAlgorithmsOf,
    keyBlobOf,
    keyTypeOf,
    knownHostsName,
    knownKeyTypes,
    pinMatches,
    verifyKnownHosts,
} from "./hostKeys";

/** known_hosts content from a `knownHosts` value: a path to a file, or the content itself. */
export function knownHostsContent(knownHosts: string | undefined): { content: string; source: string } {
    if (knownHosts !== undefined && /\s/.test(knownHosts.trim())) {
        return { content: knownHosts, source: "the `knownHosts` content" };
    }
    const file = knownHosts ?? path.join(os.homedir(), ".ssh", "known_hosts");
    try {
        return { content: fs.readFileSync(file, "utf8"), source: file };
    } catch {
        return { content: "", source: file };
    }
}

/**
 * Checks the presented key; returns undefined when trusted, else the error to raise.
 * `insecureAcceptAnyHostKey` accepts anything (the SDK warns about it).
 */
export function checkHostKey(c: ConnectionInputs, presented: Buffer): FiledropError | undefined {
    if (c.insecureAcceptAnyHostKey === true) {
        return undefined;
    }
    const where = endpointUrl(c);
    const fp = fingerprintOf(presented);
    if (c.hostKey !== undefined) {
        if (pinMatches(c.hostKey, presented)) {
            return undefined;
        }
        const pinned = keyBlobOf(c.hostKey);
        if (pinned !== undefined && keyTypeOf(pinned) !== keyTypeOf(presented)) {
            // The pinned type was asked for first (hostKeyAlgorithmsFor): the server does not offer it. Not a sign
            // of interception; never advise replacing a pin that may be right.
            return new FiledropError(
                "HOST_KEY_UNKNOWN",
                `${where} presented a ${keyTypeOf(presented)} host key (${fp}) and offers no ${keyTypeOf(pinned)} key like the pinned \`hostKey\`; ` +
                    `verify the presented key out of band, then set \`hostKey\` to "${fp}".`,
            );
        }
        return new FiledropError(
            "HOST_KEY_MISMATCH",
            `Host key for ${where} is ${fp}, which does not match the pinned \`hostKey\`; ` +
                `if the server was re-keyed on purpose, set \`hostKey\` to "${fp}", otherwise do not connect: ` +
                `someone may be intercepting the connection.`,
        );
    }
    const { content, source } = knownHostsContent(c.knownHosts);
    const name = knownHostsName(c.host, portOf(c));
    switch (verifyKnownHosts(content, c.host, portOf(c), presented)) {
        case "match":
            return undefined;
        case "revoked":
            return new FiledropError(
                "HOST_KEY_REVOKED",
                `Host key ${fp} presented by ${where} is marked @revoked in ${source}; refusing to connect.`,
            );
        case "mismatch":
            return new FiledropError(
                "HOST_KEY_MISMATCH",
                `Host key for ${where} is ${fp}, which does not match the key recorded for ${name} in ${source}; ` +
                    `if the server was re-keyed on purpose, update that entry (ssh-keygen -R '${name}') or set ` +
                    `\`hostKey\` to "${fp}", otherwise do not connect: someone may be intercepting the connection.`,
            );
        case "otherType":
            // Not a changed key: the host is known with keys of other types only. Never advise removing them.
            return new FiledropError(
                "HOST_KEY_UNKNOWN",
                `${where} presented a ${keyTypeOf(presented)} host key (${fp}), and ${source} records only ` +
                    `${knownKeyTypes(content, c.host, portOf(c)).join(", ")} key(s) for ${name}, which the server did not offer. ` +
                    `Verify the new key out of band, then add it (ssh-keyscan -t ${keyTypeOf(presented).replace(/^ssh-/, "")} -p ${portOf(c)} ${c.host}) ` +
                    `or set \`hostKey\` to "${fp}".`,
            );
        case "unknown":
            return new FiledropError(
                "HOST_KEY_UNKNOWN",
                `Host ${name} is not in ${source}; the server presented host key ${fp}. ` +
                    `Verify it out of band, then set \`hostKey\` to "${fp}" or add the host to known_hosts ` +
                    `(ssh-keyscan -p ${portOf(c)} ${c.host}).`,
            );
    }
}

/**
 * The host key algorithms to ask the server for, OpenSSH's way: those of the key types already known for the host
 * (the pinned `hostKey` line, else its known_hosts entries) first, then ssh2's defaults. As an ssh2
 * `algorithms.serverHostKey` value; undefined (ssh2's defaults) when nothing is known or any key is accepted.
 * A `SHA256:` fingerprint pin names no key type: then the defaults apply.
 */
export function hostKeyAlgorithmsFor(c: ConnectionInputs): { remove: string[]; prepend: string[] } | undefined {
    if (c.insecureAcceptAnyHostKey === true) {
        return undefined;
    }
    let types: string[];
    if (c.hostKey !== undefined) {
        const blob = keyBlobOf(c.hostKey);
        types = blob === undefined ? [] : [keyTypeOf(blob)];
    } else {
        types = knownKeyTypes(knownHostsContent(c.knownHosts).content, c.host, portOf(c));
    }
    const preferred = [...new Set(types.flatMap(hostKeyAlgorithmsOf))];
    // ssh2 applies the keys in order: the known algorithms are taken out of the default list, then put in front.
    return preferred.length === 0 ? undefined : { remove: preferred, prepend: preferred };
}
