/**
 * The RemoteTree dynamic-provider handler. The SDK builds the manifest (relative path -> sha256, size, mode) at
 * program time; diff compares it with the manifest of what the tree last put on the server (`files`), so preview
 * is local. `up` uploads only what was added or changed, each file by a verified atomic upload; destroy removes
 * exactly the files it uploaded and the folders it created.
 */
import * as posix from "node:path/posix";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { CheckFailure } from "../checkFailure";
import type { ConnectionInputs, CredentialInputs } from "../connection";
import { DEFAULT_CREATE_PARENTS, DEFAULT_PRUNE } from "../defaults";
import { FiledropError, folderMissing, isFiledropError, messageOf } from "../errors";
import { localFolderProblem, localPath } from "../localFiles";
import type { Manifest, TreeEntry } from "../manifest";
import { modeProblem, parseMode, sameMode } from "../mode";
import { applyMode } from "../ops/applyMode";
import { KnownStats, statOf } from "../ops/knownStats";
import { type OwnerIds, resolveOwner } from "../ops/ownerNames";
import type { DestroyOutcome } from "../ops/ownership";
import { ensureDirs, removeEmptyDirs } from "../ops/remoteDirs";
import { type Adopted, adoptExisting, releaseFiles } from "../ops/treeOwnership";
import { notIn, removeFiles, sweepFolders } from "../ops/treeRemove";
import { listFiles, scanOwned } from "../ops/treeScan";
import { filesReplaced, type Replaced, type RunOnTransport, uploadFiles } from "../ops/treeUpload";
import { checkConnection, fileNameProblem, remotePathProblem } from "../plan/checkInputs";
import { CONNECTION_RULES, diffByRules, inputsOf, type KeyRules, locationDiff } from "../plan/fileDiff";
import { argumentFailures } from "../plan/knownKeys";
import { encodeManifest, manifestOf, type StoredManifest } from "../plan/manifestCodec";
import { forEachPath } from "../plan/manifestWalk";
import { ownerFailures } from "../plan/ownerInputs";
import { credentialsRotated } from "../plan/previewNotes";
import { foldersOfStored, ownedAfter, planStored, sameStored, storedChanges } from "../plan/storedSync";
import { describeDiff, relativePathProblem, remotePathOf, type TreeChanges } from "../plan/treeManifest";
import { isAncestorOrSelf, outermostFirst } from "../remotePaths";
import { withTransport } from "../transport/pool";
import { isKnown } from "../unknown";
import { newWriteId } from "../writeId";
import { plain } from "./plain";

export type Prune = boolean | "all";

/** Inputs of a RemoteTree, as the SDK hands them to the provider. */
export interface RemoteTreeInputs {
    connection: ConnectionInputs;
    credentials?: CredentialInputs;
    /**
     * The local folder the manifest was built from: relative to the project's folder when below it (so another
     * checkout of the same program sees the same inputs), else absolute. Older releases kept it absolute.
     */
    sourceDir: string;
    /** Absolute remote folder. */
    destination: string;
    include?: string[];
    exclude?: string[];
    modes?: Record<string, string>;
    /** Owner of the tree's files by name or number, resolved on the server at each apply. */
    owner?: string | number;
    /** Group of the tree's files by name or number, like `owner`. */
    group?: string | number;
    prune?: Prune;
    createParents?: boolean;
    /**
     * The files the program wants there: packed (plan/manifestCodec.ts) as the SDK sends it and check returns it;
     * a map in state written by earlier releases.
     */
    manifest: StoredManifest;
    /** Problems found while building the manifest (symlinks leaving the source...), reported by check. */
    problems?: string[];
    /**
     * Set by check, for people only: the files this deployment adds, changes and removes, from the last deployed
     * manifest to this one (absent when none), so that `pulumi preview --diff` names them. Diff ignores it.
     */
    changes?: TreeChanges;
    /**
     * Set by the SDK: true while previewing. Check computes `changes` only then and drops this flag, so the state
     * never keeps a list (the next preview then shows only its own names, not the last deployment's). A preview
     * needs no credential, so check does not require one then.
     */
    preview?: boolean;
    /** Set by the SDK: names of arguments the resource does not have. Check refuses any, so it is never stored. */
    unknownArgs?: string[];
    /** Set by the SDK: the resource's URN, for the audit log (provider/audit). */
    resourceUrn?: string;
}

/** What refresh found. */
export interface TreeDrift {
    changed: string[];
    missing: string[];
    /** Files below the destination the tree does not own (looked for only with `prune: "all"`). */
    extra: string[];
}

/** Outputs: the inputs plus what the tree owns on the server. */
export interface RemoteTreeOutputs extends Omit<RemoteTreeInputs, "manifest"> {
    /**
     * The manifest last deployed; left out when it is the same as `files` (the usual case: one copy in the state
     * instead of two). Earlier releases always kept it. Read it with `deployedManifest`.
     */
    manifest?: StoredManifest;
    /** The files the tree uploaded and owns, as last verified on the server (packed like `manifest`). */
    files: StoredManifest;
    /** Remote folders the tree created, outermost first; destroy removes them when empty. */
    createdDirs: string[];
    drift: TreeDrift;
    /** What the last create/update did, e.g. "2 added (a, b), 1 changed (c), 0 removed". */
    lastChanges: string;
    /**
     * New whenever a create or update changes a file on the server (an upload, also the repair of drift, a removal,
     * a mode or owner change), kept otherwise: what a reload's `triggers` should name (provider/writeId.ts). Absent
     * in state written by earlier releases until the next change.
     */
    writeId?: string;
    verifiedBy?: string;
    /**
     * Files that were at their path before the tree first wrote them (adopted), each with where the earlier file is
     * kept; destroy (or pruning the file) puts it back. Absent in state from earlier releases.
     */
    adopted?: Adopted;
}

/** How diff treats every input key (the compiler insists on all of them; test/unit checks each rule). */
export const RULES: KeyRules<RemoteTreeInputs> = {
    ...CONNECTION_RULES,
    sourceDir: "ignore", // the manifest says what is there; the same files from another folder are no change
    destination: "replace",
    include: "ignore", // decides the manifest, which is diffed
    exclude: "ignore", // decides the manifest, which is diffed
    modes: "ignore", // decides the manifest's modes, which are diffed
    owner: "update", // set on every file of the tree
    group: "update", // set on every file of the tree
    prune: "update",
    createParents: "update",
    manifest: "custom", // file by file against what the tree owns (planStored)
    problems: "ignore", // check refuses any
    changes: "ignore", // for people only (preview --diff)
    preview: "ignore", // dropped by check
    unknownArgs: "ignore", // check refuses any
    resourceUrn: "ignore", // for the audit log only
};

/** The inputs with every default applied: the one place RemoteTree defaults live. */
function withDefaults(i: RemoteTreeInputs): RemoteTreeInputs {
    return {
        ...i,
        prune: i.prune ?? DEFAULT_PRUNE,
        createParents: i.createParents ?? DEFAULT_CREATE_PARENTS,
        unknownArgs: undefined,
    };
}
const NO_DRIFT: TreeDrift = { changed: [], missing: [], extra: [] };

export async function check(
    olds: RemoteTreeInputs,
    news: RemoteTreeInputs,
): Promise<dynamic.CheckResult<RemoteTreeInputs>> {
    const failures: CheckFailure[] = [
        ...argumentFailures("RemoteTree", news.unknownArgs),
        ...checkConnection(news.connection, news.credentials, news.preview === true),
    ];
    const dest = isKnown(news.destination) ? remotePathProblem(news.destination) : undefined;
    if (dest) {
        failures.push({ property: "destination", reason: dest });
    }
    const source = isKnown(news.sourceDir) ? localFolderProblem(news.sourceDir) : undefined;
    if (source) {
        failures.push({ property: "source", reason: source });
    }
    for (const p of news.problems ?? []) {
        failures.push({ property: "source", reason: p });
    }
    const manifest = isKnown(news.manifest) && news.manifest ? news.manifest : undefined;
    if (manifest !== undefined) {
        // Path by path from the packed form, with no map of the files (issue 22).
        forEachPath(manifest, (rel) => {
            const p = relativePathProblem(rel);
            const name = p === undefined ? fileNameProblem(rel) : undefined;
            if (p) {
                failures.push({ property: "source", reason: p });
            } else if (name) {
                failures.push({ property: "source", reason: `"${rel.slice(0, 200)}" ${name}` });
            }
        });
    }
    for (const [pattern, mode] of Object.entries(isKnown(news.modes) ? (news.modes ?? {}) : {})) {
        const p = modeProblem(mode);
        if (p) {
            failures.push({ property: `modes["${pattern}"]`, reason: p });
        }
    }
    if (news.prune !== undefined && isKnown(news.prune) && ![true, false, "all"].includes(news.prune)) {
        failures.push({ property: "prune", reason: `must be true, false or "all"; got ${JSON.stringify(news.prune)}` });
    }
    failures.push(...ownerFailures(news));
    const inputs = withChanges(olds, withDefaults(news));
    if (manifest !== undefined && typeof inputs.manifest !== "string") {
        inputs.manifest = encodeManifest(manifestOf(manifest)); // one string through the engine and in the state (issue 22)
    }
    return { inputs: plain(inputs), failures };
}

/** The value to keep for a manifest: `m` packed, or `same` (an already packed string) when it holds the same files. */
function packed(m: StoredManifest, same?: StoredManifest): string {
    if (typeof same === "string" && sameStored(same, m)) {
        return same;
    }
    return typeof m === "string" ? m : encodeManifest(m);
}

/** The manifest last deployed, from outputs: `manifest`, or `files` when it was left out as the same. */
export function deployedManifest(outs: Pick<RemoteTreeOutputs, "manifest" | "files">): StoredManifest {
    return outs.manifest ?? outs.files;
}

/**
 * `news` with, in a preview, `changes` computed from the manifest last deployed (`olds`, the stored inputs) to the
 * new one. A new tree, or one that moves elsewhere (a replace), adds every file.
 */
export function withChanges(olds: Partial<RemoteTreeInputs> | undefined, news: RemoteTreeInputs): RemoteTreeInputs {
    const { changes: _stale, preview, ...inputs } = news;
    if (
        preview !== true ||
        !isKnown(news.manifest) ||
        !news.manifest ||
        !isKnown(news.destination) ||
        !isKnown(news.connection) ||
        !isKnown(news.prune)
    ) {
        return inputs;
    }
    const sameTree =
        olds?.manifest !== undefined &&
        olds.connection !== undefined &&
        locationDiff(
            { connection: olds.connection, path: olds.destination ?? "" },
            { connection: news.connection, path: news.destination },
        ).replaces.length === 0;
    // The same packed string is the same files: nothing to name, with no walk (the unchanged tree, issue 22).
    // Else one walk over both packed manifests, with the entries of only the files named (issue 22).
    const unchanged = sameTree && typeof news.manifest === "string" && olds!.manifest === news.manifest;
    const files = unchanged
        ? undefined
        : storedChanges(sameTree ? olds!.manifest : undefined, news.manifest, news.prune);
    const rotated = sameTree && isKnown(news.credentials) && credentialsRotated(olds?.credentials, news.credentials);
    const changes: TreeChanges | undefined = !rotated
        ? files
        : {
              ...files,
              summary: files ? `${files.summary}; credentials changed` : "credentials changed; nothing is uploaded",
          };
    return changes === undefined ? inputs : { ...inputs, changes };
}

export async function diff(_id: string, olds: RemoteTreeOutputs, news: RemoteTreeInputs): Promise<dynamic.DiffResult> {
    const changed: string[] = [];
    if (!isKnown(news.manifest)) {
        changed.push("manifest");
    } else if (typeof olds.files !== "string" || olds.files !== news.manifest) {
        // The same packed string is the same files: the unchanged tree costs a string compare (issue 22).
        // One walk over both packed manifests, with no map of either (issue 22).
        const plan = planStored(olds.files, news.manifest, news.prune);
        if (plan.added.length + plan.changed.length + plan.removed.length > 0) {
            changed.push("manifest");
            // No detailedDiff for Node dynamic providers: `pulumi preview --diff` names the files through the
            // `changes` input check sets in a preview; the provider's stderr, which the engine shows, names them too.
            process.stderr.write(`filedrop RemoteTree ${news.destination}: ${describeDiff(plan)}\n`);
        }
    }
    if (news.prune === "all" && (olds.drift?.extra ?? []).length > 0) {
        changed.push("drift");
    }
    return diffByRules(
        RULES,
        { ...olds, manifest: deployedManifest(olds) },
        news,
        { olds: olds.destination, news: news.destination },
        changed,
    );
}

/** A failure that still records what the tree now owns, so state never loses track of uploaded files. */
function partialFailure(id: string, outs: RemoteTreeOutputs, errors: unknown[]): Error {
    const first = errors[0];
    const reasons = errors.slice(0, 5).map(messageOf);
    const e = new FiledropError(
        isFiledropError(first) ? first.code : "REMOTE_IO",
        `${errors.length} file(s) of the tree at ${outs.destination} failed; the others are in place and recorded. First: ${messageOf(first)}`,
        { cause: first },
    ) as FiledropError & { id: string; properties: unknown; reasons: string[] };
    Object.assign(e, { id, properties: plain(outs), reasons });
    return e;
}

/** Brings the server from `owned` to `news`; used by create (owned = {}) and update. */
async function sync(
    id: string,
    news: RemoteTreeInputs,
    owned: StoredManifest,
    createdBefore: string[],
    adoptedBefore: Adopted = {},
    ownerChanged = false,
    writeIdBefore?: string,
): Promise<RemoteTreeOutputs> {
    const run: RunOnTransport = (op) => withTransport(news.connection, news.credentials ?? {}, op);
    // One walk over what the tree owns and what the program wants: the plan, with the entries of only the files it
    // adds, changes and removes (`want`: their new entries), never a map of every file (issue 22).
    const plan = planStored(owned, news.manifest, news.prune);
    const want = plan.wanted;
    const createdDirs = [...createdBefore];
    const adopted: Adopted = {};
    let ids: OwnerIds = {};
    let replaced: Replaced = new Map();
    // Setup on one pooled operation: the destination, stale temporaries, metadata-only changes, removals.
    const extra = await run(async (t) => {
        // What this attempt's listings show: adoption then asks only about paths that may hold a file.
        // Of the listings, only what tells of the files about to be written is kept (their folders' names, their
        // stats, for adoptExisting and filesReplaced), not a path and a stat per file of the tree (issue 22).
        const known = new KnownStats(writtenOrAbove(news.destination, want));
        if (news.createParents === true) {
            createdDirs.push(...(await ensureDirs(t, news.destination, undefined, known)));
        } else if ((await statOf(t, news.destination, known))?.kind !== "directory") {
            throw folderMissing(t.endpoint, news.destination);
        }
        await sweepFolders(t, [news.destination, ...foldersOfStored(news.destination, news.manifest)], known);
        for (const rel of plan.chmodOnly) {
            await applyMode(t, remotePathOf(news.destination, rel), parseMode(want[rel].mode));
        }
        ids = await resolveOwner(t, news.owner, news.group);
        if (ownerChanged) {
            // The files kept as they are get the new owner/group here; the ones uploaded get it on their temporary.
            const wantAll = manifestOf(news.manifest);
            const upload = new Set(plan.upload);
            const kept = Object.keys(manifestOf(owned)).filter((rel) => rel in wantAll && !upload.has(rel));
            for (const rel of kept) {
                await t.chown(remotePathOf(news.destination, rel), ids.uid ?? -1, ids.gid ?? -1);
            }
        }
        const strays =
            news.prune === "all"
                ? notIn(await listFiles(t, news.destination), manifestOf(news.manifest), manifestOf(owned))
                : [];
        // Files the tree gives up: by the ownership rules (an adopted one is put back, a changed one left).
        await releaseFiles(t, news.destination, plan.removed, plan.given, adoptedBefore);
        // Only folders this update may have emptied are looked at: each a stat and a listing (issue 13).
        await removeFiles(
            t,
            news.destination,
            strays,
            foldersAbove(news.destination, [...plan.removed, ...strays], createdDirs),
        );
        Object.assign(adopted, await adoptExisting(t, news.destination, plan.added, want, known));
        // The files replaced (adopted ones, and the tree's own changed ones) keep their owner and group unless given.
        replaced = await filesReplaced(t, news.destination, plan.upload, known);
        return strays;
    });
    const up = await uploadFiles(run, localPath(news.sourceDir), news.destination, want, plan.upload, ids, replaced);
    const removed = new Set(plan.removed);
    for (const [rel, backup] of Object.entries(adoptedBefore)) {
        if (!removed.has(rel)) {
            adopted[rel] = backup;
        }
    }
    const wanted = typeof news.manifest === "string" ? news.manifest : encodeManifest(news.manifest);
    // What the tree owns now: the wanted manifest itself when every file landed as wanted and nothing stays that the
    // program left out; else written in one walk over what it owned (no copy of its map), the uploads winning.
    const landed =
        Object.keys(up.uploaded).length === plan.upload.length &&
        plan.upload.every((rel) => sameEntry(up.uploaded[rel], want[rel])) &&
        (news.prune !== false || Object.keys(plan.given).length === plan.changed.length);
    const chmod = Object.fromEntries(plan.chmodOnly.map((rel) => [rel, want[rel].mode]));
    const files = landed ? wanted : ownedAfter(owned, plan.removed, chmod, up.uploaded);
    const dirs = outermostFirst(new Set([...createdDirs, ...up.createdDirs]));
    const filesPacked = packed(files, wanted);
    const outs: RemoteTreeOutputs = {
        ...news,
        // One copy in the state when the tree owns exactly what the program wants (deployedManifest).
        manifest: filesPacked === wanted ? undefined : wanted,
        files: filesPacked,
        createdDirs: dirs,
        drift: NO_DRIFT,
        lastChanges: `${describeDiff(plan)}${extra.length > 0 ? `; ${extra.length} stray file(s) pruned` : ""}`,
        verifiedBy: up.verifiedBy,
        adopted: Object.keys(adopted).length > 0 ? sortAdopted(adopted) : undefined,
        writeId:
            ownerChanged ||
            extra.length > 0 ||
            Object.keys(up.uploaded).length + plan.removed.length + plan.chmodOnly.length > 0 ||
            writeIdBefore === undefined
                ? newWriteId()
                : writeIdBefore,
    };
    if (up.errors.length > 0) {
        throw partialFailure(id, outs, up.errors);
    }
    return plain(outs);
}

/** Whether a remote path is one of the files of `want` (below `destination`) or a folder above one. */
export function writtenOrAbove(destination: string, want: Manifest): (path: string) => boolean {
    const root = destination.endsWith("/") ? destination : `${destination}/`;
    const folders = new Set<string>();
    for (const rel of Object.keys(want)) {
        for (let d = posix.dirname(rel); d !== "." && !folders.has(d); d = posix.dirname(d)) {
            folders.add(d);
        }
    }
    return (p) => {
        if (p === destination || `${p}/` === root) {
            return true;
        }
        const rel = p.startsWith(root) ? p.slice(root.length) : undefined;
        return rel !== undefined && (Object.hasOwn(want, rel) || folders.has(rel));
    };
}

/** True when two entries are the same file (content and mode). */
function sameEntry(a: TreeEntry | undefined, b: TreeEntry | undefined): boolean {
    return a !== undefined && b !== undefined && a.sha256 === b.sha256 && a.size === b.size && sameMode(a.mode, b.mode);
}

/** The folders of `created` that hold one of the files `rels` (below `destination`), at any depth. */
export function foldersAbove(destination: string, rels: readonly string[], created: readonly string[]): string[] {
    const paths = rels.map((rel) => remotePathOf(destination, rel));
    return created.filter((d) => paths.some((p) => p !== d && isAncestorOrSelf(d, p)));
}

function sortAdopted(a: Adopted): Adopted {
    return Object.fromEntries(
        Object.keys(a)
            .sort()
            .map((k) => [k, a[k]]),
    );
}

function idOf(i: RemoteTreeInputs): string {
    return `tree:${i.connection.host}:${i.connection.port ?? ""}${i.destination}`;
}

export async function create(inputs: RemoteTreeInputs): Promise<dynamic.CreateResult<RemoteTreeOutputs>> {
    const id = idOf(inputs);
    return { id, outs: await sync(id, inputs, {}, []) };
}

export async function update(
    id: string,
    olds: RemoteTreeOutputs,
    news: RemoteTreeInputs,
): Promise<dynamic.UpdateResult<RemoteTreeOutputs>> {
    const ownerChanged =
        (news.owner !== undefined && news.owner !== olds.owner) ||
        (news.group !== undefined && news.group !== olds.group);
    return {
        outs: await sync(id, news, olds.files, olds.createdDirs ?? [], olds.adopted ?? {}, ownerChanged, olds.writeId),
    };
}

export async function read(id: string, props: RemoteTreeOutputs): Promise<dynamic.ReadResult<RemoteTreeOutputs>> {
    const owned = manifestOf(props.files);
    return withTransport(props.connection, props.credentials ?? {}, async (t) => {
        // Leftovers of a crash, in the folders of the files it owns (walked from the stored form, with no map).
        await sweepFolders(t, [props.destination, ...foldersOfStored(props.destination, props.files)]);
        const scan = await scanOwned(t, props.destination, owned);
        const extra =
            props.prune === "all" && (await t.stat(props.destination))?.kind === "directory"
                ? notIn(await listFiles(t, props.destination), owned)
                : [];
        // The manifest last deployed stays what it was (the next preview names changes from it), packed.
        const deployed = deployedManifest(props);
        const manifest = typeof deployed === "string" ? deployed : encodeManifest(deployed);
        const files = packed(scan.files, props.files);
        const inputs = inputsOf(RULES, { ...props, manifest }) as unknown as RemoteTreeOutputs;
        return {
            id,
            props: plain({
                ...props,
                manifest: manifest === files ? undefined : manifest,
                files,
                drift: { changed: scan.changed, missing: scan.missing, extra: extra.sort() },
            }),
            inputs: plain(inputs),
        };
    });
}

/** Destroys the tree's files by the ownership rules; returns what became of each file (for the audit log). */
export async function remove(_id: string, props: RemoteTreeOutputs): Promise<Record<string, DestroyOutcome>> {
    return withTransport(props.connection, props.credentials ?? {}, async (t) => {
        const created = props.createdDirs ?? [];
        const owned = manifestOf(props.files);
        // Leftovers of a crash, in the folders of the files it owns (walked from the stored form, with no map).
        await sweepFolders(t, [props.destination, ...foldersOfStored(props.destination, props.files)]);
        // Adopted files are put back, created ones deleted, files changed since left in place (with a warning).
        const { outcomes } = await releaseFiles(t, props.destination, Object.keys(owned), owned, props.adopted ?? {});
        const gone = await removeFiles(t, props.destination, [], created);
        // Folders shared with sibling resources deleted in parallel: see removeEmptyDirs.
        await removeEmptyDirs(
            t,
            created.filter((d) => !gone.includes(d)),
            props.destination,
        );
        return outcomes;
    });
}
