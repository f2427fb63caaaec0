/**
 * One line of the audit log: a transfer (upload, download) or a removal, with where, what, how it was verified and
 * how it ended. Nothing secret goes in: the connection's public fields only (never a password or key), hashes and
 * sizes (never content), and error messages with any credential or secret content that might appear in them
 * replaced by `[secret]` (messages never contain them by design; this is a second guard).
 */
import { type ConnectionInputs, type CredentialInputs, portOf, protocolOf, userOf } from "../connection";
import { isFiledropError, messageOf } from "../errors";

/** Version of the record layout; bumped when a field changes meaning. */
export const AUDIT_VERSION = 1;

export type AuditOperation = "upload" | "download" | "remove";
/**
 * `ok`; `restored` (destroy put back the file that was there before the stack); `gone` (already gone);
 * `left` (destroy left a file changed since the stack wrote it); `failed`.
 */
export type AuditOutcome = "ok" | "restored" | "gone" | "left" | "failed";

export interface AuditRecord {
    v: number;
    /** ISO 8601 time the operation ended. */
    time: string;
    stack: string | null;
    project: string | null;
    urn: string | null;
    /** RemoteFile, RemoteTree, RemoteDownload. */
    resource: string;
    /** "file": one file; "tree": a RemoteTree's whole operation, with totals (its files have lines of their own). */
    scope: "file" | "tree";
    operation: AuditOperation;
    protocol: string;
    host: string;
    port: number;
    user: string;
    remotePath: string;
    /** The local file uploaded, "(content)" for text content, null for downloads and removals. */
    localSource: string | null;
    bytes: number | null;
    /**
     * On a RemoteFile upload: the bytes this run sent; with `resumedFrom`, those an interrupted earlier run had left on
     * the server (continued, not sent again). `bytes` is the file's size, `mbps` counts the bytes sent.
     */
    bytesSent?: number;
    resumedFrom?: number;
    sha256: string | null;
    /** Files in a tree line. */
    files?: number;
    durationMs: number | null;
    /** MB/s (10^6 bytes per second) over the whole operation (connect, transfer, verify, rename). */
    mbps: number | null;
    verifiedBy: string | null;
    outcome: AuditOutcome;
    errorCode: string | null;
    error: string | null;
}

/** What every record of one handler call shares. */
export interface AuditContext {
    resource: string;
    urn?: string;
    connection: ConnectionInputs;
    credentials?: CredentialInputs;
    /** Secret text that must never reach the log (text content). */
    secrets?: readonly (string | undefined)[];
    startedAt: number;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → stack and project. */
export function stackOfUrn(urn: string | undefined): { stack: string | null; project: string | null } {
    const m = /^urn:pulumi:([^:]+(?::[^:]+)*?)::([^:]+)::/.exec(urn ?? "");
    return m === null ? { stack: null, project: null } : { stack: m[1], project: m[2] };
}

/** MB/s of `bytes` in `ms`, to 0.001; null when either is unknown or zero time. */
export function mbps(bytes: number | null, ms: number | null): number | null {
    if (bytes === null || ms === null || ms <= 0) {
        return null;
    }
    return Math.round((bytes / 1e6 / (ms / 1000)) * 1000) / 1000;
}

/** `text` with every secret of the context (at least 4 characters long) replaced by `[secret]`. */
export function redact(text: string, ctx: Pick<AuditContext, "credentials" | "secrets">): string {
    const secrets = [
        ctx.credentials?.password,
        ctx.credentials?.privateKey,
        ctx.credentials?.privateKeyPassword,
        ...(ctx.secrets ?? []),
    ].filter((s): s is string => typeof s === "string" && s.length >= 4);
    let out = text;
    for (const s of secrets) {
        out = out.split(s).join("[secret]");
        // A multi-line secret (a key, content) may be quoted one line at a time.
        for (const line of s.split("\n").filter((l) => l.trim().length >= 8)) {
            out = out.split(line).join("[secret]");
        }
    }
    return out;
}

/** The fields a record takes from its context, its timing and an error (if it failed). */
export function recordOf(
    ctx: AuditContext,
    fields: Pick<AuditRecord, "operation" | "remotePath"> & Partial<AuditRecord>,
    error?: unknown,
    endedAt = Date.now(),
): AuditRecord {
    const c = ctx.connection;
    const durationMs = fields.durationMs === undefined ? endedAt - ctx.startedAt : fields.durationMs;
    const bytes = fields.bytes ?? null;
    const failed = error !== undefined;
    // Keys in a fixed order, so that lines read alike (`files` only on tree lines, `bytesSent` on a file's upload).
    return {
        v: AUDIT_VERSION,
        time: new Date(endedAt).toISOString(),
        ...stackOfUrn(ctx.urn),
        urn: ctx.urn ?? null,
        resource: ctx.resource,
        scope: fields.scope ?? "file",
        operation: fields.operation,
        protocol: protocolOf(c),
        host: c.host,
        port: portOf(c),
        user: userOf(c),
        remotePath: fields.remotePath,
        localSource: fields.localSource ?? null,
        ...(fields.files === undefined ? {} : { files: fields.files }),
        bytes,
        ...(fields.bytesSent === undefined
            ? {}
            : { bytesSent: fields.bytesSent, resumedFrom: fields.resumedFrom ?? 0 }),
        sha256: fields.sha256 ?? null,
        durationMs,
        mbps: fields.mbps !== undefined ? fields.mbps : mbps(fields.bytesSent ?? bytes, durationMs),
        verifiedBy: fields.verifiedBy ?? null,
        outcome: failed ? "failed" : (fields.outcome ?? "ok"),
        errorCode: failed ? (isFiledropError(error) ? error.code : "INTERNAL") : null,
        error: failed ? redact(messageOf(error), ctx).slice(0, 1000) : null,
    };
}
