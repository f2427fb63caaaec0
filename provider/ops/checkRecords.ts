/**
 * What a `validateInPlace` check leaves beside the target while it runs, so that a run cut or killed during the
 * check can be undone by the next one (issue 19): the previous file is kept as `.<name>.filedrop-old-<tag>-<8 hex>`,
 * or, where no file was there, an empty `.<name>.filedrop-old-<tag>-none` says so; `<tag>` is the first 12 hex of
 * the SHA-256 of the new file under check. The record is removed once the check has passed or the previous state
 * is back. So a record whose tag is the target's content means: the target holds a file whose check never
 * finished; {@link recoverInterruptedCheck} then puts the previous state back (never the unchecked file).
 */
import { randomBytes } from "node:crypto";
import * as posix from "node:path/posix";
import { isFiledropError } from "../errors";
import { checkRecordOf, checkRecordPath } from "../sideFiles";
import type { RemoteEntry, Transport } from "../transport/types";
import { warn } from "../warnings";
import { remoteSha256 } from "./remoteHash";
import { replaceTarget } from "./replace";

/** Where the previous file waits while the new file with content `checkedSha256` is checked in place. */
export function keptPathFor(target: string, checkedSha256: string): string {
    return checkRecordPath(target, checkedSha256, randomBytes(4).toString("hex"));
}

/** The record that nothing was at `target` while the new file with content `checkedSha256` is checked. */
export function absentRecordFor(target: string, checkedSha256: string): string {
    return checkRecordPath(target, checkedSha256, "none");
}

/** The check records of `target` among a folder's entries (regular files only: a link is never one of ours). */
function recordsOf(target: string, entries: readonly RemoteEntry[]) {
    const base = posix.basename(target);
    return entries.flatMap((e) => {
        const r = checkRecordOf(base, e.name);
        return r !== undefined && e.stat.kind === "file"
            ? [{ path: posix.join(posix.dirname(target), e.name), ...r, stat: e.stat }]
            : [];
    });
}

/** What recovery did: put the kept file back, removed the unchecked file (nothing was there), or nothing. */
export type Recovery = "restored" | "removed" | "none";

/**
 * Undoes an in-place check that never finished (see the file comment): where the target still holds the content a
 * record names, puts the kept previous file back over it (an atomic rename), or removes it where the record says
 * nothing was there (only a record owned like the target: one a neighbour planted is not obeyed). Other records are
 * stale (the target changed since): the empty ones are removed, a kept file is left with a warning, since it may be
 * the only copy of something.
 */
export async function recoverInterruptedCheck(t: Transport, target: string): Promise<Recovery> {
    // A missing folder has no records; a dropped connection must not pass for "no records".
    const entries = await t.list(posix.dirname(target)).catch((e: unknown) => {
        if (isFiledropError(e) && e.transient) {
            throw e;
        }
        return [];
    });
    const records = recordsOf(target, entries);
    if (records.length === 0) {
        return "none";
    }
    const st = await t.stat(target);
    const current = st?.kind === "file" ? (await remoteSha256(t, target, st.size)).sha256 : undefined;
    let done: Recovery = "none";
    for (const r of records) {
        const unchecked = current?.startsWith(r.tag) && done === "none";
        if (unchecked && !r.absent) {
            await replaceTarget(t, r.path, target);
            done = "restored";
        } else if (unchecked && r.stat.uid === st?.uid) {
            await t.remove(target);
            await t.remove(r.path);
            done = "removed";
        } else if (r.absent) {
            await t.remove(r.path);
        } else {
            warn(
                `${t.endpoint}${r.path} is a copy an interrupted in-place check kept of ${target}; that file changed since, so the copy was not put back. Remove it when it is not needed.`,
            );
        }
    }
    return done;
}
