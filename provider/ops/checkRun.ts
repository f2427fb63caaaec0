/**
 * The checks of a RemoteFile (`validate` on the temporary, `validateInPlace` on the target): how one is run (with
 * its time limit) and how its end is worded: the one place that says "exited N", "was killed by SIGKILL" or "did
 * not finish within N s", and what of the command's output a message may show (none, for secret content: tools
 * like `nginx -t` quote the offending line).
 */
import { FiledropError, type FiledropErrorCode } from "../errors";
import { shellQuote } from "../shellQuote";
import type { ExecResult, Transport } from "../transport/types";

/** A check as the user gave it, with what running and reporting it needs. */
export interface CheckSpec {
    /** The command as written (`{path}` not yet replaced): messages quote this. */
    readonly command: string;
    /** Stop it after this long (RemoteFile `checkTimeout`). */
    readonly timeoutMs: number;
    /** The file's content is a secret: its output is withheld from every message. */
    readonly secret?: boolean;
}

/** `template` with `{path}` replaced by `path`, shell-quoted; without `{path}`, as written or with `path` appended. */
export function checkCommand(template: string, path: string, append: boolean): string {
    if (template.includes("{path}")) {
        return template.split("{path}").join(shellQuote(path));
    }
    return append ? `${template} ${shellQuote(path)}` : template;
}

/** Runs `command` (the check with its path filled in) under the check's time limit. */
export function runCheck(t: Transport, check: CheckSpec, command: string): Promise<ExecResult> {
    return t.exec(command, { timeoutMs: check.timeoutMs });
}

/** How the command ended, e.g. "`nginx -t` exited 1" or "`sleep 900` did not finish within 60 s and was stopped". */
export function howItEnded(check: CheckSpec, r: ExecResult): string {
    const quoted = `\`${check.command}\``;
    if (r.timedOut === true) {
        return `${quoted} did not finish within ${check.timeoutMs / 1000} s and was stopped (\`checkTimeout\` sets the limit)`;
    }
    if (r.code === null) {
        return r.signal === undefined
            ? `${quoted} ended without an exit status`
            : `${quoted} was killed by ${r.signal}`;
    }
    return `${quoted} exited ${r.code}`;
}

/** The error code of a failed check: CHECK_TIMEOUT when it ran out of time, else VALIDATE_FAILED. */
export function failureCode(r: ExecResult): FiledropErrorCode {
    return r.timedOut === true ? "CHECK_TIMEOUT" : "VALIDATE_FAILED";
}

/**
 * What a message says of the command's output: its last 2000 characters, or, for secret content, that it is
 * withheld and `seeIt` (how to see it on the server).
 */
export function outputOf(check: CheckSpec, r: ExecResult, seeIt: string): string {
    if (check.secret === true) {
        return ` Its output is withheld because the file's content is a secret (the output may quote it); to see it, ${seeIt}.`;
    }
    const output = `${r.stdout}${r.stderr}`.trim().slice(-2000);
    return output === "" ? " It printed nothing." : ` Output:\n${output}`;
}

/** A failed check as the error the resource fails with. */
export function checkFailed(r: ExecResult, message: string): FiledropError {
    return new FiledropError(failureCode(r), message);
}
