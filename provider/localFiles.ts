/**
 * Local paths given by the program: how they are kept in state, and checks of them (run by `check`, on the machine
 * running the deployment).
 *
 * Pulumi runs the program and the dynamic provider in the project's folder (the one with Pulumi.yaml), so a path
 * below it is kept relative to it: the same stack previewed from another checkout (every CI runner has its own
 * folder) sees the same inputs. A path outside the project stays absolute.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * How a local path is kept in the inputs: relative to `base` (POSIX separators) when it lies below it, else
 * absolute. `base` is the program's working folder, the project's root.
 */
export function storedLocalPath(given: string, base: string = process.cwd()): string {
    const abs = path.resolve(base, given);
    const rel = path.relative(base, abs);
    if (rel === "") {
        return ".";
    }
    if (rel.startsWith("..") || path.isAbsolute(rel)) {
        return abs;
    }
    return rel.split(path.sep).join("/");
}

/** The absolute path of a stored local path (relative ones are below the project's folder, the working folder). */
export function localPath(stored: string): string {
    return path.resolve(stored);
}

/** Problems with a local source file, or undefined. */
export function localSourceProblem(stored: string): string | undefined {
    const p = localPath(stored);
    try {
        if (!fs.statSync(p).isFile()) {
            return `"${p}" is not a regular file`;
        }
    } catch {
        return `"${p}" does not exist on this machine (relative paths are relative to the project's folder, where Pulumi.yaml is)`;
    }
    return undefined;
}

/** Problems with a local source folder, or undefined. */
export function localFolderProblem(stored: unknown): string | undefined {
    const p = typeof stored === "string" ? localPath(stored) : undefined;
    if (p !== undefined && fs.existsSync(p) && fs.statSync(p).isDirectory()) {
        return undefined;
    }
    return `"${String(p ?? stored)}" is not a folder on this machine (relative paths are relative to the project's folder, where Pulumi.yaml is)`;
}
