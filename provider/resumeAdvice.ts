/**
 * What to run after an upload was interrupted (issue 19 item 8). Pulumi's own advice after an interrupted
 * deployment is `pulumi refresh`; for a RemoteFile what helps is `pulumi up` again, which continues the temporary
 * the cut left (ops/stage.ts), and a refresh in between keeps it (ops/refreshSweep.ts). One wording, here.
 */
import { FiledropError, isFiledropError } from "./errors";

/** The sentence every interrupted upload ends with. */
export const RESUME_ADVICE =
    "What reached the server is kept: run `pulumi up` again to continue the upload where it stopped (no `pulumi refresh` is needed; it keeps the partial upload too).";

/**
 * A RemoteFile upload's failure from a lost or unreachable connection, with {@link RESUME_ADVICE} instead of the
 * generic "run the deployment again"; any other error is returned as is.
 */
export function withResumeAdvice(e: unknown): unknown {
    if (!isFiledropError(e) || !(e.transient || e.code === "CONNECTION_LOST" || e.code === "CONNECT_FAILED")) {
        return e;
    }
    const said = e.message.replace(/;? run the deployment again\.?$/, "").replace(/\.$/, "");
    return new FiledropError(e.code, `${said}. ${RESUME_ADVICE}`, { cause: e, transient: e.transient });
}
