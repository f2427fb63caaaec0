/**
 * The RemoteDirectory dynamic-provider handler: `mkdir -p` that records the levels it created, so destroy removes
 * exactly those (only when empty, unless `onDelete: "recursive"`). Protocol-neutral: it speaks `Transport`.
 */
import * as posix from "path/posix";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ConnectionInputs, CredentialInputs } from "../connection";
import { FiledropError } from "../errors";
import { checkConnection, CheckFailure, isKnown, modeProblem, remotePathProblem } from "../plan/checkInputs";
import { changedKeys, locationDiff } from "../plan/fileDiff";
import { ensureDirs, removeEmptyDirs, removeRecursive } from "../remoteDirs";
import { withTransport } from "../transport/pool";
import { Transport } from "../transport/types";
import { formatMode, parseMode } from "./fileInputs";
import { plain } from "./plain";

export type OnDeleteDirectory = "delete" | "recursive";

/** Inputs of a RemoteDirectory, as the SDK hands them to the provider. */
export interface RemoteDirectoryInputs {
    connection: ConnectionInputs;
    credentials?: CredentialInputs;
    path: string;
    /** Octal permission string; on outputs, the remote mode. */
    mode?: string;
    createParents?: boolean;
    onDelete?: OnDeleteDirectory;
}

/** Outputs: the inputs plus what the server told. */
export interface RemoteDirectoryOutputs extends RemoteDirectoryInputs {
    /** The levels this resource created, outermost first (empty if the directory was already there). */
    createdDirs: string[];
    existedBefore: boolean;
    /** False when a refresh found the directory gone; the next `up` creates it again. */
    present: boolean;
}

const INPUT_KEYS: (keyof RemoteDirectoryInputs)[] = ["connection", "credentials", "path", "mode", "createParents", "onDelete"];
const SETTINGS_KEYS: (keyof RemoteDirectoryInputs)[] = ["connection", "credentials", "createParents", "onDelete"];

export async function check(_olds: RemoteDirectoryInputs, news: RemoteDirectoryInputs): Promise<dynamic.CheckResult<RemoteDirectoryInputs>> {
    const failures: CheckFailure[] = [...checkConnection(news.connection, news.credentials)];
    const pathProblem = isKnown(news.path) ? remotePathProblem(news.path) : undefined;
    if (pathProblem) {
        failures.push({ property: "path", reason: pathProblem });
    } else if (news.path === "/") {
        failures.push({ property: "path", reason: 'must be a folder below "/", not the root itself' });
    }
    const mode = news.mode !== undefined && isKnown(news.mode) ? modeProblem(news.mode) : undefined;
    if (mode) {
        failures.push({ property: "mode", reason: mode });
    }
    if (news.onDelete !== undefined && isKnown(news.onDelete) && !["delete", "recursive"].includes(news.onDelete)) {
        failures.push({ property: "onDelete", reason: `must be "delete" or "recursive" (to keep the folder, use the resource option retainOnDelete); got "${news.onDelete}"` });
    }
    return { inputs: news, failures };
}

export async function diff(_id: string, olds: RemoteDirectoryOutputs, news: RemoteDirectoryInputs): Promise<dynamic.DiffResult> {
    const { replaces, sameLocation } = locationDiff(olds, news);
    const changed = changedKeys<RemoteDirectoryInputs>(olds, news, SETTINGS_KEYS).map(String);
    if (news.mode !== undefined && parseMode(news.mode) !== parseMode(olds.mode ?? "0")) {
        changed.push("mode");
    }
    if (olds.present === false) {
        changed.push("present");
    }
    return { changes: replaces.length > 0 || changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && sameLocation };
}

/** Makes the directory (and, with createParents, its parents); returns the levels created. */
async function make(t: Transport, i: RemoteDirectoryInputs): Promise<string[]> {
    const mode = i.mode === undefined ? undefined : parseMode(i.mode);
    let created: string[];
    if (i.createParents ?? true) {
        created = await ensureDirs(t, i.path, mode);
    } else {
        const st = await t.stat(i.path);
        if (st?.kind === "directory") {
            created = [];
        } else if ((await t.stat(posix.dirname(i.path)))?.kind !== "directory") {
            throw new FiledropError("REMOTE_IO", `Folder ${t.endpoint}${posix.dirname(i.path)} does not exist; create it or set \`createParents: true\`.`);
        } else {
            await t.mkdir(i.path, mode);
            created = [i.path];
        }
    }
    const st = await t.stat(i.path);
    if (st?.kind !== "directory") {
        throw new FiledropError("REMOTE_IO", `${t.endpoint}${i.path} exists and is not a directory; remove it or choose another path.`);
    }
    // mkdir's mode is filtered by the server's umask: set it explicitly.
    if (mode !== undefined && (st.mode ?? -1) !== mode && t.capabilities.chmod) {
        await t.chmod(i.path, mode);
    }
    return created;
}

async function outputsOf(t: Transport, i: RemoteDirectoryInputs, createdDirs: string[], existedBefore: boolean): Promise<RemoteDirectoryOutputs> {
    const st = await t.stat(i.path);
    return plain({ ...i, mode: formatMode(st?.mode) ?? i.mode, createdDirs, existedBefore, present: st?.kind === "directory" });
}

export async function create(inputs: RemoteDirectoryInputs): Promise<dynamic.CreateResult<RemoteDirectoryOutputs>> {
    return withTransport(inputs.connection, inputs.credentials ?? {}, async (t) => {
        const existedBefore = (await t.stat(inputs.path))?.kind === "directory";
        const created = await make(t, inputs);
        return { id: t.endpoint + inputs.path, outs: await outputsOf(t, inputs, created, existedBefore) };
    });
}

export async function update(_id: string, olds: RemoteDirectoryOutputs, news: RemoteDirectoryInputs): Promise<dynamic.UpdateResult<RemoteDirectoryOutputs>> {
    return withTransport(news.connection, news.credentials ?? {}, async (t) => {
        // Made again if it vanished; levels made now are ours too.
        const created = await make(t, news);
        const all = [...new Set([...(olds.createdDirs ?? []), ...created])].sort((a, b) => a.length - b.length);
        return { outs: await outputsOf(t, news, all, olds.existedBefore) };
    });
}

export async function read(id: string, props: RemoteDirectoryOutputs): Promise<dynamic.ReadResult<RemoteDirectoryOutputs>> {
    return withTransport(props.connection, props.credentials ?? {}, async (t) => {
        const st = await t.stat(props.path);
        const present = st?.kind === "directory";
        const inputs = Object.fromEntries(INPUT_KEYS.filter((k) => props[k] !== undefined).map((k) => [k, props[k]])) as unknown as RemoteDirectoryOutputs;
        return { id, props: plain({ ...props, present, mode: present ? formatMode(st?.mode) ?? props.mode : props.mode }), inputs: plain(inputs) };
    });
}

export async function remove(_id: string, props: RemoteDirectoryOutputs): Promise<void> {
    const created = props.createdDirs ?? [];
    if (created.length === 0) {
        return; // It was there before: not ours to remove.
    }
    await withTransport(props.connection, props.credentials ?? {}, async (t) => {
        if (props.onDelete === "recursive") {
            // Only the outermost level we created, with everything in it; never a folder that was there before.
            const outermost = [...created].sort((a, b) => a.length - b.length)[0];
            await removeRecursive(t, outermost);
            await removeEmptyDirs(t, [], outermost);
            return;
        }
        // Left in place when something else is in it (SPEC: only when empty); the levels above stay then too.
        await removeEmptyDirs(t, created, props.path);
    });
}
