/**
 * The protocol registry: everything that differs per wire protocol, in one table of data (ground floor: it imports
 * only the capability vocabulary). `check`, the connection helpers, the SDK's `ConnectionArgs.protocol` type and the transport opener
 * (transport/open.ts) all derive from it; adding a protocol means a row here and a transport.
 */
import type { Capabilities, Capability } from "./capabilities";

/** What one protocol is and can do. */
export interface ProtocolInfo {
    /** TCP port when `port` is not given. */
    readonly defaultPort: number;
    /** The transport that speaks it (transport/ssh/ or transport/ftp/), loaded only when a connection is opened. */
    readonly transport: "ssh" | "ftp";
    /** What the protocol can do (a server may still refuse some: its connection says, `Transport.capabilities`). */
    readonly can: Capabilities;
    /** Credentials of which at least one is needed, as named in `ConnectionArgs`. */
    readonly credentials: readonly ("password" | "privateKey" | "agentSocketPath")[];
    /** Sends the password and the files in clear text: refused unless `allowPlaintext`. */
    readonly plaintext: boolean;
    /** One line for docs and messages. */
    readonly description: string;
}

/** What every FTP flavour can do: SITE CHMOD, RNTO over a file, HASH, APPE where the server has them; no more. */
const FTP: Capabilities = {
    chmod: true,
    chown: false,
    exec: false,
    symlinks: false,
    atomicOverwrite: true,
    serverHash: true,
    resume: true,
    sudo: false,
    proxy: false,
};

/** Every supported protocol. */
export const PROTOCOLS = {
    sftp: {
        defaultPort: 22,
        transport: "ssh",
        can: {
            chmod: true,
            chown: true,
            exec: true,
            symlinks: true,
            atomicOverwrite: true,
            serverHash: true,
            resume: true,
            sudo: true,
            proxy: true,
        },
        credentials: ["password", "privateKey", "agentSocketPath"],
        plaintext: false,
        description: "SFTP over SSH",
    },
    ftps: {
        defaultPort: 21,
        transport: "ftp",
        can: FTP,
        credentials: ["password"],
        plaintext: false,
        description: "FTP with explicit TLS (AUTH TLS)",
    },
    "ftps-implicit": {
        defaultPort: 990,
        transport: "ftp",
        can: FTP,
        credentials: ["password"],
        plaintext: false,
        description: "FTP with implicit TLS",
    },
    ftp: {
        defaultPort: 21,
        transport: "ftp",
        can: FTP,
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

/** The protocols that can do `what`, quoted for messages: `"sftp"`, or `"sftp" or "x"`. */
export function protocolsThat(what: Capability): string {
    return PROTOCOL_NAMES.filter((p) => PROTOCOLS[p].can[what])
        .map((p) => `"${p}"`)
        .join(" or ");
}
