/**
 * Every default value of pulumi-filedrop, each with why it is what it is. Inputs are defaulted once, by the
 * handlers' `check` (see `withFileDefaults` and friends in the handlers); the SDK passes what the user gave.
 * The SDK's TSDoc `@default` lines name these values.
 */

/** SFTP: the protocol every server with SSH already has, and the only one that can verify by exec and chown. */
export const DEFAULT_PROTOCOL = "sftp" as const;

/** `mkdir -p` like behaviour: the common case, and what was created is recorded and removed on destroy. */
export const DEFAULT_CREATE_PARENTS = true;

/**
 * A RemoteFile with no `onDelete`: destroy deletes a file the stack created and restores one it adopted (it was at
 * the path before the first write), so destroy never removes data the stack did not create. Check leaves the input
 * unset, so that an explicit `"delete"` of an adopted file can be told from the default.
 */
export const DEFAULT_FILE_ON_DELETE = undefined;

/** A symlink at a RemoteFile's path is written through (the file it points to), like an editor does; the link stays. */
export const DEFAULT_SYMLINKS = "follow" as const;

/** A RemoteDirectory's destroy removes the levels it created, only when empty: never someone else's files. */
export const DEFAULT_DIRECTORY_ON_DELETE = "delete" as const;

/** A RemoteTree removes the files it uploaded once they are gone from `source`; never files it did not upload. */
export const DEFAULT_PRUNE = true;

/** Mode of a new file when none is given and nothing is replaced: what `umask 022` gives, readable by the web server. */
export const DEFAULT_FILE_MODE = 0o644;

/** Mode of a tree file that is executable locally (and has no `modes` pattern): keeps scripts runnable. */
export const DEFAULT_EXECUTABLE_MODE = 0o755;

/** Concurrent operations per pooled endpoint: below OpenSSH's MaxSessions (10), with headroom for exec channels. */
export const DEFAULT_MAX_SESSIONS = 8;

/** Connection attempts per dial, like @pulumi/command's `dialErrorLimit`: rides out a server restarting. */
export const DEFAULT_DIAL_ERROR_LIMIT = 10;

/** TCP connect plus handshake may take this long before it counts as a (transient) failure; ssh's own is similar. */
export const DEFAULT_DIAL_TIMEOUT_MS = 15000;

/** First backoff between dial attempts; doubles each time, with ±25 % jitter so parallel resources spread out. */
export const DIAL_BACKOFF_FIRST_MS = 250;

/** Ceiling of the dial backoff: long enough for a restarting sshd, short enough not to look hung. */
export const DIAL_BACKOFF_MAX_MS = 5000;

/** Runs of one pooled operation when the connection drops: operations are idempotent, a third drop is not luck. */
export const OPERATION_ATTEMPTS = 3;

/** Idle pooled connections close this long after the process's last operation ended, so the provider can exit. */
export const IDLE_CLOSE_MS = 2000;

/**
 * While operations run on other connections, an idle one is kept at most this long: a host's next resource reuses
 * it instead of logging in again (issue 22 fleet bench), and a connection idle past the servers' usual idle limits
 * is not relied on.
 */
export const IDLE_KEEP_MAX_MS = 60_000;

/** At most this many idle connections are kept while others work (least recently used closed first). */
export const IDLE_KEPT_MAX = 256;

/** Concurrent exec channels per SSH connection: with the SFTP channel, below OpenSSH's default MaxSessions (10). */
export const EXECS_PER_CONNECTION = 4;

/**
 * SFTP sessions at most that write files at once on one connection (sftpLanes.ts): the first and up to two more,
 * opened while many writes are in flight, out of the same channel budget. Each sftp-server does one fsync at a
 * time; several commit together.
 */
export const SFTP_WRITE_LANES = 3;

/** Writes in flight on every open session before another one is opened. */
export const SFTP_LANE_AFTER_WRITES = 4;

/** An extra SFTP session with no write for this long is closed (at once when a command waits for a channel). */
export const SFTP_IDLE_LANE_MS = 1000;

/**
 * How long `validate` and `validateInPlace` may run (RemoteFile `checkTimeout`, seconds): `nginx -t`, `visudo -c`,
 * `sshd -t` take well under a second; a minute leaves room for a slow server without keeping a hung check (and the
 * new file, for `validateInPlace`) in place for long.
 */
export const DEFAULT_CHECK_TIMEOUT_S = 60;

/** The longest `checkTimeout` check accepts: a day; a check that needs longer is not a check. */
export const MAX_CHECK_TIMEOUT_S = 86400;

/**
 * Seconds the lookup of `owner`/`group` names on the server (`id`, `getent`) may take: a hung name service (LDAP,
 * NIS) fails the deployment with a sentence instead of keeping it waiting (SPEC §8: every remote command we run
 * has a time limit).
 */
export const OWNER_LOOKUP_TIMEOUT_S = 60;

/**
 * Seconds one server-side hash command (up to 100 files, ssh/sshHasher.ts) may run. Past it the command is stopped
 * and the files it did not hash are verified by reading them back, so the limit costs speed, never correctness.
 * Half an hour is about 450 GB at coreutils `sha256sum`'s 250 MB/s.
 */
export const HASH_COMMAND_TIMEOUT_S = 1800;

/** A time-limited command that ignores TERM at its limit is KILLed this many seconds later (coreutils `timeout -k`). */
export const EXEC_KILL_AFTER_S = 5;

/**
 * How long past its limit the client waits for a time-limited command's exit status before it closes the channel
 * and reports the time-out itself: the server's own `timeout` normally ends it first.
 */
export const EXEC_WAIT_AFTER_LIMIT_MS = 2000;

/** The most FTP control connections one transport opens: basic-ftp runs one command at a time per connection. */
export const MAX_FTP_CONTROL_CONNECTIONS = 4;

/** SSH keepalive interval: notices a dead connection within a deployment's patience. */
export const SSH_KEEPALIVE_MS = 10000;

/** Tree files per pooled operation: a dropped connection redoes at most this many. */
export const TREE_FILES_PER_CHUNK = 250;

/** Tree files in flight on one connection: SFTP requests are pipelined, so many small files overlap. */
export const TREE_FILES_IN_FLIGHT = 64;

/** Tree files up to this size are read whole before upload (cheaper than a stream); larger ones stream. */
export const TREE_SMALL_FILE_BYTES = 256 << 10;

/** Remote hashes computed one by one at once, when the server cannot batch them. */
export const HASHES_IN_FLIGHT = 8;

/**
 * Over SFTP, files are verified by reading them back over the open session (and hashed here) when those checked
 * together total at most this many bytes; larger ones are hashed by a command on the server. Each SSH command runs
 * the login shell, whose rc files cost every command (0.2 s for a root whose ~/.bashrc starts pyenv, bench/README.md);
 * reading 256 KiB back costs a few ms on a LAN. Trees verify a chunk of files at once, so they still hash on the server.
 */
export const READ_BACK_MAX_BYTES = 256 << 10;

/** Remote stats at once during a tree refresh. */
export const STATS_IN_FLIGHT = 32;

/** Remote removals at once when a tree prunes or is destroyed. */
export const REMOVES_IN_FLIGHT = 16;

/** Local files hashed at once while building a tree's manifest. */
export const LOCAL_HASHES_IN_FLIGHT = 16;

/** Names per list in a RemoteTree's `changes`: enough to read, short enough for a preview. */
export const CHANGES_LIMIT = 50;

/** Folders listed (and swept of stale temporaries) at once. */
export const FOLDERS_IN_FLIGHT = 8;

/**
 * A RemoteFile `content` above this size gets a warning pointing to `source`: text content is kept in the state
 * (inputs and outputs, in every checkpoint) and held several times over in the CLI's memory, while a `source` file
 * is streamed and only its SHA-256 is kept. 1 MiB is far above any configuration file.
 */
export const CONTENT_WARN_BYTES = 1 << 20;

/**
 * A RemoteFile `content` above this size is refused: at 16 MiB the state already grows by tens of MiB per
 * deployment and the CLI's memory by hundreds; nothing that large needs to be a string in a program.
 */
export const CONTENT_MAX_BYTES = 16 << 20;

/**
 * A RemoteFile `source` file of text (UTF-8, no NUL byte) up to this size is kept in the state as `sourceText`, so
 * that `pulumi preview --diff` shows a line diff of it, as it does for `content`. 64 KiB holds any configuration
 * file with room to spare, while a state of a hundred such files stays a few MiB; larger or binary files preview by
 * size and SHA-256 only.
 */
export const TEXT_DIFF_MAX_BYTES = 64 << 10;

/**
 * The first line of a kept `sourceText`. The CLI shows a changed multi-line string as a line diff, except that it
 * decodes one that parses as JSON or YAML and then prints every key of it; `@` cannot start YAML or JSON, so this
 * line keeps the diff a line diff whatever the file holds.
 */
export const SOURCE_TEXT_HEADER = "@ text of the source file, kept to show line diffs in previews\n";

/**
 * A RemoteDownload keeps at most this many bytes unless `maxSize` says otherwise: the content lands in the state
 * (encrypted when secret) in every checkpoint; a kubeconfig or a token is a few KiB.
 */
export const DOWNLOAD_DEFAULT_MAX_BYTES = 1 << 20;

/** The largest `maxSize` a RemoteDownload accepts: the same ceiling as text `content` kept in the state. */
export const DOWNLOAD_MAX_BYTES_LIMIT = CONTENT_MAX_BYTES;

/** Reads of a file that changes while it is downloaded (an installer still writing it) before giving up. */
export const DOWNLOAD_ATTEMPTS = 3;

/** What a RemoteDownload's `content` is: text. */
export const DEFAULT_DOWNLOAD_ENCODING = "utf8" as const;
