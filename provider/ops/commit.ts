/** Committing a verified staged file: owner and mode, `validate`, then the rename over the target (and `validateInPlace`). */
import { FiledropError } from "../errors";
import { shellQuote } from "../shellQuote";
import type { Transport } from "../transport/types";
import { replaceAndCheck } from "./inPlaceCheck";
import { replaceTarget } from "./replace";
import { abandon } from "./stage";
import { applyOwnerAndMode, type OwnerLoss } from "./stagedOwner";
import { type StagedUpload, type UploadResult, uploadFailed } from "./uploadSpec";

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
            await runValidate(t, spec.validate, tmp, spec.path);
        }
        atomic =
            spec.validateInPlace === undefined
                ? await replaceTarget(t, tmp, spec.path)
                : await replaceAndCheck(t, tmp, spec.path, spec.validateInPlace);
    } catch (e) {
        await abandon(t, s);
        throw uploadFailed(t, spec, e);
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

/** Runs the `validate` command on the temporary; a non-zero exit is VALIDATE_FAILED with the command's output. */
async function runValidate(t: Transport, template: string, tmp: string, target: string): Promise<void> {
    const command = template.includes("{path}")
        ? template.split("{path}").join(shellQuote(tmp))
        : `${template} ${shellQuote(tmp)}`;
    const r = await t.exec(command);
    if (r.code !== 0) {
        const output = `${r.stdout}${r.stderr}`.trim().slice(-2000);
        throw new FiledropError(
            "VALIDATE_FAILED",
            `Validation of the new ${target} failed (\`${template}\` exited ${r.code}); the target was left untouched. Output:\n${output}`,
        );
    }
}
