/**
 * `validateInPlace`: a command run AFTER the new file is in place, on the whole configuration it belongs to (a
 * conf.d snippet can only be judged with the files that include it: `nginx -t`, `apachectl configtest`,
 * `sshd -t`). Before the rename, the file at the target (if any) is copied aside; if the command fails, that copy
 * is renamed back over the target (or the new file removed where nothing was there), and the resource fails with
 * the command's output. On success the copy is removed. Commands run through `Transport.exec`, like `validate`.
 */
import { FiledropError, messageOf } from "../errors";
import { shellQuote } from "../shellQuote";
import type { Transport } from "../transport/types";
import { copyRemote } from "./backup";
import { asidePathFor, replaceTarget } from "./replace";

/** The command with `{path}` replaced by the target, shell-quoted; without `{path}` it runs as written. */
export function inPlaceCommand(template: string, target: string): string {
    return template.split("{path}").join(shellQuote(target));
}

/**
 * Puts `tmp` in place of `target` (ops/replace.ts), then runs `check`; on a non-zero exit puts back what was at
 * the target before (its content, mode and owner, by an atomic rename where the server has one) and throws
 * VALIDATE_FAILED with the command's output. Returns whether the replace was atomic.
 */
export async function replaceAndCheck(t: Transport, tmp: string, target: string, check: string): Promise<boolean> {
    const existed = (await t.stat(target))?.kind === "file";
    const kept = existed ? asidePathFor(target) : undefined;
    if (kept !== undefined) {
        await copyRemote(t, target, kept);
    }
    let atomic: boolean;
    try {
        atomic = await replaceTarget(t, tmp, target);
    } catch (e) {
        await discard(t, kept);
        throw e;
    }
    const r = await t.exec(inPlaceCommand(check, target)).catch(async (e: unknown) => {
        await putBack(t, target, kept, `\`${check}\` could not run: ${messageOf(e)}`);
        throw e;
    });
    if (r.code === 0) {
        await discard(t, kept);
        return atomic;
    }
    const output = `${r.stdout}${r.stderr}`.trim().slice(-2000);
    const what =
        kept !== undefined ? "the previous file was put back" : "the new file was removed (none was there before)";
    await putBack(t, target, kept, `\`${check}\` exited ${r.code}`);
    throw new FiledropError(
        "VALIDATE_FAILED",
        `The in-place check of ${t.endpoint}${target} failed (\`${check}\` exited ${r.code} with the new file in place); ${what}. Fix the file or the check. Output:\n${output}`,
    );
}

/** Restores the copy over the target, or removes the new file where there was none; says where the copy is if that fails. */
async function putBack(t: Transport, target: string, kept: string | undefined, why: string): Promise<void> {
    try {
        if (kept === undefined) {
            await t.remove(target);
        } else {
            await replaceTarget(t, kept, target);
        }
    } catch (e) {
        const where = kept === undefined ? "remove it by hand" : `the previous file is kept at ${kept}; move it back`;
        throw new FiledropError(
            "REMOTE_IO",
            `The in-place check of ${t.endpoint}${target} failed (${why}) and the previous state could not be put back (${messageOf(e)}): ${where}.`,
            { cause: e },
        );
    }
}

async function discard(t: Transport, kept: string | undefined): Promise<void> {
    if (kept !== undefined) {
        await t.remove(kept).catch(() => undefined);
    }
}
