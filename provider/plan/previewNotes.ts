/**
 * What a preview tells a reviewer about a RemoteFile, in its `changes` input: the engine shows a dynamic resource's
 * inputs, old against new, and no reason of the provider's own, so a changed secret (shown as `[secret]` on both
 * sides) or a rotated credential would show an update with no field marked. Check sets `changes` in a preview only
 * (never kept in the state), computed here from the last deployed inputs and the new ones. Pure functions.
 */
import { diffLines } from "diff";
import type { CredentialInputs } from "../connection";
import { SOURCE_TEXT_HEADER } from "../defaults";

/** A RemoteFile's `changes`: one sentence, and the line counts when both sides are text that may be shown. */
export interface FileChanges {
    /** E.g. "content: 2 lines added, 1 removed (30 → 31 lines)", "credentials changed; nothing is uploaded". */
    summary: string;
    linesAdded?: number;
    linesRemoved?: number;
}

/** The part of a RemoteFile's inputs the notes look at. */
export interface NotedFile {
    credentials?: CredentialInputs;
    content?: string;
    sourceText?: string;
    sha256?: string;
    size?: number;
}

/** True when any credential is given (the secret fields; an agent socket is a public connection field). */
export function hasCredential(creds: CredentialInputs | undefined): boolean {
    return Object.values(creds ?? {}).some((v) => v !== undefined && v !== null && v !== "");
}

/**
 * True when the credentials differ and the new ones are given: a preview without credentials (a pull request job
 * without the deploy key) is not a credentials change, and cannot deploy anyway.
 */
export function credentialsRotated(olds: CredentialInputs | undefined, news: CredentialInputs | undefined): boolean {
    if (!hasCredential(news)) {
        return false;
    }
    const norm = (c: CredentialInputs | undefined) =>
        JSON.stringify([c?.password ?? null, c?.privateKey ?? null, c?.privateKeyPassword ?? null]);
    return norm(olds) !== norm(news);
}

/** The text of a file's content when it may be diffed: `content`, or a kept `sourceText` without its header. */
function textOf(i: NotedFile): string | undefined {
    if (typeof i.content === "string") {
        return i.content;
    }
    if (typeof i.sourceText === "string") {
        return i.sourceText.startsWith(SOURCE_TEXT_HEADER)
            ? i.sourceText.slice(SOURCE_TEXT_HEADER.length)
            : i.sourceText;
    }
    return undefined;
}

function lineCount(text: string): number {
    if (text === "") {
        return 0;
    }
    return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** "2 lines added, 1 removed (30 → 31 lines)" with the counts, from the old text to the new. */
export function lineChanges(old: string, now: string): FileChanges {
    let added = 0;
    let removed = 0;
    for (const part of diffLines(old, now)) {
        if (part.added) {
            added += part.count ?? 0;
        } else if (part.removed) {
            removed += part.count ?? 0;
        }
    }
    return {
        summary: `content: ${plural(added, "line")} added, ${removed} removed (${lineCount(old)} → ${plural(lineCount(now), "line")})`,
        linesAdded: added,
        linesRemoved: removed,
    };
}

/**
 * The `changes` of a RemoteFile from `olds` (the last deployed inputs) to `news`, or undefined when neither the
 * content nor the credentials change. `secret`: the new content is a secret, so only "changed" is said of it.
 */
export function fileChanges(olds: NotedFile, news: NotedFile, secret: boolean): FileChanges | undefined {
    const contentChanged = olds.sha256 !== undefined && news.sha256 !== undefined && olds.sha256 !== news.sha256;
    const rotated = credentialsRotated(olds.credentials, news.credentials);
    const parts: FileChanges[] = [];
    if (contentChanged) {
        const before = textOf(olds);
        const after = textOf(news);
        if (secret) {
            parts.push({ summary: "content changed (secret: not shown)" });
        } else if (before !== undefined && after !== undefined) {
            parts.push(lineChanges(before, after));
        } else {
            parts.push({
                summary: `content changed: ${olds.size ?? "?"} → ${news.size ?? "?"} bytes, sha256 ${String(olds.sha256).slice(0, 12)}… → ${String(news.sha256).slice(0, 12)}… (not shown: binary, or over the text diff limit)`,
            });
        }
    }
    if (rotated) {
        parts.push({ summary: `credentials changed${contentChanged ? "" : "; nothing is uploaded"}` });
    }
    if (parts.length === 0) {
        return undefined;
    }
    return { ...Object.assign({}, ...parts), summary: parts.map((p) => p.summary).join("; ") };
}
