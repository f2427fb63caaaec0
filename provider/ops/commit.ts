/** Committing a verified staged file: owner and mode, `validate`, then the rename over the target (and `validateInPlace`). */
import { DEFAULT_CHECK_TIMEOUT_S } from "../defaults";
import type { Transport } from "../transport/types";
import { type CheckSpec, checkCommand, checkFailed, howItEnded, outputOf, runCheck } from "./checkRun";
import { orConcurrentWriter } from "./concurrentWriter";
import { replaceAndCheck } from "./inPlaceCheck";
import { replaceTarget } from "./replace";
import { abandon } from "./stage";
import { applyOwnerAndMode, type OwnerLoss } from "./stagedOwner";
import { type StagedUpload, type UploadResult, type UploadSpec, uploadFailed } from "./uploadSpec";

/** Sets owner/mode on the temporary, runs `validate`, puts it in place of the target (replace.ts); on failure removes it. */
export async function commitStaged(t: Transport, s: StagedUpload, verifiedBy: string): Promise<UploadResult> {
    const { spec, tmp } = s;
    let atomic: boolean;
    let ownerLost: OwnerLoss | undefined;
    try {
        // Owner, group and mode, given or kept from the file replaced (stagedOwner.ts), before anyone can see it.
        const before = typeof s.before === "string" ? undefined : s.before;
        const given = { uid: spec.uid, gid: spec.gid };
        ownerLost = await applyOwnerAndMode(t, { tmp, target: spec.path, stat: s.tmpStat }, given, spec.mode, before);
        if (spec.validate !== undefined) {
            await runValidate(t, checkOf(spec, spec.validate), tmp, spec.path);
        }
        atomic =
            spec.validateInPlace === undefined
                ? await replaceTarget(t, tmp, spec.path)
                : await replaceAndCheck(
                      t,
                      tmp,
                      spec.path,
                      checkOf(spec, spec.validateInPlace),
                      s.sha256,
                      spec.previous,
                  );
    } catch (e) {
        const failure = await orConcurrentWriter(t, spec.path, tmp, e);
        await abandon(t, s);
        throw uploadFailed(t, spec, failure);
    }
    return {
        sha256: s.sha256,
        size: s.size,
        createdDirs: s.createdDirs,
        verifiedBy,
        atomic,
        resumedFrom: s.resumedFrom ?? 0,
        bytesSent: s.bytesSent ?? s.size,
        ownerLost,
    };
}

/** One of the upload's checks, with its time limit and whether its output must be withheld. */
function checkOf(spec: UploadSpec, command: string): CheckSpec {
    return { command, timeoutMs: spec.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_S * 1000, secret: spec.secret };
}

/** Runs the `validate` command on the temporary; a failure is VALIDATE_FAILED (CHECK_TIMEOUT) saying how it ended. */
async function runValidate(t: Transport, check: CheckSpec, tmp: string, target: string): Promise<void> {
    const r = await runCheck(t, check, checkCommand(check.command, tmp, true));
    if (r.code !== 0) {
        const seeIt = `put the new content in a file on ${t.endpoint} and run \`${check.command.includes("{path}") ? check.command.split("{path}").join("FILE") : `${check.command} FILE`}\` there with FILE naming it`;
        throw checkFailed(
            r,
            `Validation of the new ${target} failed (${howItEnded(check, r)}); the target was left untouched.${outputOf(check, r, seeIt)}`,
        );
    }
}
