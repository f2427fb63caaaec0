/**
 * A RemoteTree's files by the ownership rules of issue 8 (as a RemoteFile's, ops/ownership.ts): a file already at a
 * path before the tree first wrote it is adopted (warned about, copied aside), and giving a file up (destroy, or
 * pruning it) puts an adopted file back, deletes a created one, and leaves one changed since with a warning.
 */
import { forEachLimit } from "../concurrency";
import { STATS_IN_FLIGHT } from "../defaults";
import type { Manifest } from "../manifest";
import { remotePathOf } from "../plan/treeManifest";
import type { Transport } from "../transport/types";
import { warn } from "../warnings";
import { backupSlot, copyRemote } from "./backup";
import type { KnownStats } from "./knownStats";
import type { DestroyOutcome } from "./ownership";
import { hashMany, remoteSha256 } from "./remoteHash";
import { replaceTarget } from "./replace";

/** Relative path -> where the copy of the file the tree adopted there is kept. */
export type Adopted = Record<string, string>;

/**
 * Copies aside the files already at the paths of `rels` (about to be written with `manifest`'s content); warns. A
 * path that `known` (the operation's listings so far) already knows to be empty is not asked again: on a first
 * upload into a new folder, that is every path (issue 13: 1000 stats saved for 1000 files). A path that may hold
 * something is always stat'ed (a listing can tell less than a stat).
 */
export async function adoptExisting(
    t: Transport,
    destination: string,
    rels: readonly string[],
    manifest: Manifest,
    known?: KnownStats,
): Promise<Adopted> {
    const adopted: Adopted = {};
    const asked = known === undefined ? rels : rels.filter((rel) => !known.absent(remotePathOf(destination, rel)));
    const errors = await forEachLimit([...asked], STATS_IN_FLIGHT, async (rel) => {
        const p = remotePathOf(destination, rel);
        if ((await t.stat(p))?.kind !== "file") {
            return;
        }
        const slot = await backupSlot(t, p, manifest[rel].sha256);
        if (!slot.existing) {
            await copyRemote(t, p, slot.backup);
        }
        adopted[rel] = slot.backup;
    });
    if (errors.length > 0) {
        throw errors[0];
    }
    const names = Object.keys(adopted).sort();
    if (names.length > 0) {
        const shown = names.slice(0, 10).join(", ") + (names.length > 10 ? `, … (${names.length} in all)` : "");
        warn(
            `${names.length} file(s) already existed below ${t.endpoint}${destination} (${shown}); the tree now manages them and keeps each earlier file beside it as .<name>.filedrop-backup-<hex>, which destroy puts back.`,
        );
    }
    return adopted;
}

/**
 * Gives up the files `rels` the tree owns (`owned` holds what it last wrote): restores adopted ones, deletes created
 * ones, leaves (and warns about) those changed since. Returns the files no longer the tree's (all but the left ones),
 * the left ones, and what became of each file (for the audit log: a file already gone is `gone`, not deleted).
 */
export async function releaseFiles(
    t: Transport,
    destination: string,
    rels: readonly string[],
    owned: Manifest,
    adopted: Adopted,
): Promise<{ released: string[]; left: string[]; outcomes: Record<string, DestroyOutcome> }> {
    const paths = rels.map((rel) => remotePathOf(destination, rel));
    const present = new Set<string>();
    await forEachLimit([...rels], STATS_IN_FLIGHT, async (rel) => {
        if ((await t.stat(remotePathOf(destination, rel)))?.kind === "file") {
            present.add(rel);
        }
    });
    const hashes = await hashMany(
        t,
        paths.filter((_p, i) => present.has(rels[i])),
    );
    const left: string[] = [];
    const outcomes: Record<string, DestroyOutcome> = {};
    const errors = await forEachLimit([...rels], STATS_IN_FLIGHT, async (rel) => {
        const p = remotePathOf(destination, rel);
        const backup = adopted[rel];
        const hasBackup = backup !== undefined && (await t.stat(backup))?.kind === "file";
        if (!present.has(rel)) {
            if ((await t.stat(p)) !== undefined) {
                left.push(rel); // something else (a folder, a link) took its place
                outcomes[rel] = "left";
            } else if (hasBackup) {
                await t.rename(backup, p);
                outcomes[rel] = "restored";
            } else {
                outcomes[rel] = "gone";
            }
            return;
        }
        const current = hashes.get(p) ?? (await remoteSha256(t, p)).sha256;
        if (current !== owned[rel]?.sha256) {
            left.push(rel);
            outcomes[rel] = "left";
            return;
        }
        if (hasBackup) {
            await replaceTarget(t, backup, p); // over the file this tree wrote: never delete it first
            outcomes[rel] = "restored";
        } else {
            await t.remove(p);
            outcomes[rel] = "deleted";
        }
    });
    if (errors.length > 0) {
        throw errors[0];
    }
    left.sort();
    if (left.length > 0) {
        const shown = left.slice(0, 10).join(", ") + (left.length > 10 ? `, … (${left.length} in all)` : "");
        warn(
            `${left.length} file(s) below ${t.endpoint}${destination} changed since the tree last wrote them (${shown}); left in place.`,
        );
    }
    return { released: rels.filter((r) => !left.includes(r)), left, outcomes };
}
