/** Remote POSIX path helpers: the one place for ancestry and depth order of remote folders. */

/** Number of segments of an absolute path ("/" is 1, "/a" 2). */
function depth(p: string): number {
    return p.split("/").length;
}

/** True when `dir` is `p` or a folder above it (POSIX, absolute, whole segments). */
export function isAncestorOrSelf(dir: string, p: string): boolean {
    return dir === p || dir === "/" || p.startsWith(`${dir}/`);
}

/** `paths` sorted parents before children (then by name); a new array. */
export function outermostFirst(paths: Iterable<string>): string[] {
    return [...paths].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}

/** `paths` sorted children before parents (then by name); a new array. */
export function innermostFirst(paths: Iterable<string>): string[] {
    return [...paths].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b));
}
