/**
 * `commandConnection()`: our `connection` as `@pulumi/command`'s `remote.ConnectionArgs` (issue 19 item 6). That
 * plugin refuses any field it does not know (`Unrecognized field 'sudo'`) and prints the whole object in its error,
 * private key included and in clear even when it was a `pulumi.secret`; so we hand it only its own fields, with
 * the host key it needs as a key line, and as a secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { type ConnectionInputs, type CredentialInputs, portOf, protocolOf, userOf } from "../provider/connection";
import { FiledropError } from "../provider/errors";
import { fingerprintOf, keyBlobOf, knownHostKeyLines, knownHostsName } from "../provider/trust/hostKeys";
import { knownHostsContent } from "../provider/trust/sshTrust";
import type { ConnectionArgs } from "./connection";

/**
 * A bastion for `@pulumi/command`: exactly the fields of its `remote.ProxyConnectionArgs` (v1.2.1), plain values.
 */
export interface CommandProxyConnection {
    /** The bastion's name or address. */
    readonly host: string;
    /** The bastion's SSH port. @default 22 */
    readonly port?: number;
    /** User to log in to the bastion as; filled in with ours (the local user name) when not given. */
    readonly user?: string;
    /** Password for the bastion (the whole object is then a Pulumi secret). */
    readonly password?: string;
    /** Private key for the bastion, the key text (the whole object is then a Pulumi secret). */
    readonly privateKey?: string;
    /** Passphrase of an encrypted `privateKey`. */
    readonly privateKeyPassword?: string;
    /** Path to an ssh-agent socket. */
    readonly agentSocketPath?: string;
    /** Seconds one connection attempt may take. @default 15 */
    readonly perDialTimeout?: number;
    /** Connection attempts; -1 for no limit. @default 10 */
    readonly dialErrorLimit?: number;
    /** The bastion's host key as an OpenSSH public key line, the only form `@pulumi/command` checks. */
    readonly hostKey?: string;
}

/**
 * A connection for `@pulumi/command`: exactly the fields of its `remote.ConnectionArgs` (v1.2.1), plain values.
 */
export interface CommandConnection extends Omit<CommandProxyConnection, "port"> {
    /** SSH port. @default 22 */
    readonly port?: number;
    /** The bastion to go through, when our connection has `proxy`. */
    readonly proxy?: CommandProxyConnection;
}

/** The fields `@pulumi/command` accepts (its ConnectionArgs; the compiler insists on every key). */
const COMMAND_FIELDS: { readonly [K in keyof Required<CommandConnection>]: true } = {
    host: true,
    port: true,
    user: true,
    password: true,
    privateKey: true,
    privateKeyPassword: true,
    agentSocketPath: true,
    perDialTimeout: true,
    dialErrorLimit: true,
    hostKey: true,
    proxy: true,
};

/** A connection as the program holds it: every `pulumi.Input` resolved, secrets and public fields side by side. */
type PlainConnection = ConnectionInputs & CredentialInputs;

/**
 * The host key `@pulumi/command` should pin, as an OpenSSH key line: `hostKey` when it is one; else the key of that
 * `SHA256:` fingerprint, or the strongest key, that `knownHosts` (default ~/.ssh/known_hosts) records for the host.
 * Undefined only with `insecureAcceptAnyHostKey`. Throws when there is none: without `hostKey` that plugin checks no
 * host key at all.
 */
function hostKeyLine(c: ConnectionInputs, what: string): string | undefined {
    if (c.hostKey !== undefined && keyBlobOf(c.hostKey) !== undefined) {
        return c.hostKey.trim();
    }
    if (c.hostKey === undefined && c.insecureAcceptAnyHostKey === true) {
        return undefined;
    }
    const port = portOf(c);
    const known = knownHostsContent(c.knownHosts);
    const lines = knownHostKeyLines(known.content, c.host, port);
    const pinned = c.hostKey?.trim().replace(/=+$/, "");
    const line = pinned === undefined ? lines[0] : lines.find((l) => fingerprintOf(keyBlobOf(l)!) === pinned);
    if (line !== undefined) {
        return line;
    }
    const name = knownHostsName(c.host, port);
    const wanted = pinned === undefined ? "key" : `key ${pinned}`;
    throw new FiledropError(
        "HOST_KEY_UNKNOWN",
        `commandConnection: ${what} needs its host key as an OpenSSH public key line for @pulumi/command, which checks no host key without one and refuses a SHA256: fingerprint, and ${known.source} has no ${wanted} for ${name}; set \`hostKey\` to the server's key line (\`ssh-keyscan -p ${port} ${c.host}\`, or its /etc/ssh/ssh_host_ed25519_key.pub).`,
    );
}

/** Only `@pulumi/command`'s fields of a connection or bastion, user and host key filled in as ours would be. */
function commandFields(c: PlainConnection, what: string): CommandConnection {
    const hostKey = hostKeyLine(c, what);
    const out: Record<string, unknown> = { ...(hostKey === undefined ? {} : { hostKey }) };
    for (const k of Object.keys(COMMAND_FIELDS) as (keyof CommandConnection)[]) {
        if (k !== "proxy" && k !== "hostKey" && c[k] !== undefined && c[k] !== null) {
            out[k] = c[k];
        }
    }
    // @pulumi/command logs in as root when no user is given; we log in as the local user, like ssh.
    out.user = userOf(c);
    return out as unknown as CommandConnection;
}

/**
 * The pure part of {@link commandConnection}, on resolved values (unit-tested): throws a FiledropError for a
 * connection `@pulumi/command` cannot use safely (not SSH, or no host key to pin).
 */
export function commandConnectionOf(c: PlainConnection): CommandConnection {
    const protocol = protocolOf(c);
    if (protocol !== "sftp") {
        throw new FiledropError(
            "UNSUPPORTED",
            `commandConnection: @pulumi/command runs commands over SSH, and this connection to ${c.host} is ${protocol}; give it an SSH connection (protocol "sftp").`,
        );
    }
    const out = commandFields(c, `the connection to ${c.host}`);
    if (c.proxy === undefined || c.proxy === null) {
        return out;
    }
    const proxy = commandFields({ ...c.proxy, protocol: "sftp" }, `the bastion ${c.proxy.host}`);
    return { ...out, proxy };
}

/** Whether a connection for `@pulumi/command` carries a password or key (its own or its bastion's). */
function hasSecret(c: CommandConnection): boolean {
    const secret = (p: CommandProxyConnection | undefined) =>
        p?.password !== undefined || p?.privateKey !== undefined || p?.privateKeyPassword !== undefined;
    return secret(c) || secret(c.proxy);
}

/**
 * Our `connection`, for `@pulumi/command`'s `remote.Command` (and `CopyToRemote`) on the same server: the one way
 * to share a connection between the two packages. It keeps only the fields `@pulumi/command` accepts (it refuses
 * any other, such as `knownHosts`, `sudo` or `protocol`, and prints the whole object, private key included, in
 * its error), and returns them as a Pulumi secret whenever a password or key is in it.
 *
 * Host keys stay verified: `@pulumi/command` checks no host key unless `hostKey` is an OpenSSH public key line, so
 * a `SHA256:` fingerprint, or a `knownHosts` (default ~/.ssh/known_hosts), is turned into the key line
 * known_hosts has for the host (and likewise for `proxy`); with none there, it fails and says how to pin the key.
 * The user is filled in (ours defaults to the local user name, `@pulumi/command`'s to root). `sudo` is ours
 * alone: prefix the command with `sudo` yourself. SSH only.
 *
 * @example
 * ```ts
 * const connection = { host: "10.0.0.5", user: "deploy", privateKey: key, knownHosts: "./known_hosts", sudo: true };
 * const site = new RemoteFile("site", { connection, path: "/etc/nginx/conf.d/app.conf", source: "./app.conf" });
 * new remote.Command("reload", {
 *     connection: commandConnection(connection),
 *     create: "sudo systemctl reload nginx",
 *     triggers: [site.writeId],
 * }, { dependsOn: [site] });
 * ```
 */
export function commandConnection(connection: pulumi.Input<ConnectionArgs>): pulumi.Output<CommandConnection> {
    return pulumi.output(connection).apply((c) => {
        const out = commandConnectionOf(c as unknown as PlainConnection);
        return hasSecret(out) ? pulumi.secret(out) : pulumi.output(out);
    });
}
