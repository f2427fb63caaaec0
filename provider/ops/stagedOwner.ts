/**
 * The owner, group and mode a staged temporary gets before the rename (SPEC §4 step 4), so that the file is never
 * live with the wrong ones (issue 19 item 5). One rule for RemoteFile and RemoteTree:
 * - what is given is set: `uid`/`gid` (or `owner`/`group` resolved), `mode` (a tree's manifest always gives one);
 * - what is not given is kept from the file the temporary replaces (an adopted file, or one this stack wrote and
 *   someone chowned since), as editing the file in place would keep it;
 * - a new file keeps what the kernel gave the temporary in the target's folder: the login user (root through
 *   `sudo`) and the folder's group where the folder is setgid, else the user's group.
 * The owner is set before the mode: chown(2) clears a file's setuid and setgid bits, so the other order would lose
 * a 4755 or 2755 mode. A given owner that cannot be set fails the upload; a kept one that cannot (the protocol
 * cannot set owners, or the login user may not) is a {@link OwnerLoss} the caller warns about, only when the owner
 * actually changes.
 */
import { DEFAULT_FILE_MODE } from "../defaults";
import { FiledropError, isFiledropError, messageOf } from "../errors";
import type { RemoteStat, Transport } from "../transport/types";
import { applyMode } from "./applyMode";
import type { OwnerIds } from "./ownerNames";

/** A replaced file's owner that the new file could not keep. */
export interface OwnerLoss {
    /** The target. */
    readonly path: string;
    readonly was: OwnerIds;
    readonly now: OwnerIds;
    /** The server's words when it refused the chown; absent where the protocol cannot set owners (FTP). */
    readonly refused?: string;
}

/** The staged temporary: its path, its target, and its stat when the caller already has it (the owner it has). */
export interface Temporary {
    readonly tmp: string;
    readonly target: string;
    readonly stat?: RemoteStat;
}

/**
 * Sets owner and group, then mode, on the temporary by the rules in the file comment. `given`: the ids asked for;
 * `mode`: the mode asked for; `before`: the file at the target (undefined: none, or not looked at). Returns the
 * owner that could not be kept, if any.
 */
export async function applyOwnerAndMode(
    t: Transport,
    s: Temporary,
    given: OwnerIds,
    mode: number | undefined,
    before: RemoteStat | undefined,
): Promise<OwnerLoss | undefined> {
    const lost = await applyOwner(t, s, given, { uid: before?.uid, gid: before?.gid });
    await applyMode(t, s.tmp, mode ?? before?.mode ?? DEFAULT_FILE_MODE, { shownAs: s.target });
    return lost;
}

async function applyOwner(
    t: Transport,
    { tmp, target, stat }: Temporary,
    given: OwnerIds,
    kept: OwnerIds,
): Promise<OwnerLoss | undefined> {
    const want: OwnerIds = { uid: given.uid ?? kept.uid, gid: given.gid ?? kept.gid };
    const has = (o: RemoteStat | undefined, k: keyof OwnerIds) => want[k] === undefined || o?.[k] === want[k];
    if (has(stat, "uid") && has(stat, "gid")) {
        return undefined; // nothing to set (a new file keeps what the kernel gave it), or it is so already
    }
    let refused: string | undefined;
    if (t.capabilities.chown) {
        try {
            await t.chown(tmp, want.uid ?? -1, want.gid ?? -1);
            return undefined;
        } catch (e) {
            if (isFiledropError(e) && e.transient) {
                throw e; // a cut connection: the pool redoes the upload
            }
            refused = serverSaid(e);
        }
        if (given.uid !== undefined || given.gid !== undefined) {
            // What was asked for must be set: without it the upload fails (the kept part is judged below).
            await t.chown(tmp, given.uid ?? -1, given.gid ?? -1).catch((e: unknown) => {
                throw isFiledropError(e) && e.transient ? e : ownerRefused(t, target, given, e);
            });
        }
        if (given.gid === undefined && kept.gid !== undefined) {
            // The user may not give the file away, but may keep its group (one it is in): a service reading by
            // group still can.
            await t.chown(tmp, -1, kept.gid).catch(() => undefined);
        }
    }
    const now = t.capabilities.chown || stat === undefined ? await t.stat(tmp) : stat;
    const differs = (k: keyof OwnerIds) => now?.[k] !== undefined && !has(now, k);
    if (!differs("uid") && !differs("gid")) {
        return undefined;
    }
    return { path: target, was: kept, now: { uid: now?.uid, gid: now?.gid }, refused };
}

/** The failure of setting an owner that was asked for. */
function ownerRefused(t: Transport, target: string, given: OwnerIds, e: unknown): FiledropError {
    const ids = `${given.uid ?? "(unchanged)"}:${given.gid ?? "(unchanged)"}`;
    return new FiledropError(
        "PERMISSION_DENIED",
        `Cannot give the new ${t.endpoint}${target} the owner ${ids} that \`owner\`/\`group\` (or \`uid\`/\`gid\`) ask for: the server said "${serverSaid(e)}"; connect as a user allowed to change owners there (root, or \`sudo\` on the connection). The target was left untouched.`,
        { cause: e },
    );
}

/**
 * The server's own words for a refused chown: the innermost cause (the transport's sentence for a temporary talks
 * of the folder's rights, which are not what a chown needs).
 */
function serverSaid(e: unknown): string {
    let inner = e;
    while (typeof inner === "object" && inner !== null && (inner as { cause?: unknown }).cause !== undefined) {
        inner = (inner as { cause: unknown }).cause;
    }
    return messageOf(inner);
}

const ids = (o: OwnerIds) => `${o.uid ?? "?"}:${o.gid ?? "?"}`;

/**
 * One warning for the owners that could not be kept (one file, or a tree's many: one connection, so one reason),
 * naming each file's owner before and after (uid:gid), and what to do.
 */
export function ownerLossWarning(endpoint: string, losses: readonly OwnerLoss[]): string {
    const shown = losses
        .slice(0, 10)
        .map((l) => `${l.path} was ${ids(l.was)}, now ${ids(l.now)}`)
        .join("; ");
    const more = losses.length > 10 ? `; … (${losses.length} in all)` : "";
    const what = losses.length === 1 ? "the file it replaced" : `the ${losses.length} files they replaced`;
    const refused = losses.find((l) => l.refused !== undefined)?.refused;
    const why =
        refused === undefined
            ? "the protocol cannot set owners: a new file belongs to the login user"
            : `the login user may not give files away: the server said "${refused}"`;
    const todo =
        refused === undefined
            ? 'Use protocol "sftp" (as root, or with `sudo`) where the owner matters.'
            : "Connect as a user allowed to change owners (root, or `sudo` on the connection), or give `owner`/`group` to choose the owner.";
    return `${endpoint}: the new file${losses.length === 1 ? "" : "s"} could not keep the owner of ${what} (${why}): ${shown}${more}. ${todo}`;
}
