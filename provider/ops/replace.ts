/**
 * Putting a verified temporary in place of the target. Where the server renames over an existing file
 * (`capabilities.atomicOverwrite`, known when the connection opened), one rename does it atomically. Elsewhere the
 * target is never deleted before the new file is in place: the old file is moved aside, the new one moved in, then
 * the old one removed; if moving the new one in fails, the old one is moved back.
 */
import { randomBytes } from "node:crypto";
import { progress } from "../engineReport";
import { FiledropError, isFiledropError, messageOf } from "../errors";
import { sideFilePath } from "../sideFiles";
import type { Transport } from "../transport/types";

/**
 * The name the old file waits under while the new one is moved in: `.<name>.filedrop-old-<12 hex>`. It is not a
 * temporary name (temporaries.ts never sweeps it): after a crash between the two renames it holds the only copy
 * of the old file.
 */
export function asidePathFor(target: string): string {
    return sideFilePath(target, randomBytes(6).toString("hex"), "old");
}

/**
 * Renames `tmp` over `target`. Returns whether the replace was atomic (readers never saw the target missing):
 * true for an atomic rename or where nothing was at the target.
 */
export async function replaceTarget(t: Transport, tmp: string, target: string): Promise<boolean> {
    if (t.capabilities.atomicOverwrite) {
        await t.rename(tmp, target);
        return true;
    }
    if ((await t.stat(target)) === undefined) {
        await t.rename(tmp, target);
        return true;
    }
    const aside = asidePathFor(target);
    try {
        await t.rename(target, aside);
    } catch (e) {
        // A refusal here changes nothing: the target is still in place.
        throw new FiledropError(
            isFiledropError(e) ? e.code : "REMOTE_IO",
            `Cannot replace ${t.endpoint}${target}: the server does not rename over an existing file, and moving the old file aside failed (${messageOf(e)}); the target was left untouched.`,
            { cause: e, transient: isFiledropError(e) && e.transient },
        );
    }
    try {
        await t.rename(tmp, target);
    } catch (e) {
        await moveBack(t, aside, target, e);
        throw e;
    }
    progress(
        `${t.endpoint}${target} was replaced by moving the old file aside (the server does not rename over an existing file): not atomic, the path was briefly missing.`,
    );
    await t.remove(aside).catch((e: unknown) => {
        progress(
            `The old version of ${t.endpoint}${target} could not be removed from ${aside}: ${messageOf(e)}; remove it by hand.`,
        );
    });
    return false;
}

/** Puts the old file back after the new one could not be moved in; says where it is if even that fails. */
async function moveBack(t: Transport, aside: string, target: string, failure: unknown): Promise<void> {
    try {
        await t.rename(aside, target);
    } catch (e) {
        const why = messageOf(failure);
        throw new FiledropError(
            "REMOTE_IO",
            `Replacing ${t.endpoint}${target} failed (${why}) and the old file could not be moved back (${messageOf(e)}): it is kept at ${aside}; move it back to ${target} by hand.`,
            { cause: failure },
        );
    }
}
