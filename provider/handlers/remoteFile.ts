/**
 * The RemoteFile dynamic-provider handler: check, diff, create, read, update, delete. Protocol-neutral: it speaks
 * `Transport` through the pool, and uploads by the verified atomic upload of ops/.
 */
import * as fs from "node:fs";
import * as posix from "node:path/posix";
import { Readable } from "node:stream";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { Capability } from "../capabilities";
import type { CheckFailure } from "../checkFailure";
import { type ConnectionInputs, type CredentialInputs, endpointUrl, protocolOf } from "../connection";
import { DEFAULT_CHECK_TIMEOUT_S, DEFAULT_CREATE_PARENTS, DEFAULT_SYMLINKS, MAX_CHECK_TIMEOUT_S } from "../defaults";
import { FiledropError, hasCode } from "../errors";
import { localPath, localSourceProblem } from "../localFiles";
import { formatMode, modeProblem, parseMode, sameMode } from "../mode";
import { applyMode } from "../ops/applyMode";
import { recoverInterruptedCheck } from "../ops/checkRecords";
import { KnownStats, statOf } from "../ops/knownStats";
import { type OwnerIds, resolveOwner } from "../ops/ownerNames";
import {
    abandonAdoption,
    adopt,
    type DestroyOutcome,
    destroyFile,
    finishCreate,
    type Ownership,
} from "../ops/ownership";
import { sweepButNewest } from "../ops/refreshSweep";
import { removeEmptyDirs } from "../ops/remoteDirs";
import { remoteSha256 } from "../ops/remoteHash";
import { refuseChangedSinceWritten } from "../ops/sinceWritten";
import { type SymlinkPolicy, type WriteTarget, writeTarget } from "../ops/symlinks";
import { verifiedUpload } from "../ops/upload";
import type { UploadResult } from "../ops/uploadSpec";
import { checkConnection, checkedMode, fileNameProblem, remotePathProblem } from "../plan/checkInputs";
import { contentSizeProblem } from "../plan/contentSize";
import { CONNECTION_RULES, diffByRules, inputsOf, type KeyRules } from "../plan/fileDiff";
import { argumentFailures } from "../plan/knownKeys";
import { ownerFailures } from "../plan/ownerInputs";
import { type FileChanges, fileChanges } from "../plan/previewNotes";
import { isProtocol, protocolInfo, protocolsThat } from "../protocols";
import { withResumeAdvice } from "../resumeAdvice";
import { withTransport } from "../transport/pool";
import type { Transport } from "../transport/types";
import { isKnown } from "../unknown";
import { newWriteId } from "../writeId";
import { plain } from "./plain";

export type OnDeleteFile = "delete" | "restore";

/** The version of the outputs written by this release: 2 since adopted files are restored by default (issue 8). */
export const STATE_VERSION = 2;

/** Inputs of a RemoteFile, as the SDK hands them to the provider (check fills in the defaults). */
export interface RemoteFileInputs {
    connection: ConnectionInputs;
    credentials?: CredentialInputs;
    path: string;
    /** The text to write, when given as `content` (possibly a secret). */
    content?: string;
    /**
     * The local file, when given as `source`: relative to the project's folder when below it (so another checkout
     * of the same program sees the same inputs), else absolute. Older releases kept it absolute.
     */
    sourcePath?: string;
    /**
     * The `source` file's text, when it is UTF-8 text of at most TEXT_DIFF_MAX_BYTES, after SOURCE_TEXT_HEADER
     * (provider/defaults.ts): kept so that `pulumi preview --diff` shows a line diff of it. A secret when `source`
     * is one.
     */
    sourceText?: string;
    /** SHA-256 (hex) of the bytes the program wants there; on outputs, the one verified on the server. */
    sha256: string;
    /** Size in bytes of those bytes; on outputs, the verified remote size. */
    size: number;
    /** Octal permission string such as "0640" (check writes it so); on outputs, the remote mode. */
    mode?: string;
    uid?: number;
    gid?: number;
    /** Owner by name ("www-data") or number, resolved on the server at each apply; the state keeps what was given. */
    owner?: string | number;
    /** Group by name or number, like `owner`. */
    group?: string | number;
    createParents?: boolean;
    /** Absent: an adopted file is restored, a created one deleted (see ops/ownership.ts). */
    onDelete?: OnDeleteFile;
    /** What to do with a symlink at `path` (default "follow": write the file it points to; the link stays). */
    symlinks?: SymlinkPolicy;
    validate?: string;
    /** A command run on the whole configuration after the rename; on failure the previous file is put back. */
    validateInPlace?: string;
    /** Seconds each check (`validate`, `validateInPlace`) may run; absent: DEFAULT_CHECK_TIMEOUT_S. */
    checkTimeout?: number;
    /**
     * Set by the SDK: the content (`content` or `source`) is a secret. Checks' output is then withheld from
     * messages and the audit log records no SHA-256 of it.
     */
    contentSecret?: boolean;
    /** Set by the SDK: names of arguments the resource does not have. Check refuses any, so it is never stored. */
    unknownArgs?: string[];
    /**
     * Set by check in a preview only, for people: what changes that the engine's own diff of the inputs cannot show
     * (a secret content, rotated credentials, line counts). Diff ignores it; the state never keeps it.
     */
    changes?: FileChanges;
    /**
     * Set by the SDK while previewing (never stored): whether the content is a secret. A preview needs no
     * credential, so check does not require one then.
     */
    preview?: { secret?: boolean };
    /** Set by the SDK: the resource's URN, for the audit log (provider/audit). */
    resourceUrn?: string;
}

/** Outputs of a RemoteFile: the inputs, with sha256/size/mode as found on the server, plus: */
export interface RemoteFileOutputs extends RemoteFileInputs {
    /** Remote modification time, seconds since the epoch. */
    mtime: number;
    /** Whether a file was at the path before this resource first wrote it (it was adopted). */
    existedBefore: boolean;
    /** SHA-256 of the file that was there before, when one was. */
    previousSha256?: string;
    /** Where that previous file is kept for `onDelete: "restore"`. */
    backupPath?: string;
    /** Folders created for this file, outermost first; destroy removes them when empty. */
    createdDirs: string[];
    /** How the last upload's SHA-256 was verified on the server. */
    verifiedBy: string;
    /** Whether the last replace was atomic. */
    atomic: boolean;
    /** The file written when `path` is a symlink (the file it points to); absent otherwise. */
    resolvedPath?: string;
    /** SHA-256 of what this resource last wrote (a refresh does not change it): destroy deletes only that. */
    writtenSha256?: string;
    /**
     * New at every change this resource makes to the file on the server (upload, repair, mode or owner), kept
     * otherwise (a refresh does not change it): what a reload's `triggers` should name. Absent in state written by
     * earlier releases until the next change.
     */
    writeId?: string;
    /**
     * The owner (uid) of the file right after this stack last wrote it, where the server tells owners; an update
     * refuses a file someone else owns since (ops/sinceWritten.ts). Absent in state of earlier releases.
     */
    writtenUid?: number;
    /** 2 for outputs with the ownership rules of issue 8; absent in state written by earlier releases. */
    stateVersion?: number;
}

/**
 * What the upload of a create or update sent, returned beside `id` and `outs` (which are all Pulumi reads) for the
 * audit log: never kept in the state, where it would change on every run.
 */
export interface Transfer {
    /** Bytes this run sent. */
    bytesSent: number;
    /** Bytes an interrupted earlier run had left in the temporary, continued and not sent again (0: sent whole). */
    resumedFrom: number;
}

function transferOf(r: { size: number; bytesSent?: number; resumedFrom?: number }): Transfer {
    return { bytesSent: r.bytesSent ?? r.size, resumedFrom: r.resumedFrom ?? 0 };
}

/** How diff treats every input key (the compiler insists on all of them; test/unit checks each rule). */
export const RULES: KeyRules<RemoteFileInputs> = {
    ...CONNECTION_RULES,
    path: "replace",
    content: "update",
    sourcePath: "ignore", // the SHA-256 says what is there; the same bytes from another checkout are no change
    sourceText: "ignore", // shown by preview; the SHA-256 covers the bytes
    sha256: "update",
    size: "ignore", // the SHA-256 covers the bytes
    mode: "custom", // any spelling of the same bits is no change; no mode keeps the remote one
    uid: "update",
    gid: "update",
    owner: "update",
    group: "update",
    createParents: "update",
    onDelete: "update",
    symlinks: "update",
    validate: "update",
    validateInPlace: "update",
    checkTimeout: "ignore", // used by the next check; changes nothing on the server
    contentSecret: "ignore", // for messages and the audit log only
    unknownArgs: "ignore", // check refuses any
    changes: "ignore", // for people only (preview --diff)
    preview: "ignore", // dropped by check
    resourceUrn: "ignore", // for the audit log only
};

function credsOf(i: RemoteFileInputs): CredentialInputs {
    return i.credentials ?? {};
}

/** The inputs with every default applied and the mode written "0640": the one place RemoteFile defaults live. */
function withDefaults(i: RemoteFileInputs): RemoteFileInputs {
    // `onDelete` keeps "not given": the default depends on whether the file existed before (ops/ownership.ts).
    return {
        ...i,
        content: i.content ?? undefined,
        sourcePath: i.sourcePath ?? undefined,
        sourceText: i.sourceText ?? undefined,
        mode: checkedMode(i.mode),
        createParents: i.createParents ?? DEFAULT_CREATE_PARENTS,
        symlinks: i.symlinks ?? DEFAULT_SYMLINKS,
        unknownArgs: undefined,
        preview: undefined,
        changes: undefined,
    };
}

export async function check(
    olds: RemoteFileInputs,
    news: RemoteFileInputs,
): Promise<dynamic.CheckResult<RemoteFileInputs>> {
    const failures: CheckFailure[] = [
        ...argumentFailures("RemoteFile", news.unknownArgs),
        ...checkConnection(news.connection, news.credentials, news.preview !== undefined),
    ];
    if (isKnown(news.path)) {
        const p = remotePathProblem(news.path) ?? fileNameProblem(news.path);
        if (p) {
            failures.push({ property: "path", reason: p });
        }
    }
    // A secret `source` makes the SDK's unused `content` a secret of nothing, which arrives as null.
    const hasContent = news.content !== undefined && news.content !== null;
    const hasSource = news.sourcePath !== undefined && news.sourcePath !== null;
    if (hasContent === hasSource) {
        failures.push({
            property: hasContent ? "source" : "content",
            reason: "give exactly one of `content` and `source`",
        });
    } else if (hasContent && isKnown(news.content)) {
        const p = contentSizeProblem(Buffer.byteLength(news.content!));
        if (p) {
            failures.push({ property: "content", reason: p });
        }
    } else if (hasSource && isKnown(news.sourcePath)) {
        const p = localSourceProblem(news.sourcePath!);
        if (p) {
            failures.push({ property: "source", reason: p });
        }
    }
    if (news.mode !== undefined && isKnown(news.mode)) {
        const p = modeProblem(news.mode);
        if (p) {
            failures.push({ property: "mode", reason: p });
        }
    }
    if (news.onDelete !== undefined && isKnown(news.onDelete) && !["delete", "restore"].includes(news.onDelete)) {
        failures.push({
            property: "onDelete",
            reason: `must be "delete" or "restore" (to keep the file, use the resource option retainOnDelete); got "${news.onDelete}"`,
        });
    }
    if (news.symlinks !== undefined && isKnown(news.symlinks) && !["follow", "refuse"].includes(news.symlinks)) {
        failures.push({ property: "symlinks", reason: `must be "follow" or "refuse"; got "${news.symlinks}"` });
    }
    if (news.checkTimeout !== undefined && isKnown(news.checkTimeout)) {
        const p = checkTimeoutProblem(news.checkTimeout);
        if (p) {
            failures.push({ property: "checkTimeout", reason: p });
        }
    }
    failures.push(...capabilityProblems(news), ...ownerFailures(news));
    const inputs = withDefaults(news);
    const changes = news.preview !== undefined && olds?.sha256 !== undefined ? noted(olds, news) : undefined;
    return { inputs: plain({ ...inputs, changes }), failures };
}

/** The preview's `changes` (see RemoteFileInputs), when every value it looks at is known. */
function noted(olds: RemoteFileInputs, news: RemoteFileInputs): FileChanges | undefined {
    const keys = ["sha256", "content", "sourceText", "credentials"] as const;
    if (keys.some((k) => !isKnown(news[k]))) {
        return undefined;
    }
    return fileChanges(olds, news, news.preview?.secret === true);
}

/** Why a `checkTimeout` is refused: it must be a number of seconds above 0, at most a day. */
function checkTimeoutProblem(v: unknown): string | undefined {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > MAX_CHECK_TIMEOUT_S) {
        return `must be a number of seconds above 0 and at most ${MAX_CHECK_TIMEOUT_S} (a day); got ${JSON.stringify(v)}`;
    }
    return undefined;
}

/** `validate` needs commands and `uid`/`gid` need chown: refuse them at preview where the protocol has neither. */
function capabilityProblems(i: RemoteFileInputs): CheckFailure[] {
    const protocol = i.connection && isKnown(i.connection) ? protocolOf(i.connection) : undefined;
    if (protocol === undefined || !isKnown(protocol) || !isProtocol(protocol)) {
        return [];
    }
    const info = protocolInfo(protocol);
    const needs: Record<string, [Capability, string] | undefined> = {
        validate: info.can.exec ? undefined : ["exec", "run commands"],
        validateInPlace: info.can.exec ? undefined : ["exec", "run commands"],
        uid: info.can.chown ? undefined : ["chown", "change owners"],
        gid: info.can.chown ? undefined : ["chown", "change owners"],
    };
    return (["validate", "validateInPlace", "uid", "gid"] as const)
        .filter((k) => i[k] !== undefined && needs[k] !== undefined)
        .map((k) => ({
            property: k,
            reason: `needs protocol ${protocolsThat(needs[k]![0])} (${info.transport.toUpperCase()} servers cannot ${needs[k]![1]}); remove it or switch protocol`,
        }));
}

export async function diff(_id: string, olds: RemoteFileOutputs, news: RemoteFileInputs): Promise<dynamic.DiffResult> {
    const custom = news.mode !== undefined && !sameMode(news.mode, olds.mode ?? "0") ? ["mode"] : [];
    return diffByRules(RULES, olds, news, { olds: olds.path, news: news.path }, custom);
}

function openSource(i: RemoteFileInputs): () => Readable {
    if (i.sourcePath !== undefined) {
        const file = localPath(i.sourcePath);
        return () => fs.createReadStream(file, { highWaterMark: 1 << 20 });
    }
    const bytes = Buffer.from(i.content ?? "", "utf8");
    return () => Readable.from([bytes]);
}

/** The numeric owner and group to set: `uid`/`gid`, or `owner`/`group` resolved on the server. */
async function idsOf(t: Transport, i: RemoteFileInputs): Promise<OwnerIds> {
    const named = await resolveOwner(t, i.owner, i.group);
    return { uid: i.uid ?? named.uid, gid: i.gid ?? named.gid };
}

async function upload(
    t: Transport,
    i: RemoteFileInputs,
    path: string,
    known: KnownStats,
    previous?: "target" | "absent",
) {
    const ids = await idsOf(t, i);
    return verifiedUpload(
        t,
        {
            path,
            open: openSource(i),
            expectedSha256: i.sha256,
            mode: i.mode === undefined ? undefined : parseMode(i.mode),
            uid: ids.uid,
            gid: ids.gid,
            createParents: i.createParents === true,
            validate: i.validate,
            validateInPlace: i.validateInPlace,
            checkTimeoutMs: (i.checkTimeout ?? DEFAULT_CHECK_TIMEOUT_S) * 1000,
            secret: i.contentSecret === true,
            previous,
            size: i.size,
        },
        known,
    );
}

/**
 * Runs a create or update (`op`) of a file with `validateInPlace`; when the connection dropped while the check ran
 * (CONNECTION_LOST), puts the previous state back over a new connection (ops/checkRecords.ts) and fails saying
 * so. Where even that fails, the error says where the previous file is kept, and `unchecked` (an update) may turn
 * it into a partial failure that records the file as unknown, so the next `up` writes it whatever the program says.
 */
async function withCheckRecovery<T>(
    i: RemoteFileInputs,
    op: () => Promise<T>,
    unchecked?: (e: FiledropError) => Error,
): Promise<T> {
    try {
        return await op();
    } catch (e) {
        if (i.validateInPlace === undefined || !hasCode(e, "CONNECTION_LOST")) {
            throw e;
        }
        const err = e as FiledropError;
        const done = await withTransport(i.connection, credsOf(i), async (t) => {
            const target = await writeTarget(t, i.path, i.symlinks ?? DEFAULT_SYMLINKS, new KnownStats());
            return recoverInterruptedCheck(t, target.path);
        }).catch(() => undefined);
        if (done === undefined) {
            throw unchecked?.(err) ?? err;
        }
        if (done === "none") {
            throw err;
        }
        throw new FiledropError(
            "CONNECTION_LOST",
            `The connection to ${endpointUrl(i.connection)} was lost during the in-place check of ${i.path}, with the new file in place; over a new connection, ${done === "restored" ? "the previous file was put back" : "the new file was removed (none was there before)"}. Run the deployment again.`,
            { cause: err },
        );
    }
}

/** Runs a create or update on a pooled connection; a cut or unreachable connection says to run `up` again. */
/**
 * What a verified write puts in the outputs, the same after create and update: the bytes and mode now at the target,
 * how they were verified, the file a followed link resolved to, and a new writeId (a reload may follow).
 */
function writtenOutputs(r: UploadResult, target: WriteTarget, askedMode: string | undefined) {
    return {
        sha256: r.sha256,
        size: r.size,
        mode: formatMode(r.mode) ?? askedMode,
        verifiedBy: r.verifiedBy,
        atomic: r.atomic,
        resolvedPath: target.link === undefined ? undefined : target.path,
        writtenSha256: r.sha256,
        writeId: newWriteId(),
        writtenUid: r.uid,
    };
}

function uploading<T>(i: RemoteFileInputs, op: (t: Transport) => Promise<T>): Promise<T> {
    return withTransport(i.connection, credsOf(i), op).catch((e: unknown) => Promise.reject(withResumeAdvice(e)));
}

export async function create(
    inputs: RemoteFileInputs,
): Promise<dynamic.CreateResult<RemoteFileOutputs> & { transfer: Transfer }> {
    return withCheckRecovery(inputs, () => createNow(inputs));
}

async function createNow(
    inputs: RemoteFileInputs,
): Promise<dynamic.CreateResult<RemoteFileOutputs> & { transfer: Transfer }> {
    return uploading(inputs, async (t) => {
        const known = new KnownStats(); // this attempt's stats: each path is asked once (issue 13)
        const target = await writeTarget(t, inputs.path, inputs.symlinks ?? DEFAULT_SYMLINKS, known);
        if (inputs.validateInPlace !== undefined && (await recoverInterruptedCheck(t, target.path)) !== "none") {
            known.forget(target.path);
        }
        const owned: Ownership = await adopt(
            t,
            target.path,
            inputs.sha256,
            inputs.onDelete,
            inputs.createParents === true,
            known,
        );
        // A file at the path that is not adopted is this create's own interrupted write: a failed check removes it.
        const ownWrite = !owned.existedBefore && (await statOf(t, target.path, known))?.kind === "file";
        let r: Awaited<ReturnType<typeof upload>>;
        try {
            r = await upload(t, inputs, target.path, known, ownWrite ? "absent" : "target");
        } catch (e) {
            await finishCreate(t, owned);
            await abandonAdoption(t, target.path, owned).catch(() => undefined);
            await removeEmptyDirs(t, owned.createdDirs).catch(() => undefined);
            throw e;
        }
        await finishCreate(t, owned);
        const outs: RemoteFileOutputs = {
            ...inputs,
            ...writtenOutputs(r, target, inputs.mode),
            mtime: r.mtime ?? 0,
            existedBefore: owned.existedBefore,
            previousSha256: owned.previousSha256,
            backupPath: owned.backupPath,
            createdDirs: [...owned.createdDirs, ...r.createdDirs],
            stateVersion: STATE_VERSION,
        };
        return { id: t.endpoint + inputs.path, outs: plain(outs), transfer: transferOf(r) };
    });
}

export async function update(
    id: string,
    olds: RemoteFileOutputs,
    news: RemoteFileInputs,
): Promise<dynamic.UpdateResult<RemoteFileOutputs>> {
    // The file at the path is unknown after a check cut that could not be undone: recorded so (an empty SHA-256, as
    // a refresh records a missing file), the next `up` writes it again even if the program went back to `olds`.
    const unknown = (e: FiledropError) =>
        Object.assign(new FiledropError(e.code, e.message, { cause: e }), {
            id,
            properties: plain({ ...olds, sha256: "", size: 0 }),
            reasons: [e.message],
        });
    return withCheckRecovery(news, () => updateNow(olds, news), unknown);
}

async function updateNow(
    olds: RemoteFileOutputs,
    news: RemoteFileInputs,
): Promise<dynamic.UpdateResult<RemoteFileOutputs> & { transfer?: Transfer }> {
    return uploading(news, async (t) => {
        // Outputs of an earlier release become version 2 here: `onDelete` then means what the current inputs say.
        // An input no longer given (e.g. onDelete back to its default) must not live on from the old outputs.
        const unset = Object.fromEntries(Object.keys(RULES).map((k) => [k, undefined]));
        const base: RemoteFileOutputs = { ...olds, ...unset, ...news, stateVersion: STATE_VERSION };
        const known = new KnownStats(); // this attempt's stats: each path is asked once (issue 13)
        const target = await writeTarget(t, news.path, news.symlinks ?? DEFAULT_SYMLINKS, known);
        await refuseChangedSinceWritten(t, news.path, target, olds, async () => (await idsOf(t, news)).uid, known);
        if (news.sha256 !== olds.sha256) {
            if ((news.validateInPlace ?? olds.validateInPlace) !== undefined) {
                await recoverInterruptedCheck(t, target.path);
                known.forget(target.path);
            }
            const r = await upload(t, news, target.path, known);
            return {
                outs: plain({
                    ...base,
                    ...writtenOutputs(r, target, news.mode),
                    mtime: r.mtime ?? olds.mtime,
                    createdDirs: [...olds.createdDirs, ...r.createdDirs],
                }),
                transfer: transferOf(r),
            };
        }
        // Same bytes: only metadata may differ. Set it without uploading again.
        let changed = false;
        if (news.mode !== undefined && !sameMode(news.mode, olds.mode ?? "0")) {
            await applyMode(t, target.path, parseMode(news.mode));
            changed = true;
        }
        if ((news.uid !== undefined && news.uid !== olds.uid) || (news.gid !== undefined && news.gid !== olds.gid)) {
            await t.chown(target.path, news.uid ?? -1, news.gid ?? -1);
            changed = true;
        }
        if (
            (news.owner !== undefined && news.owner !== olds.owner) ||
            (news.group !== undefined && news.group !== olds.group)
        ) {
            const ids = await resolveOwner(t, news.owner, news.group);
            await t.chown(target.path, ids.uid ?? -1, ids.gid ?? -1);
            changed = true;
        }
        const st = await t.stat(target.path);
        const resolvedPath = target.link === undefined ? undefined : target.path;
        return {
            outs: plain({
                ...base,
                resolvedPath,
                sha256: olds.sha256,
                size: olds.size,
                writtenUid: st?.uid ?? olds.writtenUid,
                mode: formatMode(st?.mode) ?? news.mode,
                mtime: st?.mtime ?? olds.mtime,
                writeId: changed ? newWriteId() : olds.writeId,
            }),
        };
    });
}

export async function read(id: string, props: RemoteFileOutputs): Promise<dynamic.ReadResult<RemoteFileOutputs>> {
    return withTransport(props.connection, credsOf(props), async (t) => {
        // The inputs are what was last deployed, so a refresh that finds drift shows it against them.
        const inputs = plain(inputsOf(RULES, props)) as RemoteFileOutputs;
        // The path as it is now: a refresh records a link (or its new target) and the owner, which is how a person
        // accepts them after an update refused the change (ops/sinceWritten.ts).
        const known = new KnownStats();
        const now = await writeTarget(t, props.path, props.symlinks ?? DEFAULT_SYMLINKS, known).catch(() => undefined);
        const where = now?.path ?? writtenPath(props);
        const resolvedPath = now === undefined ? props.resolvedPath : now.link === undefined ? undefined : now.path;
        // An interrupted run's leftovers (issue 8 item 6), but not the partial upload the next `up` continues.
        await sweepButNewest(t, posix.dirname(where), where);
        const st = await t.stat(where);
        if (st?.kind !== "file") {
            // Gone (or replaced by something else) out of band: keep the resource, mark it missing, and the next
            // `up` writes it again. An empty sha256 never equals a planned one.
            return { id, props: plain({ ...props, sha256: "", size: 0, mtime: 0 }), inputs };
        }
        const { sha256 } = await remoteSha256(t, where, st.size);
        return {
            id,
            props: plain({
                ...props,
                resolvedPath,
                writtenUid: st.uid ?? props.writtenUid,
                sha256,
                size: st.size,
                mode: formatMode(st.mode) ?? props.mode,
                mtime: st.mtime ?? props.mtime,
            }),
            inputs,
        };
    });
}

/** The file this resource writes: the one a symlink at `path` pointed to when it was written, else `path`. */
function writtenPath(props: RemoteFileOutputs): string {
    return props.resolvedPath ?? props.path;
}

/** Destroys the file by the ownership rules; says what happened to it (for the audit log). */
export async function remove(_id: string, props: RemoteFileOutputs): Promise<DestroyOutcome> {
    return withTransport(props.connection, credsOf(props), async (t) => {
        const where = writtenPath(props);
        if (props.validateInPlace !== undefined) {
            await recoverInterruptedCheck(t, where); // never delete (or restore over) a file whose check never ended
        }
        const outcome = await destroyFile(t, {
            ...props,
            path: where,
            writtenSha256: props.writtenSha256 ?? props.sha256,
        });
        if (outcome !== "left") {
            await removeEmptyDirs(t, props.createdDirs ?? [], where);
        }
        return outcome;
    });
}
