/**
 * A RemoteTree's upload of many files: the stages of the verified atomic upload (stage, verify, commit) run over a
 * chunk of files at a time on one pooled connection. Stage every file (many in flight), verify their SHA-256 in
 * batches (one `openssl dgst` per 100 files over SSH), then rename each into place. A file that fails is reported
 * and leaves its target untouched; a dropped connection redoes the chunk (every step is idempotent).
 */
import * as fs from "node:fs";
import * as posix from "node:path/posix";
import { Readable } from "node:stream";
import { forEachLimit } from "../concurrency";
import { STATS_IN_FLIGHT, TREE_FILES_IN_FLIGHT, TREE_FILES_PER_CHUNK, TREE_SMALL_FILE_BYTES } from "../defaults";
import { isFiledropError } from "../errors";
import type { Manifest, TreeEntry } from "../manifest";
import { parseMode } from "../mode";
import { remotePathOf } from "../plan/treeManifest";
import type { TransferMeter } from "../progress/meter";
import { startProgress } from "../progress/ticker";
import { outermostFirst } from "../remotePaths";
import type { RemoteStat, Transport } from "../transport/types";
import { warn } from "../warnings";
import { commitStaged } from "./commit";
import type { KnownStats } from "./knownStats";
import type { OwnerIds } from "./ownerNames";
import { ensureDirs } from "./remoteDirs";
import { abandon, stageUpload } from "./stage";
import { type OwnerLoss, ownerLossWarning } from "./stagedOwner";
import type { StagedUpload } from "./uploadSpec";
import { verifyStaged } from "./verify";

/**
 * The files at the targets of `rels` (about to be uploaded), whose owner and group the new files keep: from what
 * `known` (the operation's listings so far) already tells, else asked, many at once. On a first upload into a new
 * folder nothing is asked.
 */
export async function filesReplaced(
    t: Transport,
    destination: string,
    rels: readonly string[],
    known: KnownStats,
): Promise<Replaced> {
    const found = new Map<string, RemoteStat>();
    const maybe = rels.filter((rel) => !known.absent(remotePathOf(destination, rel)));
    const errors = await forEachLimit([...maybe], STATS_IN_FLIGHT, async (rel) => {
        const st = await known.stat(t, remotePathOf(destination, rel));
        if (st?.kind === "file") {
            found.set(rel, st);
        }
    });
    if (errors.length > 0) {
        throw errors[0];
    }
    return found;
}

/** Runs an operation on a (pooled) connection, again on a new one when the connection drops. */
export type RunOnTransport = <T>(op: (t: Transport) => Promise<T>) => Promise<T>;

/** What uploading a set of files did; `uploaded` holds only the files that made it. */
export interface UploadOutcome {
    uploaded: Manifest;
    createdDirs: string[];
    verifiedBy?: string;
    errors: unknown[];
    /** Replaced files whose owner could not be kept, by target (warned about once, for the whole tree). */
    ownerLost: Map<string, OwnerLoss>;
    endpoint?: string;
}

/** What the tree's files replace: relative path -> the stat of the file at its target, for the files that had one. */
export type Replaced = ReadonlyMap<string, RemoteStat>;

/**
 * Uploads `rels` from `sourceDir` to `destination`, chunk by chunk, each chunk by `run`. Files renamed into place
 * are recorded as they land, also by an attempt that then fails (they are on the server, so the state must know).
 */
export async function uploadFiles(
    run: RunOnTransport,
    sourceDir: string,
    destination: string,
    manifest: Manifest,
    rels: string[],
    /** Owner and group every file gets (set on its temporary, before the rename); else each keeps its replaced one's. */
    ids: OwnerIds = {},
    replaced: Replaced = new Map(),
): Promise<UploadOutcome> {
    const out: UploadOutcome = { uploaded: {}, createdDirs: [], errors: [], ownerLost: new Map() };
    // One progress line for the whole tree: files landed and bytes sent (a chunk redone counts its bytes again).
    const ticking = startProgress({
        label: `Uploading ${rels.length} files to ${destination}`,
        totalFiles: rels.length,
        totalBytes: rels.reduce((n, rel) => n + manifest[rel].size, 0),
    });
    try {
        for (let i = 0; i < rels.length; i += TREE_FILES_PER_CHUNK) {
            const chunk = rels.slice(i, i + TREE_FILES_PER_CHUNK);
            try {
                out.errors.push(
                    ...(await run((t) =>
                        syncChunk(t, sourceDir, destination, manifest, chunk, out, ids, replaced, ticking.meter),
                    )),
                );
            } catch (e) {
                out.errors.push(e);
            }
        }
    } finally {
        ticking.stop();
    }
    if (out.ownerLost.size > 0) {
        const losses = [...out.ownerLost.values()].sort((a, b) => a.path.localeCompare(b.path));
        warn(ownerLossWarning(out.endpoint ?? "", losses));
    }
    return out;
}

/** One attempt at a chunk; records into `out`, returns the files' errors, throws when the chunk must be redone. */
async function syncChunk(
    t: Transport,
    sourceDir: string,
    destination: string,
    manifest: Manifest,
    rels: string[],
    out: UploadOutcome,
    ids: OwnerIds,
    replaced: Replaced,
    meter: TransferMeter,
): Promise<unknown[]> {
    // Folders first, parents before children, so files do not race to create them. Every folder between the
    // destination and a file is looked at, so a link planted at any of them is met (remoteDirs.ts), not walked past.
    const folders = new Set<string>();
    for (const rel of rels) {
        let d = posix.dirname(remotePathOf(destination, rel));
        folders.add(d);
        for (d = posix.dirname(d); d.length > destination.length; d = posix.dirname(d)) {
            folders.add(d);
        }
    }
    for (const d of outermostFirst(folders)) {
        out.createdDirs.push(...(await ensureDirs(t, d)));
    }
    // Each staged file beside its relative path (no path worked out again from its target per file).
    const staged: { rel: string; s: StagedUpload }[] = [];
    // The source folder once, with a slash: a file's local path is then one concatenation (rels are normalised).
    const base = posix.join(sourceDir.split("\\").join("/"), "/");
    const stageErrors = await forEachLimit(rels, TREE_FILES_IN_FLIGHT, async (rel) => {
        const local = base + rel;
        const entry = manifest[rel];
        // Small files are read whole and at once (far cheaper than a stream or four async calls per file), and sent
        // as they are (stage.ts); large ones stream, so memory stays bounded.
        const small = entry.size <= TREE_SMALL_FILE_BYTES ? fs.readFileSync(local) : undefined;
        const spec = {
            path: remotePathOf(destination, rel),
            open: () => (small ? Readable.from([small]) : fs.createReadStream(local, { highWaterMark: 1 << 20 })),
            bytes: small,
            expectedSha256: entry.sha256,
            mode: parseMode(entry.mode),
            uid: ids.uid,
            gid: ids.gid,
            counted: (n: number) => meter.addBytes(n),
        };
        // The size check is left to the SHA-256 check that follows (same hash, same bytes): a round trip saved.
        staged.push({ rel, s: await stageUpload(t, spec, replaced.get(rel) ?? "unknown") });
    });
    const verdicts = await verifyStaged(
        t,
        staged.map((x) => x.s),
    );
    const commitErrors = await forEachLimit(
        staged.map((x, i) => [x, verdicts[i]] as const),
        TREE_FILES_IN_FLIGHT,
        async ([{ rel, s }, verdict]) => {
            if (typeof verdict !== "string") {
                await abandon(t, s);
                throw verdict;
            }
            const r = await commitStaged(t, s, verdict);
            if (r.ownerLost !== undefined) {
                out.ownerLost.set(r.ownerLost.path, r.ownerLost);
                out.endpoint = t.endpoint;
            }
            out.uploaded[rel] = landedEntry(manifest[rel], r.sha256, r.size);
            out.verifiedBy = r.verifiedBy;
            meter.addFile();
        },
    );
    const errors = [...stageErrors, ...commitErrors];
    // A lost connection (or another transient failure) fails the whole chunk, so the pool retries it on a new one.
    const lost = errors.find((e) => isFiledropError(e) && e.transient);
    if (lost !== undefined) {
        throw lost;
    }
    return errors;
}

/**
 * The entry to record for a file that landed: the plan's own entry object when the file is what it says (the usual
 * case: no second object per file of the tree, issue 22), else a new one with what landed.
 */
export function landedEntry(planned: TreeEntry, sha256: string, size: number): TreeEntry {
    return planned.sha256 === sha256 && planned.size === size ? planned : { sha256, size, mode: planned.mode };
}
