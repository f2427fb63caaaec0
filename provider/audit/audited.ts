/**
 * The audit hook of the handlers (provider/index.ts wraps create, update, read and delete with {@link audited}):
 * runs the handler method, then appends what it transferred or removed to the audit log (auditLog.ts), one line
 * per file, also when it failed. The lines are derived from the method's inputs and results, so the handlers
 * themselves know nothing of auditing. Without an audit log configured this costs one check.
 */
import { isFiledropError } from "../errors";
import type { RemoteDownloadInputs, RemoteDownloadOutputs } from "../handlers/remoteDownload";
import type { RemoteFileInputs, RemoteFileOutputs, Transfer } from "../handlers/remoteFile";
import type { RemoteTreeOutputs } from "../handlers/remoteTree";
import { localPath } from "../localFiles";
import type { Manifest } from "../manifest";
import type { DestroyOutcome } from "../ops/ownership";
import { manifestOf, type StoredManifest } from "../plan/manifestCodec";
import { planStored } from "../plan/storedSync";
import { remotePathOf } from "../plan/treeManifest";
import { appendAudit, auditLogPath } from "./auditLog";
import { type AuditContext, type AuditOutcome, type AuditRecord, recordOf } from "./auditRecord";

export type AuditedMethod = "create" | "update" | "read" | "delete";

/** Runs `method` of `handler` (its arguments in `args`) and logs its transfers and removals. */
export async function audited<T>(
    handler: string,
    method: AuditedMethod,
    args: readonly unknown[],
    run: () => Promise<T>,
): Promise<T> {
    if (auditLogPath() === undefined || !(handler in DERIVE)) {
        return run();
    }
    const startedAt = Date.now();
    try {
        const result = await run();
        appendAudit(safely(() => DERIVE[handler](method, args, result, undefined, startedAt)));
        return result;
    } catch (e) {
        appendAudit(safely(() => DERIVE[handler](method, args, undefined, e, startedAt)));
        throw e;
    }
}

/** Auditing never breaks a deployment: a record that cannot be derived is left out. */
function safely(derive: () => AuditRecord[]): AuditRecord[] {
    try {
        return derive();
    } catch {
        return [];
    }
}

type Derive = (
    method: AuditedMethod,
    args: readonly unknown[],
    result: unknown,
    error: unknown,
    startedAt: number,
) => AuditRecord[];

const DERIVE: Record<string, Derive> = {
    remoteFile: fileRecords,
    remoteTree: treeRecords,
    remoteDownload: downloadRecords,
};

/** The inputs (create), news (update) or props (read, delete) of a call. */
function subjectOf<T>(method: AuditedMethod, args: readonly unknown[]): T {
    return (method === "create" ? args[0] : method === "update" ? args[2] : args[1]) as T;
}

function contextOf(
    resource: string,
    i: { resourceUrn?: string; connection: AuditContext["connection"]; credentials?: AuditContext["credentials"] },
    startedAt: number,
    secrets: (string | undefined)[] = [],
): AuditContext {
    return { resource, urn: i.resourceUrn, connection: i.connection, credentials: i.credentials, secrets, startedAt };
}

function fileRecords(
    method: AuditedMethod,
    args: readonly unknown[],
    result: unknown,
    error: unknown,
    startedAt: number,
) {
    const i = subjectOf<RemoteFileOutputs>(method, args);
    const ctx = contextOf("RemoteFile", i, startedAt, [i.content]);
    if (method === "delete") {
        const outcome = outcomeOf(result as DestroyOutcome | undefined);
        const r = recordOf(
            ctx,
            {
                operation: "remove",
                remotePath: i.resolvedPath ?? i.path,
                bytes: i.size ?? null,
                sha256: secretContent(i) ? null : (i.writtenSha256 ?? i.sha256 ?? null),
                outcome,
            },
            error,
        );
        return [r];
    }
    if (method === "read" || (method === "update" && (args[1] as RemoteFileInputs).sha256 === i.sha256)) {
        return []; // a refresh or a metadata-only update moves no file
    }
    const { outs, transfer } = (result ?? {}) as { outs?: RemoteFileOutputs; transfer?: Transfer };
    return [
        recordOf(
            ctx,
            {
                operation: "upload",
                remotePath: outs?.resolvedPath ?? i.path,
                localSource: i.sourcePath === undefined ? "(content)" : localPath(i.sourcePath),
                bytes: outs?.size ?? i.size ?? null,
                // A resumed upload sent less than the file's size: say how much, and time that (mbps).
                bytesSent: transfer?.bytesSent,
                resumedFrom: transfer?.resumedFrom,
                sha256: secretContent(i) ? null : (outs?.sha256 ?? i.sha256 ?? null),
                verifiedBy: outs?.verifiedBy ?? null,
            },
            error,
        ),
    ];
}

/**
 * Whether a RemoteFile's content is a secret: then no SHA-256 of it goes in the log (previews never show one either;
 * a hash of a short secret, a token or a password, is as good as the secret to anyone who can guess candidates).
 */
function secretContent(i: RemoteFileInputs): boolean {
    return i.contentSecret === true;
}

/** A destroy's outcome for one file as the log says it: "deleted" (or not told) is "ok". */
function outcomeOf(o: DestroyOutcome | undefined): AuditOutcome {
    return o === "deleted" || o === undefined ? "ok" : o;
}

function treeRecords(
    method: AuditedMethod,
    args: readonly unknown[],
    result: unknown,
    error: unknown,
    startedAt: number,
) {
    if (method === "read") {
        return [];
    }
    const i = subjectOf<RemoteTreeOutputs>(method, args);
    const ctx = contextOf("RemoteTree", i, startedAt);
    const now = Date.now();
    const file = (rel: string, fields: Partial<AuditRecord> & Pick<AuditRecord, "operation">) =>
        recordOf(
            ctx,
            { remotePath: remotePathOf(i.destination, rel), durationMs: null, mbps: null, ...fields },
            undefined,
            now,
        );
    if (method === "delete") {
        const owned: Manifest = manifestOf(i.files);
        // What became of each file (remoteTree.ts remove): deleted is "ok", the others say themselves.
        const outcomes = (result ?? {}) as Record<string, DestroyOutcome | undefined>;
        const rels = Object.keys(owned);
        const lines =
            error === undefined
                ? rels.map((rel) =>
                      file(rel, {
                          operation: "remove",
                          bytes: owned[rel].size,
                          sha256: owned[rel].sha256,
                          outcome: outcomeOf(outcomes[rel]),
                      }),
                  )
                : [];
        const total = rels.reduce((n, rel) => n + owned[rel].size, 0);
        return [
            ...lines,
            recordOf(
                ctx,
                { operation: "remove", scope: "tree", remotePath: i.destination, files: rels.length, bytes: total },
                error,
                now,
            ),
        ];
    }
    const before: StoredManifest = method === "update" ? (args[1] as RemoteTreeOutputs).files : {};
    // A partly failed sync still reports what the tree now owns (remoteTree.ts partialFailure).
    const afterStored =
        (result as { outs?: RemoteTreeOutputs } | undefined)?.outs?.files ??
        (isFiledropError(error)
            ? (error as unknown as { properties?: RemoteTreeOutputs }).properties?.files
            : undefined);
    const verifiedBy =
        (result as { outs?: RemoteTreeOutputs } | undefined)?.outs?.verifiedBy ??
        (error as { properties?: RemoteTreeOutputs } | undefined)?.properties?.verifiedBy ??
        null;
    // The one record of a tree sync (plan/storedSync.ts planStored, one walk with no map of either manifest), from
    // what the tree owned to what it now owns, with the entries of the files it names.
    const sync = afterStored === undefined ? undefined : planStored(before, afterStored, true);
    const after = sync?.wanted ?? {};
    const given = sync?.given ?? {};
    const uploaded = sync?.upload ?? [];
    const removed = sync?.removed ?? [];
    const lines = [
        ...uploaded.map((rel) =>
            file(rel, {
                operation: "upload",
                localSource: `${localPath(i.sourceDir)}/${rel}`,
                bytes: after[rel].size,
                sha256: after[rel].sha256,
                verifiedBy,
            }),
        ),
        ...removed.map((rel) => file(rel, { operation: "remove", bytes: given[rel].size, sha256: given[rel].sha256 })),
    ];
    const bytes = uploaded.reduce((n, rel) => n + after[rel].size, 0);
    const tree = recordOf(
        ctx,
        {
            operation: "upload",
            scope: "tree",
            remotePath: i.destination,
            localSource: localPath(i.sourceDir),
            files: uploaded.length,
            bytes,
            verifiedBy,
        },
        error,
        now,
    );
    return [...lines, tree];
}

function downloadRecords(
    method: AuditedMethod,
    args: readonly unknown[],
    result: unknown,
    error: unknown,
    startedAt: number,
) {
    if (method === "delete") {
        return []; // forgetting a download touches nothing on the server
    }
    const i = subjectOf<RemoteDownloadInputs>(method, args);
    const r = result as { outs?: RemoteDownloadOutputs; props?: RemoteDownloadOutputs } | undefined;
    const outs = r?.outs ?? r?.props;
    const ctx = contextOf("RemoteDownload", i, startedAt, [outs?.content]);
    return [
        recordOf(
            ctx,
            {
                operation: "download",
                remotePath: i.path,
                bytes: outs?.size ?? null,
                sha256: outs?.sha256 || null,
                verifiedBy: outs?.verifiedBy ?? null,
                outcome: outs !== undefined && outs.sha256 === "" ? "gone" : "ok",
            },
            error,
        ),
    ];
}
