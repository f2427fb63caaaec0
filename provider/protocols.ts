/**
 * The protocol registry: everything that differs per wire protocol, in one table of data (ground floor: it imports
 * nothing). `check`, the connection helpers, the SDK's `ConnectionArgs.protocol` type and the transport opener
 * (transport/open.ts) all derive from it; adding a protocol means a row here and a transport.
 */

/** What one protocol is and can do. */
export interface ProtocolInfo {
    /** TCP port when `port` is not given. */
    readonly defaultPort: number;
    /** The transport that speaks it (transport/ssh/ or transport/ftp/), loaded only when a connection is opened. */
    readonly transport: "ssh" | "ftp";
    /** The server can run commands (`validate`, server-side hashing). */
    readonly exec: boolean;
    /** The owner and group of a file can be set (`uid`, `gid`). */
    readonly chown: boolean;
    /** Credentials of which at least one is needed, as named in `ConnectionArgs`. */
    readonly credentials: readonly ("password" | "privateKey" | "agentSocketPath")[];
    /** Sends the password and the files in clear text: refused unless `allowPlaintext`. */
    readonly plaintext: boolean;
    /** One line for docs and messages. */
    readonly description: string;
}

/** Every supported protocol. */
export const PROTOCOLS = {
    sftp: {
        defaultPort: 22,
        transport: "ssh",
        exec: true,
        chown: true,
        credentials: ["password", "privateKey", "agentSocketPath"],
        plaintext: false,
        description: "SFTP over SSH",
    },
    ftps: {
        defaultPort: 21,
        transport: "ftp",
        exec: false,
        chown: false,
        credentials: ["password"],
        plaintext: false,
        description: "FTP with explicit TLS (AUTH TLS)",
    },
    "ftps-implicit": {
        defaultPort: 990,
        transport: "ftp",
        exec: false,
        chown: false,
        credentials: ["password"],
        plaintext: false,
        description: "FTP with implicit TLS",
    },
    ftp: {
        defaultPort: 21,
        transport: "ftp",
        exec: false,
        chown: false,
        credentials: ["password"],
        plaintext: true,
        description: "plain FTP (clear text)",
    },
} as const satisfies Record<string, ProtocolInfo>;

/** Wire protocols. */
export type Protocol = keyof typeof PROTOCOLS;

/** The names of the supported protocols, in the registry's order. */
export const PROTOCOL_NAMES = Object.keys(PROTOCOLS) as Protocol[];

/** True for a protocol of the registry. */
export function isProtocol(p: unknown): p is Protocol {
    return typeof p === "string" && Object.hasOwn(PROTOCOLS, p);
}

/** The registry row of a protocol. */
export function protocolInfo(p: Protocol): ProtocolInfo {
    return PROTOCOLS[p];
}
