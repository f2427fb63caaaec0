/**
 * `validateInPlace`: a command run AFTER the new file is in place, on the whole configuration it belongs to (a
 * conf.d snippet can only be judged with the files that include it: `nginx -t`, `apachectl configtest`,
 * `sshd -t`). Before the rename, the file at the target (if any) is copied aside, or a record says none was there
 * (checkRecords.ts); if the command fails or runs out of time (checkRun.ts), that copy is renamed back over the
 * target (or the new file removed where nothing was there), and the resource fails saying how the command ended.
 * On success the record is removed. When the connection drops while the check runs, nothing can be put back over
 * it: the record stays, and the next run (or the handler, over a new connection) puts the previous state back.
 */
import { Readable } from "node:stream";
import { connectionLost, FiledropError, hasCode, messageOf } from "../errors";
import type { Transport } from "../transport/types";
import { copyRemote } from "./backup";
import { absentRecordFor, keptPathFor } from "./checkRecords";
import { type CheckSpec, checkCommand, checkFailed, howItEnded, outputOf, runCheck } from "./checkRun";
import { replaceTarget } from "./replace";
import { writeSideFile } from "./sideFileGuard";

/** The command with `{path}` replaced by the target, shell-quoted; without `{path}` it runs as written. */
export function inPlaceCommand(template: string, target: string): string {
    return checkCommand(template, target, false);
}

/**
 * Puts `tmp` (content `sha256`) in place of `target` (ops/replace.ts), then runs the check; when it fails, puts back
 * what was at the target before (its content, mode and owner, by an atomic rename where the server has one; with
 * `previous: "absent"`, no file) and throws VALIDATE_FAILED or CHECK_TIMEOUT. Returns whether the replace was atomic.
 */
export async function replaceAndCheck(
    t: Transport,
    tmp: string,
    target: string,
    check: CheckSpec,
    sha256: string,
    previous: "target" | "absent" = "target",
): Promise<boolean> {
    const existed = previous === "target" && (await t.stat(target))?.kind === "file";
    const kept = existed ? keptPathFor(target, sha256) : undefined;
    const record = kept ?? absentRecordFor(target, sha256);
    if (kept !== undefined) {
        await copyRemote(t, target, kept);
    } else {
        await writeSideFile(t, record, emptyStream());
    }
    let atomic: boolean;
    try {
        atomic = await replaceTarget(t, tmp, target);
    } catch (e) {
        await t.remove(record).catch(() => undefined);
        throw e;
    }
    const r = await runCheck(t, check, inPlaceCommand(check.command, target)).catch(async (e: unknown) => {
        if (t.closed || hasCode(e, "CONNECTION_LOST")) {
            throw interrupted(t, target, check, kept, e);
        }
        await putBack(t, target, kept, record, check, `\`${check.command}\` could not run: ${messageOf(e)}`);
        throw e;
    });
    if (r.code === 0) {
        // Must be gone before success is reported: a record left would make the next run undo a passed check.
        await t.remove(record);
        return atomic;
    }
    const what =
        kept !== undefined ? "the previous file was put back" : "the new file was removed (none was there before)";
    const how = howItEnded(check, r);
    await putBack(t, target, kept, record, check, how);
    const seeIt = `run \`${check.command}\` on ${t.endpoint} with the new content at ${target}`;
    throw checkFailed(
        r,
        `The in-place check of ${t.endpoint}${target} failed (${how} with the new file in place); ${what}. Fix the file or the check.${outputOf(check, r, seeIt)}`,
    );
}

function emptyStream(): Readable {
    return Readable.from([]);
}

/** The connection dropped while the check ran: the new file is in place, unchecked, and the record says so. */
function interrupted(
    t: Transport,
    target: string,
    check: CheckSpec,
    kept: string | undefined,
    cause: unknown,
): FiledropError {
    const where =
        kept === undefined
            ? `nothing was there before, and the next \`pulumi up\` of this resource removes it (or remove it by hand)`
            : `the previous file is kept at ${kept}, and the next \`pulumi up\` of this resource puts it back (or move it back by hand: \`mv ${kept} ${target}\`)`;
    const lost = connectionLost(t.endpoint, "run", `\`${check.command}\``, cause);
    return new FiledropError(
        "CONNECTION_LOST",
        `The connection to ${t.endpoint} was lost while the in-place check \`${check.command}\` of ${target} ran, with the new file in place and unchecked; ${where}.`,
        { cause: lost },
    );
}

/** Restores the copy over the target, or removes the new file where there was none; says where the copy is if that fails. */
async function putBack(
    t: Transport,
    target: string,
    kept: string | undefined,
    record: string,
    check: CheckSpec,
    why: string,
): Promise<void> {
    try {
        if (kept === undefined) {
            await t.remove(target);
            await t.remove(record);
        } else {
            await replaceTarget(t, kept, target);
        }
    } catch (e) {
        if (t.closed || hasCode(e, "CONNECTION_LOST")) {
            throw interrupted(t, target, check, kept, e);
        }
        const where = kept === undefined ? "remove it by hand" : `the previous file is kept at ${kept}; move it back`;
        throw new FiledropError(
            "REMOTE_IO",
            `The in-place check of ${t.endpoint}${target} failed (${why}) and the previous state could not be put back (${messageOf(e)}): ${where}.`,
            { cause: e },
        );
    }
}
