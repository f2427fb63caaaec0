/**
 * The RemoteFile dynamic-provider handler: check, diff, create, read, update, delete. Protocol-neutral: it speaks
 * `Transport` through the pool.
 */
import * as fs from "fs";
import * as posix from "path/posix";
import { Readable } from "stream";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { CredentialInputs } from "../connection";
import { changedKeys, locationDiff } from "../plan/fileDiff";
import { checkConnection, CheckFailure, isKnown, localSourceProblem, modeProblem, remotePathProblem } from "../plan/checkInputs";
import { removeEmptyDirs } from "../remoteDirs";
import { withTransport } from "../transport/pool";
import { Transport } from "../transport/types";
import { remoteSha256, verifiedUpload } from "../upload";
import { plain } from "./plain";
import { formatMode, parseMode, RemoteFileInputs, RemoteFileOutputs } from "./fileInputs";

/** Keys of ours; `__provider` and anything else the engine adds is ignored so package upgrades diff clean. */
const SETTINGS_KEYS: (keyof RemoteFileInputs)[] = ["uid", "gid", "createParents", "onDelete", "validate", "credentials", "connection", "content", "sourcePath"];

function credsOf(i: RemoteFileInputs): CredentialInputs {
    return i.credentials ?? {};
}

export async function check(_olds: RemoteFileInputs, news: RemoteFileInputs): Promise<dynamic.CheckResult<RemoteFileInputs>> {
    const failures: CheckFailure[] = [...checkConnection(news.connection, news.credentials)];
    if (isKnown(news.path)) {
        const p = remotePathProblem(news.path);
        if (p) {
            failures.push({ property: "path", reason: p });
        }
    }
    const hasContent = news.content !== undefined;
    const hasSource = news.sourcePath !== undefined;
    if (hasContent === hasSource) {
        failures.push({ property: hasContent ? "source" : "content", reason: "give exactly one of `content` and `source`" });
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
        failures.push({ property: "onDelete", reason: `must be "delete" or "restore" (to keep the file, use the resource option retainOnDelete); got "${news.onDelete}"` });
    }
    failures.push(...sshOnlyProblems(news));
    return { inputs: news, failures };
}

/** `validate`, `uid` and `gid` need SSH (commands, chown): refuse them at preview for FTP protocols. */
function sshOnlyProblems(i: RemoteFileInputs): CheckFailure[] {
    const protocol = i.connection?.protocol ?? "sftp";
    if (protocol === "sftp" || !isKnown(protocol)) {
        return [];
    }
    return (["validate", "uid", "gid"] as const)
        .filter((k) => i[k] !== undefined)
        .map((k) => ({ property: k, reason: `needs protocol "sftp" (FTP servers cannot ${k === "validate" ? "run commands" : "change owners"}); remove it or switch protocol` }));
}

export async function diff(_id: string, olds: RemoteFileOutputs, news: RemoteFileInputs): Promise<dynamic.DiffResult> {
    const { replaces, sameLocation } = locationDiff(olds, news);
    const changed: string[] = changedKeys<RemoteFileInputs>(olds, news, SETTINGS_KEYS).map(String);
    if (news.sha256 !== olds.sha256) {
        changed.push("sha256");
    }
    if (news.mode !== undefined && parseMode(news.mode) !== parseMode(olds.mode ?? "0")) {
        changed.push("mode");
    }
    return {
        changes: replaces.length > 0 || changed.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && sameLocation,
    };
}

function openSource(i: RemoteFileInputs): () => Readable {
    if (i.sourcePath !== undefined) {
        return () => fs.createReadStream(i.sourcePath!, { highWaterMark: 1 << 20 });
    }
    const bytes = Buffer.from(i.content ?? "", "utf8");
    return () => Readable.from([bytes]);
}

/** Copies a remote file to another remote path (used to keep a backup for `onDelete: "restore"`). */
async function copyRemote(t: Transport, from: string, to: string): Promise<void> {
    const st = await t.stat(from);
    await t.write(to, await t.read(from), st?.mode ?? 0o600);
    if (st?.mode !== undefined && t.capabilities.chmod) {
        await t.chmod(to, st.mode);
    }
}

function backupPathFor(path: string): string {
    return posix.join(posix.dirname(path), `.${posix.basename(path)}.filedrop-backup`);
}

async function upload(t: Transport, i: RemoteFileInputs) {
    return verifiedUpload(t, {
        path: i.path,
        open: openSource(i),
        expectedSha256: i.sha256,
        mode: i.mode === undefined ? undefined : parseMode(i.mode),
        uid: i.uid,
        gid: i.gid,
        createParents: i.createParents ?? true,
        validate: i.validate,
    });
}

export async function create(inputs: RemoteFileInputs): Promise<dynamic.CreateResult<RemoteFileOutputs>> {
    return withTransport(inputs.connection, credsOf(inputs), async (t) => {
        const existing = await t.stat(inputs.path);
        let previousSha256: string | undefined;
        let backupPath: string | undefined;
        if (existing?.kind === "file") {
            previousSha256 = (await remoteSha256(t, inputs.path)).sha256;
            if (inputs.onDelete === "restore") {
                backupPath = backupPathFor(inputs.path);
                if (!(await t.stat(backupPath))) {
                    await copyRemote(t, inputs.path, backupPath);
                }
            }
        }
        const r = await upload(t, inputs);
        const outs: RemoteFileOutputs = {
            ...inputs,
            sha256: r.sha256,
            size: r.size,
            mode: formatMode(r.mode) ?? inputs.mode,
            mtime: r.mtime ?? 0,
            existedBefore: existing !== undefined,
            previousSha256,
            backupPath,
            createdDirs: r.createdDirs,
            verifiedBy: r.verifiedBy,
            atomic: r.atomic,
        };
        return { id: t.endpoint + inputs.path, outs: plain(outs) };
    });
}

export async function update(_id: string, olds: RemoteFileOutputs, news: RemoteFileInputs): Promise<dynamic.UpdateResult<RemoteFileOutputs>> {
    return withTransport(news.connection, credsOf(news), async (t) => {
        const base: RemoteFileOutputs = { ...olds, ...news };
        if (news.sha256 !== olds.sha256) {
            const r = await upload(t, news);
            return {
                outs: plain({
                    ...base,
                    sha256: r.sha256,
                    size: r.size,
                    mode: formatMode(r.mode) ?? news.mode,
                    mtime: r.mtime ?? olds.mtime,
                    createdDirs: [...olds.createdDirs, ...r.createdDirs],
                    verifiedBy: r.verifiedBy,
                    atomic: r.atomic,
                }),
            };
        }
        // Same bytes: only metadata may differ. Set it without uploading again.
        if (news.mode !== undefined && parseMode(news.mode) !== parseMode(olds.mode ?? "0") && t.capabilities.chmod) {
            await t.chmod(news.path, parseMode(news.mode));
        }
        if ((news.uid !== undefined && news.uid !== olds.uid) || (news.gid !== undefined && news.gid !== olds.gid)) {
            await t.chown(news.path, news.uid ?? -1, news.gid ?? -1);
        }
        const st = await t.stat(news.path);
        return { outs: plain({ ...base, sha256: olds.sha256, size: olds.size, mode: formatMode(st?.mode) ?? news.mode, mtime: st?.mtime ?? olds.mtime }) };
    });
}

export async function read(id: string, props: RemoteFileOutputs): Promise<dynamic.ReadResult<RemoteFileOutputs>> {
    return withTransport(props.connection, credsOf(props), async (t) => {
        const st = await t.stat(props.path);
        if (!st || st.kind !== "file") {
            // Gone (or replaced by something else) out of band: keep the resource, mark it missing, and the next
            // `up` writes it again. An empty sha256 never equals a planned one.
            return { id, props: plain({ ...props, sha256: "", size: 0, mtime: 0 }) };
        }
        const { sha256 } = await remoteSha256(t, props.path);
        return { id, props: plain({ ...props, sha256, size: st.size, mode: formatMode(st.mode) ?? props.mode, mtime: st.mtime ?? props.mtime }) };
    });
}

export async function remove(_id: string, props: RemoteFileOutputs): Promise<void> {
    await withTransport(props.connection, credsOf(props), async (t) => {
        const backup = props.backupPath;
        if (props.onDelete === "restore" && backup !== undefined && (await t.stat(backup))?.kind === "file") {
            await t.rename(backup, props.path);
        } else {
            await t.remove(props.path);
            if (backup !== undefined) {
                await t.remove(backup);
            }
        }
        await removeEmptyDirs(t, props.createdDirs ?? [], props.path);
    });
}

