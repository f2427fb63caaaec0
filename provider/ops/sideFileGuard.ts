/**
 * Side files (issue 19): every file this package creates beside a target (the temporary, the new-file marker, the
 * copy of an adopted file, the old file moved aside, the owner probe below) is created new, never through a link and
 * never into a file that is already there (`WriteOptions.exclusive`: SFTP O_EXCL; FTP looks first), with mode 0600
 * before any byte is written. In a folder others can write to, the names computed from the content (the resumable
 * temporary, the marker, the backup) can be planted by anyone; what is found there is trusted (continued, read,
 * restored) only when it is ours: a regular file with one link, owned by the user the server writes as.
 *
 * SFTP attributes carry neither a link count nor who "we" are (with `sudo`, files are written as another user). Both
 * come from one listing of the folder, taken after making a probe folder there: the probe's owner is ours
 * (uid over SFTP, the owner column over FTP), and the listing's long names give the link count (OpenSSH's `ls -l`
 * style names, FTP `LIST`). Where a listing tells no link count, the file is not ours: we never continue a file that
 * may be a hard link to another one.
 */
import { randomBytes } from "node:crypto";
import * as posix from "node:path/posix";
import type { Readable } from "node:stream";
import { describeEntry } from "../transport/describeEntry";
import type { RemoteStat, Transport } from "../transport/types";

/** The mode every side file is created with: readable by the remote user only. */
export const SIDE_FILE_MODE = 0o600;

/** Creates the side file `path` with `data`: exclusively, mode 0600, never through a link. */
export function writeSideFile(t: Transport, path: string, data: Readable): Promise<number> {
    return t.write(path, data, SIDE_FILE_MODE, { exclusive: true });
}

/** Who files written over a transport belong to, learnt once per connection from the probe. */
const writers = new WeakMap<Transport, Promise<RemoteStat | undefined>>();

/**
 * A probe folder made in `dir` (mkdir never reuses or follows anything at its path, and sends no bytes) and its
 * entry in a listing of `dir`; the folder is removed again.
 */
async function probe(t: Transport, dir: string): Promise<RemoteStat | undefined> {
    const name = `.filedrop-probe-${randomBytes(6).toString("hex")}`;
    const path = posix.join(dir, name);
    await t.mkdir(path, 0o700);
    try {
        return (await t.list(dir)).find((e) => e.name === name)?.stat;
    } finally {
        await t.rmdir(path).catch(() => undefined);
    }
}

/** How files this connection writes in `dir` are listed (their owner); undefined where that cannot be found out. */
export async function writerIn(t: Transport, dir: string): Promise<RemoteStat | undefined> {
    let me = writers.get(t);
    if (me === undefined) {
        me = probe(t, dir).catch(() => undefined);
        writers.set(t, me);
    }
    return me;
}

/** True when `st` (from a listing) has the owner `me` has. */
export function sameOwner(a: RemoteStat, b: RemoteStat): boolean {
    if (a.uid !== undefined && b.uid !== undefined) {
        return a.uid === b.uid;
    }
    return a.owner !== undefined && a.owner === b.owner;
}

/**
 * Whether what is at the side-file name `path` is ours (see the file comment): "ours" for a regular file of ours
 * with one link (it may be continued or read); "linked" for a regular file of ours whose link count is not 1 or not
 * told (never continued or read, but its name may be removed: that never touches another link's data); undefined
 * when nothing is there; else a few words naming the stranger for a warning ("a symlink owned by uid 1001"), whose
 * file is left alone.
 */
export async function whoseSideFile(t: Transport, path: string): Promise<"ours" | "linked" | string | undefined> {
    const dir = posix.dirname(path);
    let found: RemoteStat | undefined;
    let me: RemoteStat | undefined;
    try {
        me = await writerIn(t, dir);
        found = (await t.list(dir)).find((e) => e.name === posix.basename(path))?.stat;
    } catch {
        return "a file this connection cannot inspect";
    }
    if (found === undefined) {
        return undefined;
    }
    if (found.kind === "file" && me !== undefined && sameOwner(found, me)) {
        return found.nlink === 1 ? "ours" : "linked";
    }
    return describeEntry(found);
}
