/**
 * A symlink at a RemoteFile's path (Debian's nginx `sites-enabled/app -> ../sites-available/app`). The mode of a link
 * is never used (its lstat says 0777). With `symlinks: "follow"` (the default) the file the link points to is the one
 * written, atomically (temporary in that file's folder, renamed over it) and the link is kept: what a person editing
 * the file through the link gets. With `symlinks: "refuse"` the upload stops with a message naming the option.
 */
import { FiledropError } from "../errors";
import type { Transport } from "../transport/types";
import { type KnownStats, statOf } from "./knownStats";

export type SymlinkPolicy = "follow" | "refuse";

/** Where a RemoteFile's bytes go: `path` itself, or the file a link at `path` points to (`link` is then set). */
export interface WriteTarget {
    readonly path: string;
    readonly link?: string;
}

/**
 * The file to write for `path` under `policy`; throws a readable FiledropError where a link cannot be followed.
 * With `known`, the stats it takes are recorded there for the rest of the operation.
 */
export async function writeTarget(
    t: Transport,
    path: string,
    policy: SymlinkPolicy,
    known?: KnownStats,
): Promise<WriteTarget> {
    const st = await statOf(t, path, known);
    if (st?.kind !== "symlink") {
        return { path };
    }
    if (policy === "refuse") {
        throw new FiledropError(
            "INVALID_INPUT",
            `${t.endpoint}${path} is a symlink and \`symlinks: "refuse"\` is set; remove the link, point \`path\` at the file it links to, or set \`symlinks: "follow"\` to write through it.`,
        );
    }
    const resolved = t.resolveLink === undefined ? undefined : await t.resolveLink(path);
    if (resolved === undefined) {
        throw new FiledropError(
            "UNSUPPORTED",
            `${t.endpoint}${path} is a symlink whose target cannot be found over this connection (a dangling link, or a protocol that cannot resolve links); point \`path\` at the file it links to, or remove the link.`,
        );
    }
    const target = await statOf(t, resolved, known);
    if (target !== undefined && target.kind !== "file") {
        throw new FiledropError(
            "REMOTE_IO",
            `${t.endpoint}${path} is a symlink to ${resolved}, which is not a file; a file cannot replace it.`,
        );
    }
    return { path: resolved, link: path };
}
