/** Checks of local paths given by the program (run by `check`, on the machine running the deployment). */
import * as fs from "node:fs";

/** Problems with a local source file, or undefined. */
export function localSourceProblem(path: string): string | undefined {
    try {
        if (!fs.statSync(path).isFile()) {
            return `"${path}" is not a regular file`;
        }
    } catch {
        return `"${path}" does not exist on this machine (paths are relative to the program's folder)`;
    }
    return undefined;
}

/** Problems with a local source folder, or undefined. */
export function localFolderProblem(path: unknown): string | undefined {
    if (typeof path === "string" && fs.existsSync(path) && fs.statSync(path).isDirectory()) {
        return undefined;
    }
    return `"${String(path)}" is not a folder on this machine (paths are relative to the program's folder)`;
}
