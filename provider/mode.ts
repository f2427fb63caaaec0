/**
 * Permission modes: the one place that parses, formats and validates them. "00640", "640", "0o640" and 0o640 all
 * mean the same mode and are all written "0640" (four octal digits), in inputs, outputs and manifests alike.
 */

const MODE_PATTERN = /^(0o|0*)([0-7]{3,4})$/;

/** Problems with a mode as a user may give it (an octal string), or undefined. */
export function modeProblem(mode: unknown): string | undefined {
    if (typeof mode !== "string" || !MODE_PATTERN.test(mode) || parseInt(MODE_PATTERN.exec(mode)![2], 8) > 0o7777) {
        return `must be an octal string such as "0644"; got ${JSON.stringify(mode)}`;
    }
    return undefined;
}

/** The permission bits of an octal string ("0640", "640", "00640", "0o640") or a number. */
export function parseMode(mode: string | number): number {
    if (typeof mode === "number") {
        return mode & 0o7777;
    }
    const m = MODE_PATTERN.exec(mode);
    return (m ? parseInt(m[2], 8) : parseInt(mode, 8)) & 0o7777;
}

/** Permission bits as four octal digits ("0640"); undefined stays undefined. */
export function formatMode(mode: number): string;
export function formatMode(mode: number | undefined): string | undefined;
export function formatMode(mode: number | undefined): string | undefined {
    return mode === undefined ? undefined : (mode & 0o7777).toString(8).padStart(4, "0");
}

/** Any accepted spelling of a mode, written the one way ("0640"). */
export function normalizeMode(mode: string | number): string {
    return formatMode(parseMode(mode));
}

/** True when two modes (any spelling) are the same bits. */
export function sameMode(a: string | number | undefined, b: string | number | undefined): boolean {
    return a === undefined || b === undefined ? a === b : parseMode(a) === parseMode(b);
}
