/**
 * The types of a RemoteTree's manifest and of one tree sync, on the ground floor: the SDK builds manifests,
 * plan/ compares them, ops/ uploads and removes by them, the audit log reads the sync; none needs another's code.
 */

/** One file of the tree. */
export interface TreeEntry {
    /** SHA-256 (hex) of the content. */
    sha256: string;
    size: number;
    /** Octal permission string, such as "0644". */
    mode: string;
}

/** Relative POSIX path (below the tree's root) -> entry. */
export type Manifest = Record<string, TreeEntry>;

/** What changed between two manifests; each list sorted. */
export interface ManifestDiff {
    added: string[];
    /** Content or mode differs. */
    changed: string[];
    removed: string[];
}

/**
 * One tree sync: what going from the files a tree owns to a manifest does, file by file (each list sorted). The one
 * record the preview notes (`changes`), the outputs (`lastChanges`) and the audit log read (plan/storedSync.ts
 * `planStored` makes it).
 */
export interface TreeSync extends ManifestDiff {
    /** Files whose bytes are sent: the added ones and those whose content changed. */
    upload: string[];
    /** Files whose content is the same and only the mode changes. */
    chmodOnly: string[];
}
