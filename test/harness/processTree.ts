/** The processes a test started, found by their parent ids, so that a test can SIGKILL a whole deployment. */
import * as fs from "node:fs";
import * as path from "node:path";
import { descendants } from "./servers/processes";

/** `pid` and every process below it (children, grandchildren...), read from /proc. */
export function processTree(pid: number): number[] {
    return [pid, ...descendants(pid)];
}

/** SIGKILLs `pid` and every process below it at once (none gets to clean up), like a power cut of the CI runner. */
export function killTree(pid: number): number[] {
    const tree = processTree(pid);
    for (const p of tree) {
        try {
            process.kill(p, "SIGKILL");
        } catch {
            // Already gone.
        }
    }
    return tree;
}

/** The temporary an upload of `name` writes in `dir` (`.<name>.filedrop-<12 hex>`), if one is there. */
export function uploadTemporary(dir: string, name: string): string | undefined {
    const prefix = `.${name}.filedrop-`;
    return fs.readdirSync(dir).find((f) => f.startsWith(prefix) && /^[0-9a-f]{12}$/.test(f.slice(prefix.length)));
}

/**
 * Kills the whole process tree of a running `pulumi` command (CLI, language host, provider) once the upload of
 * `name` into `dir` has put more than `bytes` in its temporary, and waits for the command to end. Bounded: gives up
 * looking after 120 s (the upload starts within seconds). Returns the pids killed (none if it never got there).
 */
export async function killMidUpload(
    run: { pid: number; done: Promise<unknown> },
    dir: string,
    name: string,
    bytes: number,
): Promise<number[]> {
    let killed: number[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
        const t = uploadTemporary(dir, name);
        if (t !== undefined && fs.statSync(path.join(dir, t)).size > bytes) {
            killed = killTree(run.pid);
            break;
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    await run.done;
    return killed;
}
