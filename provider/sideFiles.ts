/**
 * The names of the files this package writes beside a target, all `.<name>.filedrop-…` in the target's folder, in
 * one place: whoever sweeps, skips, backs up or explains them (ops/, errors.ts) asks here.
 * - temporary `.<name>.filedrop-<12 hex>`: an upload before its rename (ops/temporaries.ts sweeps stale ones);
 * - backup `.<name>.filedrop-backup-<12 hex>`: the copy of an adopted file (ops/backup.ts), never swept;
 * - new-file marker `.<name>.filedrop-new-<12 hex>`: a create's note that the target was absent (ops/backup.ts);
 * - aside `.<name>.filedrop-old-<12 hex>`: the old file while the new one is moved in (ops/replace.ts), never swept;
 * - check record `.<name>.filedrop-old-<12 hex>-<8 hex | none>`: the previous file (or a note that none was there)
 *   while `validateInPlace` runs (ops/checkRecords.ts), the longest of them all (CHECK_RECORD_EXTRA).
 */
import * as posix from "node:path/posix";

/** The kinds of side file with an infix; a temporary has none. */
export type SideFileKind = "backup" | "new" | "old";

const TEMPORARY = /^\..+\.filedrop-[0-9a-f]{12}$/;
const BACKUP = /^\..+\.filedrop-backup(-[0-9a-f]{12})?$/;

/** Prefix of the side files of `target` of one kind (a temporary's without a kind). */
export function sideFilePrefix(target: string, kind?: SideFileKind): string {
    return `.${posix.basename(target)}.filedrop-${kind === undefined ? "" : `${kind}-`}`;
}

/** The path of a side file of `target`: its kind's prefix and 12 hex digits (`hex`, cut to 12). */
export function sideFilePath(target: string, hex: string, kind?: SideFileKind): string {
    return posix.join(posix.dirname(target), sideFilePrefix(target, kind) + hex.slice(0, 12));
}

/** True for the name of a temporary this package writes, never for a backup or another side file. */
export function isTemporaryName(name: string): boolean {
    return TEMPORARY.test(name);
}

/** True for the name of a backup of an adopted file. */
export function isBackupName(name: string): boolean {
    return BACKUP.test(name);
}

/** True for the name of a side file of kind `kind` of target `target` (any content). */
export function isSideFileOf(target: string, kind: SideFileKind, name: string): boolean {
    const prefix = sideFilePrefix(target, kind);
    return name.startsWith(prefix) && /^[0-9a-f]{12}$/.test(name.slice(prefix.length));
}

/**
 * The path of a check record of `target` for the new content `checkedSha256`: `suffix` is 8 hex digits (the kept
 * previous file) or `none` (nothing was there).
 */
export function checkRecordPath(target: string, checkedSha256: string, suffix: string): string {
    return posix.join(posix.dirname(target), `${sideFilePrefix(target, "old")}${checkedSha256.slice(0, 12)}-${suffix}`);
}

const CHECK_RECORD = /^\.(.+)\.filedrop-old-([0-9a-f]{12})-([0-9a-f]{8}|none)$/;

/** The check record named `name` of a file named `base`: the content tag it was made for, and whether it says none. */
export function checkRecordOf(base: string, name: string): { tag: string; absent: boolean } | undefined {
    const m = CHECK_RECORD.exec(name);
    return m !== null && m[1] === base ? { tag: m[2], absent: m[3] === "none" } : undefined;
}

/** The bytes the longest side-file name, a check record's, adds to a file's name. */
export const CHECK_RECORD_EXTRA = ".".length + ".filedrop-old-".length + 12 + "-".length + 8;
