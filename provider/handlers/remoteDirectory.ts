/**
 * The RemoteDirectory dynamic-provider handler: `mkdir -p` that records the levels it created, so destroy removes
 * exactly those (only when empty, unless `onDelete: "recursive"`). Protocol-neutral: it speaks `Transport`.
 */
import * as posix from "node:path/posix";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { CheckFailure } from "../checkFailure";
import type { ConnectionInputs, CredentialInputs } from "../connection";
import { DEFAULT_CREATE_PARENTS, DEFAULT_DIRECTORY_ON_DELETE } from "../defaults";
import { folderMissing, notAFolder } from "../errors";
import { formatMode, modeProblem, parseMode, sameMode } from "../mode";
import { applyMode } from "../ops/applyMode";
import { resolveOwner } from "../ops/ownerNames";
import { ensureDirs, removeEmptyDirs, removeRecursive } from "../ops/remoteDirs";
import { checkConnection, checkedMode, remotePathProblem } from "../plan/checkInputs";
import { CONNECTION_RULES, diffByRules, inputsOf, type KeyRules } from "../plan/fileDiff";
import { argumentFailures } from "../plan/knownKeys";
import { ownerFailures } from "../plan/ownerInputs";
import { credentialsRotated } from "../plan/previewNotes";
import { outermostFirst } from "../remotePaths";
import { withTransport } from "../transport/pool";
import type { Transport } from "../transport/types";
import { isKnown } from "../unknown";
import { plain } from "./plain";

export type OnDeleteDirectory = "delete" | "recursive";

/** Inputs of a RemoteDirectory, as the SDK hands them to the provider. */
export interface RemoteDirectoryInputs {
    connection: ConnectionInputs;
    credentials?: CredentialInputs;
    path: string;
    /** Octal permission string; on outputs, the remote mode. */
    mode?: string;
    /** Owner by name or number, resolved on the server at each apply; the state keeps what was given. */
    owner?: string | number;
    /** Group by name or number, like `owner`. */
    group?: string | number;
    createParents?: boolean;
    onDelete?: OnDeleteDirectory;
    /** Set by the SDK: names of arguments the resource does not have. Check refuses any, so it is never stored. */
    unknownArgs?: string[];
    /** Set by check in a preview only, for people: rotated credentials, which the engine shows as `[secret]`. */
    changes?: { summary: string };
    /** Set by the SDK while previewing (never stored): a preview needs no credential, so check requires none. */
    preview?: boolean;
}

/** Outputs: the inputs plus what the server told. */
export interface RemoteDirectoryOutputs extends RemoteDirectoryInputs {
    /** The levels this resource created, outermost first (empty if the directory was already there). */
    createdDirs: string[];
    existedBefore: boolean;
    /** False when a refresh found the directory gone; the next `up` creates it again. */
    present: boolean;
}

/** How diff treats every input key (the compiler insists on all of them; test/unit checks each rule). */
export const RULES: KeyRules<RemoteDirectoryInputs> = {
    ...CONNECTION_RULES,
    path: "replace",
    mode: "custom", // any spelling of the same bits is no change; no mode keeps the remote one
    owner: "update",
    group: "update",
    createParents: "update",
    onDelete: "update",
    unknownArgs: "ignore", // check refuses any
    changes: "ignore", // for people only (preview --diff)
    preview: "ignore", // dropped by check
};

/** The inputs with every default applied and the mode written "0750": the one place RemoteDirectory defaults live. */
function withDefaults(i: RemoteDirectoryInputs): RemoteDirectoryInputs {
    return {
        ...i,
        mode: checkedMode(i.mode),
        createParents: i.createParents ?? DEFAULT_CREATE_PARENTS,
        onDelete: i.onDelete ?? DEFAULT_DIRECTORY_ON_DELETE,
        unknownArgs: undefined,
        preview: undefined,
    };
}

export async function check(
    olds: RemoteDirectoryInputs,
    news: RemoteDirectoryInputs,
): Promise<dynamic.CheckResult<RemoteDirectoryInputs>> {
    const failures: CheckFailure[] = [
        ...argumentFailures("RemoteDirectory", news.unknownArgs),
        ...checkConnection(news.connection, news.credentials, news.preview === true),
    ];
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
        failures.push({
            property: "onDelete",
            reason: `must be "delete" or "recursive" (to keep the folder, use the resource option retainOnDelete); got "${news.onDelete}"`,
        });
    }
    failures.push(...ownerFailures(news));
    const rotated =
        news.preview === true && isKnown(news.credentials) && credentialsRotated(olds?.credentials, news.credentials);
    const changes = rotated && olds?.path === news.path ? { summary: "credentials changed" } : undefined;
    return { inputs: plain({ ...withDefaults(news), changes }), failures };
}

export async function diff(
    _id: string,
    olds: RemoteDirectoryOutputs,
    news: RemoteDirectoryInputs,
): Promise<dynamic.DiffResult> {
    const custom: string[] = [];
    if (news.mode !== undefined && !sameMode(news.mode, olds.mode ?? "0")) {
        custom.push("mode");
    }
    if (olds.present === false) {
        custom.push("present");
    }
    return diffByRules(RULES, olds, news, { olds: olds.path, news: news.path }, custom);
}

/** Makes the directory (and, with createParents, its parents); returns the levels created. */
async function make(t: Transport, i: RemoteDirectoryInputs): Promise<string[]> {
    const mode = i.mode === undefined ? undefined : parseMode(i.mode);
    let created: string[];
    if (i.createParents === true) {
        // The parents get the server's default mode: `mode` is this folder's own (as its TSDoc says).
        const parents = await ensureDirs(t, posix.dirname(i.path));
        created = [...parents, ...(await ensureDirs(t, i.path, mode))];
    } else {
        const st = await t.stat(i.path);
        if (st?.kind === "directory") {
            created = [];
        } else if ((await t.stat(posix.dirname(i.path)))?.kind !== "directory") {
            throw folderMissing(t.endpoint, posix.dirname(i.path));
        } else {
            await t.mkdir(i.path, mode);
            created = [i.path];
        }
    }
    const st = await t.stat(i.path);
    if (st?.kind !== "directory") {
        throw notAFolder(t.endpoint, i.path);
    }
    // mkdir's mode is filtered by the server's umask: set it explicitly.
    if (mode !== undefined) {
        await applyMode(t, i.path, mode, { current: st.mode });
    }
    if (i.owner !== undefined || i.group !== undefined) {
        const ids = await resolveOwner(t, i.owner, i.group);
        if ((ids.uid !== undefined && ids.uid !== st.uid) || (ids.gid !== undefined && ids.gid !== st.gid)) {
            await t.chown(i.path, ids.uid ?? -1, ids.gid ?? -1);
        }
    }
    return created;
}

async function outputsOf(
    t: Transport,
    i: RemoteDirectoryInputs,
    createdDirs: string[],
    existedBefore: boolean,
): Promise<RemoteDirectoryOutputs> {
    const st = await t.stat(i.path);
    return plain({
        ...i,
        mode: formatMode(st?.mode) ?? i.mode,
        createdDirs,
        existedBefore,
        present: st?.kind === "directory",
    });
}

export async function create(inputs: RemoteDirectoryInputs): Promise<dynamic.CreateResult<RemoteDirectoryOutputs>> {
    return withTransport(inputs.connection, inputs.credentials ?? {}, async (t) => {
        const existedBefore = (await t.stat(inputs.path))?.kind === "directory";
        const created = await make(t, inputs);
        return { id: t.endpoint + inputs.path, outs: await outputsOf(t, inputs, created, existedBefore) };
    });
}

export async function update(
    _id: string,
    olds: RemoteDirectoryOutputs,
    news: RemoteDirectoryInputs,
): Promise<dynamic.UpdateResult<RemoteDirectoryOutputs>> {
    return withTransport(news.connection, news.credentials ?? {}, async (t) => {
        // Made again if it vanished; levels made now are ours too.
        const created = await make(t, news);
        const all = outermostFirst(new Set([...(olds.createdDirs ?? []), ...created]));
        return { outs: await outputsOf(t, news, all, olds.existedBefore) };
    });
}

export async function read(
    id: string,
    props: RemoteDirectoryOutputs,
): Promise<dynamic.ReadResult<RemoteDirectoryOutputs>> {
    return withTransport(props.connection, props.credentials ?? {}, async (t) => {
        const st = await t.stat(props.path);
        const present = st?.kind === "directory";
        const inputs = inputsOf(RULES, props) as RemoteDirectoryOutputs;
        return {
            id,
            props: plain({ ...props, present, mode: present ? (formatMode(st?.mode) ?? props.mode) : props.mode }),
            inputs: plain(inputs),
        };
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
            const outermost = outermostFirst(created)[0];
            await removeRecursive(t, outermost);
            await removeEmptyDirs(t, [], outermost);
            return;
        }
        // Left in place when something else is in it (SPEC: only when empty); the levels above stay then too.
        await removeEmptyDirs(t, created, props.path);
    });
}
