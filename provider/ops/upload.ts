/**
 * The verified atomic upload of one file (SPEC §4), protocol-neutral:
 *   1. make missing parent folders (remembering which),
 *   2. sweep temporaries an earlier failed run left, then stream the bytes to `.<name>.filedrop-<random>` in the
 *      target's folder, hashing them on the way (stage.ts),
 *   3. verify the size, and the SHA-256 by the best means the server offers, else by reading back (verify.ts),
 *   4. apply owner/mode (given, else kept from the file replaced: stagedOwner.ts), run `validate`, rename over the
 *      target (commit.ts),
 *   5. on any failure remove the temporary (and the folders made for it): the target is never half-written; only a
 *      cut connection keeps the temporary, named after the content, which the next attempt continues (stage.ts).
 * A RemoteTree runs the same stages over many files at once (treeUpload.ts).
 */
import * as posix from "node:path/posix";
import { FiledropError, folderMissing } from "../errors";
import type { RemoteStat, Transport } from "../transport/types";
import { warn } from "../warnings";
import { commitStaged } from "./commit";
import { type KnownStats, statOf } from "./knownStats";
import { ensureDirs } from "./remoteDirs";
import { abandon, resumableTemporaryOf, stageUpload } from "./stage";
import { ownerLossWarning } from "./stagedOwner";
import { sweepTemporaries } from "./temporaries";
import type { UploadResult, UploadSpec } from "./uploadSpec";
import { verifySize, verifyStaged } from "./verify";

/**
 * A single file's upload: whether to make its missing parent folders is the caller's (defaulted) decision. It is
 * resumable unless `resumable: false` (it needs `expectedSha256`).
 */
export type FileUploadSpec = UploadSpec & { readonly createParents: boolean };

/**
 * Runs the whole upload of one file; see the file comment for the steps. With `known` (the operation's stats so
 * far), what the caller already looked at (the target, its folder) is not asked again, and the sweep's listing
 * answers whether a temporary to continue exists. The size check and the stat after the rename always ask.
 */
export async function verifiedUpload(t: Transport, given: FileUploadSpec, known?: KnownStats): Promise<UploadResult> {
    const spec = { ...given, resumable: given.resumable ?? true };
    const dir = posix.dirname(spec.path);
    let createdDirs: string[] = [];
    if (spec.createParents) {
        createdDirs = await ensureDirs(t, dir, undefined, known);
    } else if ((await statOf(t, dir, known))?.kind !== "directory") {
        throw folderMissing(t.endpoint, dir);
    }
    // Looked at before the sweep: a listing's entry may tell less than a stat (the mode kept when none is given).
    const before = await statOf(t, spec.path, known);
    // Every other temporary of this file is stale; the one named after this content is continued.
    await sweepTemporaries(t, dir, spec.path, resumableTemporaryOf(spec), known);
    if (before?.kind === "directory") {
        throw new FiledropError("REMOTE_IO", `${t.endpoint}${spec.path} is a directory; a file cannot replace it.`);
    }
    const staged = await stageUpload(t, spec, before ?? "absent", createdDirs, known);
    let tmpStat: RemoteStat | undefined;
    const [verdict] = await verifySize(t, staged).then(
        (st) => {
            tmpStat = st;
            return verifyStaged(t, [staged]);
        },
        (e: FiledropError) => [e],
    );
    if (typeof verdict !== "string") {
        await abandon(t, staged);
        throw verdict;
    }
    const r = await commitStaged(t, { ...staged, tmpStat }, verdict);
    if (r.ownerLost !== undefined) {
        warn(ownerLossWarning(t.endpoint, [r.ownerLost]));
    }
    const after = await t.stat(spec.path);
    return { ...r, mode: after?.mode, mtime: after?.mtime, uid: after?.uid };
}
