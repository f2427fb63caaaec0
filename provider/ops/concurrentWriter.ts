/**
 * Two writers of one path at once (two stacks, or two runs of one) sweep or rename each other's temporaries: the
 * second then fails on a file that is suddenly gone. Said as such, instead of the bare "no such file" of the call
 * that noticed (issue 19 item 3).
 */
import { FiledropError, isFiledropError, messageOf } from "../errors";
import type { Transport } from "../transport/types";

/** The sentence for a temporary `tmp` of `path` that disappeared while this upload ran. */
export function temporaryVanished(t: Transport, path: string, tmp: string, cause?: unknown): FiledropError {
    const why = cause === undefined ? "" : ` (${messageOf(cause)})`;
    return new FiledropError(
        "REMOTE_IO",
        `Upload to ${t.endpoint}${path} failed: its temporary ${tmp} disappeared while it ran${why}. Another writer is deploying the same path at the same time (a second stack, or a second run of this one) and swept or renamed it; let one stack own the path, or run them one after the other.`,
        { cause, transient: false },
    );
}

/**
 * `failure` as is, unless it is a "no such file" and the temporary `tmp` is gone, which only another writer does
 * while an upload runs: then {@link temporaryVanished}. A cut connection stays what it is (it is retried).
 */
export async function orConcurrentWriter(t: Transport, path: string, tmp: string, failure: unknown): Promise<unknown> {
    if ((isFiledropError(failure) && failure.transient) || !/no such file/i.test(messageOf(failure))) {
        return failure;
    }
    const there = await t.stat(tmp).then(
        (st) => st !== undefined,
        () => true,
    );
    return there ? failure : temporaryVanished(t, path, tmp, failure);
}
