/**
 * What a protocol, and a server behind it, can do: the one vocabulary for protocol questions. The protocol registry
 * (protocols.ts) says it per protocol; a connection (`Transport.capabilities`) says what its server allows of it,
 * found when it opens. Checks, handlers, the SDK and the test harness ask here, never by a protocol's name.
 */
export interface Capabilities {
    /** Permission bits can be set (SFTP setstat, FTP SITE CHMOD); without it a file keeps the server's mode. */
    readonly chmod: boolean;
    /** Owner and group can be set (`uid`, `gid`, `owner`, `group`). */
    readonly chown: boolean;
    /** Commands can be run (`validate`, `validateInPlace`, owner names, batched server-side hashing). */
    readonly exec: boolean;
    /** Symlinks can be read and resolved (a RemoteFile at a link writes the link's target). */
    readonly symlinks: boolean;
    /** A rename can replace an existing file in one step (else ops/replace.ts moves the old file aside first). */
    readonly atomicOverwrite: boolean;
    /** The server can hash a file itself (SSH exec of a hasher, FTP HASH); else the file is read back. */
    readonly serverHash: boolean;
    /** An interrupted upload can be continued from where it stopped (SFTP write at offset, FTP APPE). */
    readonly resume: boolean;
    /** The transfer can run as another user through `sudo`. */
    readonly sudo: boolean;
    /** The connection can go through a bastion (`proxy`). */
    readonly proxy: boolean;
}

/** One thing a protocol or server can do. */
export type Capability = keyof Capabilities;
