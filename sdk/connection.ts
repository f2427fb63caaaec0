import * as pulumi from "@pulumi/pulumi";
import type { ProxyCredentialInputs, ProxyInputs } from "../provider/connection";
import { type ConnectionInputs, type CredentialInputs, protocolOf } from "../provider/connection";
import { hasLoginCredential } from "../provider/plan/checkInputs";
import type { SameKeys } from "../provider/plan/knownKeys";
import { connectionCredentials, publicConnection } from "../provider/plan/prepareConnection";
import { isProtocol, type Protocol, protocolInfo } from "../provider/protocols";

export { unknownArgs } from "../provider/plan/prepareConnection";

/**
 * How to reach the server. SSH fields use the names of `@pulumi/command`'s `remote.ConnectionArgs`; to give the
 * same connection to `@pulumi/command`, pass it through `commandConnection()` (it keeps only that package's
 * fields, pins the host key as it needs it, and keeps the key secret). Secret fields (`password`, `privateKey`, `privateKeyPassword`) are stored
 * as Pulumi secrets whether or not you wrap them in `pulumi.secret()`. A field not listed here is refused at
 * preview with the closest known name (`hostkey` → `hostKey`), never ignored.
 */
export interface ConnectionArgs {
    /**
     * Wire protocol, one of the protocol registry (provider/protocols.ts): `"sftp"` (SSH), `"ftps"` (explicit
     * AUTH TLS), `"ftps-implicit"`, or `"ftp"` (plaintext, refused unless `allowPlaintext` is set).
     * @default "sftp"
     */
    readonly protocol?: pulumi.Input<Protocol>;
    /** Server name or address. */
    readonly host: pulumi.Input<string>;
    /**
     * TCP port.
     * @default the protocol's `defaultPort` in the protocol registry: 22 for sftp, 21 for ftps and ftp, 990 for
     * ftps-implicit
     */
    readonly port?: pulumi.Input<number>;
    /**
     * User to log in as.
     * @default the local user name ($USER)
     */
    readonly user?: pulumi.Input<string>;
    /** Password (SSH password authentication, or the FTP login). Stored as a secret. */
    readonly password?: pulumi.Input<string>;
    /** Private key in OpenSSH or PEM format (the key text, not a path). Stored as a secret. */
    readonly privateKey?: pulumi.Input<string>;
    /** Passphrase of an encrypted `privateKey`. Stored as a secret. */
    readonly privateKeyPassword?: pulumi.Input<string>;
    /** Path to an ssh-agent socket (for example `process.env.SSH_AUTH_SOCK`). */
    readonly agentSocketPath?: pulumi.Input<string>;
    /**
     * Seconds one connection attempt (TCP connect and handshake) may take.
     * @default 15
     */
    readonly perDialTimeout?: pulumi.Input<number>;
    /**
     * How many connection attempts to make when the server refuses, resets or times out, with exponential
     * backoff in between; -1 for no limit. Authentication and host-key failures are never retried.
     * @default 10
     */
    readonly dialErrorLimit?: pulumi.Input<number>;
    /**
     * The server's SSH host key, pinned: an OpenSSH public key line (`ssh-ed25519 AAAA…`) or its fingerprint
     * (`SHA256:…`, as `ssh-keygen -l` prints it). Takes precedence over `knownHosts`.
     */
    readonly hostKey?: pulumi.Input<string>;
    /**
     * known_hosts to verify the SSH host key against: a file path or the content itself. Hashed (`|1|`) entries,
     * `[host]:port`, wildcards and `@revoked` are understood.
     * @default the user's ~/.ssh/known_hosts
     */
    readonly knownHosts?: pulumi.Input<string>;
    /**
     * Accept any SSH host key without verification.
     * WARNING: anyone who can intercept the connection can then read the credentials and the files. Use only
     * for throwaway test servers.
     * @default false
     */
    readonly insecureAcceptAnyHostKey?: pulumi.Input<boolean>;
    /**
     * PEM certificate(s) of the CA that signed the FTPS server's certificate, instead of the system CAs.
     * @default the system CAs
     */
    readonly ca?: pulumi.Input<string>;
    /** SHA-256 fingerprint of the FTPS server's certificate, pinned (hex, colons allowed). */
    readonly certFingerprint?: pulumi.Input<string>;
    /**
     * Skip verification of the FTPS server's certificate.
     * WARNING: anyone who can intercept the connection can then read the credentials and the files.
     * @default false
     */
    readonly insecureSkipTlsVerify?: pulumi.Input<boolean>;
    /**
     * The server name sent in the FTPS TLS handshake (SNI), when the server needs one other than `host`.
     * @default none (Node sends `host` when it is a name, nothing for an address)
     */
    readonly servername?: pulumi.Input<string>;
    /**
     * Allow `protocol: "ftp"`, which sends the password and the files in clear text.
     * @default false
     */
    readonly allowPlaintext?: pulumi.Input<boolean>;
    /**
     * The most operations run at once on the pooled connection to this server (uploads, stats, hashes). One
     * connection per server is shared by every resource of a deployment.
     * @default 8
     */
    readonly maxSessions?: pulumi.Input<number>;
    /**
     * A bastion (jump) host to reach `host` through, with the fields of `@pulumi/command`'s ProxyConnectionArgs
     * (plus `knownHosts` and `insecureAcceptAnyHostKey`). The bastion's host key is verified like the target's;
     * `host` and `port` are then as the bastion sees them. SFTP only.
     * @default none (connect to `host` directly)
     */
    readonly proxy?: pulumi.Input<ProxyConnectionArgs>;
    /**
     * Run the SFTP server and every command (`validate`, checks, hashing) through sudo, so that a deploy user who
     * is not root can write root-owned paths: `true` runs them with `sudo -n`, a string is the prefix to use
     * instead (for example `"sudo -n -u www-data"`). The user needs password-less sudo (a NOPASSWD sudoers rule)
     * for OpenSSH's `sftp-server` (found at /usr/lib/openssh/sftp-server, /usr/libexec/openssh/sftp-server, …) and
     * `sh`. SFTP only.
     * @default false
     */
    readonly sudo?: pulumi.Input<boolean | string>;
}

/**
 * A bastion (jump) host: `@pulumi/command`'s ProxyConnectionArgs, plus our host key settings. Secret fields are
 * stored as Pulumi secrets.
 */
export interface ProxyConnectionArgs {
    /** The bastion's name or address. */
    readonly host: pulumi.Input<string>;
    /**
     * The bastion's SSH port.
     * @default 22
     */
    readonly port?: pulumi.Input<number>;
    /**
     * User to log in to the bastion as.
     * @default the local user name ($USER)
     */
    readonly user?: pulumi.Input<string>;
    /** Password for the bastion. Stored as a secret. */
    readonly password?: pulumi.Input<string>;
    /** Private key for the bastion (the key text). Stored as a secret. */
    readonly privateKey?: pulumi.Input<string>;
    /** Passphrase of an encrypted `privateKey`. Stored as a secret. */
    readonly privateKeyPassword?: pulumi.Input<string>;
    /**
     * Path to an ssh-agent socket for the bastion login.
     * @default `SSH_AUTH_SOCK` when neither `password` nor `privateKey` is given
     */
    readonly agentSocketPath?: pulumi.Input<string>;
    /** The bastion's SSH host key, pinned: an OpenSSH public key line or its `SHA256:` fingerprint. */
    readonly hostKey?: pulumi.Input<string>;
    /**
     * known_hosts to verify the bastion's host key against: a file path or the content itself.
     * @default the user's ~/.ssh/known_hosts
     */
    readonly knownHosts?: pulumi.Input<string>;
    /**
     * Accept any host key from the bastion. WARNING: anyone who can intercept the connection can then read the
     * bastion's credentials. Use only for throwaway test servers.
     * @default false
     */
    readonly insecureAcceptAnyHostKey?: pulumi.Input<boolean>;
    /**
     * Seconds one connection attempt to the bastion may take.
     * @default 15
     */
    readonly perDialTimeout?: pulumi.Input<number>;
    /**
     * Accepted as in `@pulumi/command`; the dial attempts of the whole route are counted by the connection's own
     * `dialErrorLimit`.
     * @default 10
     */
    readonly dialErrorLimit?: pulumi.Input<number>;
}

/**
 * Splits user connection args into the public part (kept visible in state) and the credentials (always secret).
 * A field that is not a known public one goes to the credentials, also when its value is `undefined` (as `null`):
 * the provider's check refuses it by name (a typo such as `hostkey` must not be dropped here), and a mistyped
 * secret such as `privatekey` is never shown or stored in clear on the way.
 */
export function splitConnection(
    args: pulumi.Input<ConnectionArgs>,
    resourceName: string,
): {
    connection: pulumi.Output<ConnectionInputs>;
    credentials: pulumi.Output<CredentialInputs>;
} {
    const all = pulumi.output(args) as unknown as pulumi.Output<Record<string, unknown>>;
    const connection = pulumi.unsecret(
        all.apply((c) => {
            const pub = publicConnection(c);
            warnInsecure(pub, resourceName);
            return pub as unknown as ConnectionInputs;
        }),
    );
    const credentials = pulumi.secret(
        all.apply((c) => {
            const creds = connectionCredentials(c);
            noteMissingCredential(c as unknown as ConnectionInputs, creds as CredentialInputs);
            return creds as CredentialInputs;
        }),
    );
    return { connection, credentials };
}

let toldMissingCredential = false;

/**
 * A preview needs no connection, so it runs without credentials (a pull request job without the deploy key); this
 * says so once per program run. `up` still refuses, at check, naming the missing field.
 */
function noteMissingCredential(c: ConnectionInputs, creds: CredentialInputs): void {
    const protocol = protocolOf(c);
    if (toldMissingCredential || !pulumi.runtime.isDryRun() || !isProtocol(protocol)) {
        return;
    }
    if (!hasLoginCredential(c, creds)) {
        toldMissingCredential = true;
        const fields = protocolInfo(protocol).credentials.join(", ");
        void pulumi.log.warn(
            `filedrop: no credential is given for ${c.host} (${fields}), so this preview connects nowhere and shows the changes from the program and the state alone; \`pulumi up\` needs the credential.`,
        );
    }
}

function warnInsecure(c: Record<string, unknown>, name: string): void {
    if (c.insecureAcceptAnyHostKey === true) {
        void pulumi.log.warn(
            `${name}: insecureAcceptAnyHostKey is set: the SSH host key of ${c.host} is not verified.`,
        );
    }
    const proxy = c.proxy as Record<string, unknown> | undefined;
    if (proxy?.insecureAcceptAnyHostKey === true) {
        void pulumi.log.warn(
            `${name}: proxy.insecureAcceptAnyHostKey is set: the SSH host key of the bastion ${proxy.host} is not verified.`,
        );
    }
    if (c.insecureSkipTlsVerify === true) {
        void pulumi.log.warn(
            `${name}: insecureSkipTlsVerify is set: the TLS certificate of ${c.host} is not verified.`,
        );
    }
    if (isProtocol(c.protocol) && protocolInfo(c.protocol).plaintext && c.allowPlaintext === true) {
        void pulumi.log.warn(
            `${name}: protocol "${c.protocol}" sends the password and the file content to ${c.host} in clear text.`,
        );
    }
}

/** Compile-time proof that the documented fields are exactly the ones the provider knows. */
const connectionFieldsMatch: SameKeys<ConnectionArgs, ConnectionInputs & CredentialInputs> = true;
void connectionFieldsMatch;
const proxyFieldsMatch: SameKeys<ProxyConnectionArgs, ProxyInputs & ProxyCredentialInputs> = true;
void proxyFieldsMatch;
