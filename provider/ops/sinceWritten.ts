/**
 * A RemoteFile's path as the stack last wrote it (issue 19 item 2): whether it was a regular file or a symlink (and
 * to where), and who owned the file written. In a folder others can write to, someone may since have replaced the
 * file with a link to a file only root can write, or with a file of their own: an update then refuses, instead of
 * writing through that link or chown/chmod-ing their file, and says how to accept the change.
 */
import * as posix from "node:path/posix";
import { FiledropError } from "../errors";
import type { Transport } from "../transport/types";
import { type KnownStats, statOf } from "./knownStats";
import { writerIn } from "./sideFileGuard";
import type { WriteTarget } from "./symlinks";

/** What the outputs recorded when the stack last wrote the file. */
export interface WrittenAs {
    /** The file a symlink at the path pointed to; absent when the path was the regular file itself. */
    readonly resolvedPath?: string;
    /** The owner of the file written, as it was right after the write; absent in state of earlier releases. */
    readonly writtenUid?: number;
}

const ACCEPT = "if the change is meant, run `pulumi refresh` to record it, then `pulumi up`";

/**
 * Throws CHANGED_SINCE_WRITTEN when the path became a link, or its link points elsewhere, or the file's owner is
 * neither the recorded one, nor `wanted()` (the uid the inputs ask for), nor the remote user.
 */
export async function refuseChangedSinceWritten(
    t: Transport,
    path: string,
    target: WriteTarget,
    was: WrittenAs,
    wanted: () => Promise<number | undefined>,
    known?: KnownStats,
): Promise<void> {
    const where = `${t.endpoint}${path}`;
    if (target.link !== undefined && was.resolvedPath === undefined) {
        throw new FiledropError(
            "CHANGED_SINCE_WRITTEN",
            `${where} was a regular file when this stack last wrote it and is now a symlink to ${target.path}; nothing was written through it (someone who can write to the folder may have planted it). Remove the link, or ${ACCEPT} (\`symlinks: "follow"\` follows only the links the stack has recorded).`,
        );
    }
    if (target.link !== undefined && was.resolvedPath !== undefined && target.path !== was.resolvedPath) {
        throw new FiledropError(
            "CHANGED_SINCE_WRITTEN",
            `${where} was a symlink to ${was.resolvedPath} when this stack last wrote it and now points to ${target.path}; nothing was written through it. Point the link back, or ${ACCEPT}.`,
        );
    }
    if (was.writtenUid === undefined) {
        return;
    }
    const st = await statOf(t, target.path, known);
    if (st?.kind !== "file" || st.uid === undefined || st.uid === was.writtenUid || st.uid === (await wanted())) {
        return;
    }
    const me = await writerIn(t, posix.dirname(target.path));
    if (me?.uid === st.uid) {
        return;
    }
    throw new FiledropError(
        "CHANGED_SINCE_WRITTEN",
        `${t.endpoint}${target.path} is now owned by uid ${st.uid}, not by uid ${was.writtenUid} as when this stack last wrote it, nor by the remote user; it was left as it is (its owner could still change it after our write). Remove that file, or ${ACCEPT}.`,
    );
}
