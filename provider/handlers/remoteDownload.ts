/**
 * The RemoteDownload dynamic-provider handler: reads a remote file (a kubeconfig an installer left on the server) into
 * the `content` output, verified by size and SHA-256 (ops/download.ts). Create and update read the file, refresh
 * reads it again and reports a change, delete forgets it and never touches the server. A resource, not a function:
 * Pulumi's dynamic providers cannot serve invokes (see the README, "Reading a file from the server").
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { CheckFailure } from "../checkFailure";
import type { ConnectionInputs, CredentialInputs } from "../connection";
import { DEFAULT_DOWNLOAD_ENCODING, DOWNLOAD_DEFAULT_MAX_BYTES, DOWNLOAD_MAX_BYTES_LIMIT } from "../defaults";
import { FiledropError } from "../errors";
import { verifiedDownload } from "../ops/download";
import { checkConnection, remotePathProblem } from "../plan/checkInputs";
import { CONNECTION_RULES, diffByRules, inputsOf, type KeyRules } from "../plan/fileDiff";
import { argumentFailures } from "../plan/knownKeys";
import { withTransport } from "../transport/pool";
import type { Transport } from "../transport/types";
import { isKnown } from "../unknown";
import { plain } from "./plain";

export type DownloadEncoding = "utf8" | "base64";

/** Inputs of a RemoteDownload, as the SDK hands them to the provider (check fills in the defaults). */
export interface RemoteDownloadInputs {
    connection: ConnectionInputs;
    credentials?: CredentialInputs;
    path: string;
    /** Largest file read, in bytes. */
    maxSize?: number;
    /** How the bytes become the `content` string. */
    encoding?: DownloadEncoding;
    /** Whether `content` is a secret (the SDK acts on it; kept so a change reads the file again). */
    secret?: boolean;
    /** Set by the SDK: the resource's URN, for the audit log (provider/audit). */
    resourceUrn?: string;
    /** Set by the SDK while previewing (never stored): a preview needs no credential, so check requires none. */
    preview?: boolean;

    /** Set by the SDK: names of arguments the resource does not have. Check refuses any, so it is never stored. */
    unknownArgs?: string[];
}

/** Outputs: the inputs plus the file as read. */
export interface RemoteDownloadOutputs extends RemoteDownloadInputs {
    /** The file's bytes, as `encoding` says; "" when a refresh found it gone. */
    content: string;
    /** SHA-256 (hex) of the bytes; "" when a refresh found the file gone (the next `up` reads it again). */
    sha256: string;
    size: number;
    mtime: number;
    verifiedBy: string;
    /** SHA-256 of the content the last create/update handed out; refresh leaves it, so a change shows in diff. */
    deployedSha256: string;
}

/** How diff treats every input key (the compiler insists on all of them; test/unit checks each rule). */
export const RULES: KeyRules<RemoteDownloadInputs> = {
    ...CONNECTION_RULES,
    path: "update", // reading another file changes nothing on the server: no replace needed
    maxSize: "update",
    encoding: "update",
    secret: "update",
    resourceUrn: "ignore", // for the audit log only
    preview: "ignore", // dropped by check
    unknownArgs: "ignore", // check refuses any
};

function withDefaults(i: RemoteDownloadInputs): RemoteDownloadInputs {
    return {
        ...i,
        maxSize: i.maxSize ?? DOWNLOAD_DEFAULT_MAX_BYTES,
        encoding: i.encoding ?? DEFAULT_DOWNLOAD_ENCODING,
        secret: i.secret ?? true,
        unknownArgs: undefined,
        preview: undefined,
    };
}

export async function check(
    _olds: RemoteDownloadInputs,
    news: RemoteDownloadInputs,
): Promise<dynamic.CheckResult<RemoteDownloadInputs>> {
    const failures: CheckFailure[] = [
        ...argumentFailures("RemoteDownload", news.unknownArgs),
        ...checkConnection(news.connection, news.credentials, news.preview === true),
    ];
    const p = isKnown(news.path) ? remotePathProblem(news.path) : undefined;
    if (p) {
        failures.push({ property: "path", reason: p });
    }
    const max = news.maxSize;
    if (max !== undefined && isKnown(max) && !(Number.isInteger(max) && max > 0 && max <= DOWNLOAD_MAX_BYTES_LIMIT)) {
        failures.push({
            property: "maxSize",
            reason: `must be a whole number of bytes from 1 to ${DOWNLOAD_MAX_BYTES_LIMIT} (16 MiB: the content is kept in the state); got ${JSON.stringify(max)}`,
        });
    }
    const enc = news.encoding;
    if (enc !== undefined && isKnown(enc) && !["utf8", "base64"].includes(enc)) {
        failures.push({ property: "encoding", reason: `must be "utf8" or "base64"; got ${JSON.stringify(enc)}` });
    }
    return { inputs: plain(withDefaults(news)), failures };
}

export async function diff(
    _id: string,
    olds: RemoteDownloadOutputs,
    news: RemoteDownloadInputs,
): Promise<dynamic.DiffResult> {
    // A refresh that found other bytes (or none: sha256 "") leaves sha256 != deployedSha256: the refresh shows a
    // change, and the next `up` reads the file again (and fails if it is still gone), so dependents get the new bytes.
    const custom = olds.deployedSha256 !== undefined && olds.sha256 !== olds.deployedSha256 ? ["sha256"] : [];
    return diffByRules(RULES, olds, news, { olds: olds.path, news: news.path }, custom);
}

/** Reads the file; a missing one fails `up` with what to do. */
async function download(t: Transport, i: RemoteDownloadInputs): Promise<RemoteDownloadOutputs> {
    const got = await verifiedDownload(t, i.path, i.maxSize ?? DOWNLOAD_DEFAULT_MAX_BYTES);
    if (got === undefined) {
        throw new FiledropError(
            "REMOTE_IO",
            `Cannot download ${t.endpoint}${i.path}: no such file; check \`path\`, or make the resource depend on whatever creates the file (dependsOn).`,
        );
    }
    return plain({
        ...i,
        content: got.bytes.toString(i.encoding ?? DEFAULT_DOWNLOAD_ENCODING),
        sha256: got.sha256,
        size: got.size,
        mtime: got.mtime ?? 0,
        verifiedBy: got.verifiedBy,
        deployedSha256: got.sha256,
    });
}

function idOf(t: Transport, i: RemoteDownloadInputs): string {
    return `download:${t.endpoint}${i.path}`;
}

export async function create(inputs: RemoteDownloadInputs): Promise<dynamic.CreateResult<RemoteDownloadOutputs>> {
    return withTransport(inputs.connection, inputs.credentials ?? {}, async (t) => ({
        id: idOf(t, inputs),
        outs: await download(t, inputs),
    }));
}

export async function update(
    _id: string,
    _olds: RemoteDownloadOutputs,
    news: RemoteDownloadInputs,
): Promise<dynamic.UpdateResult<RemoteDownloadOutputs>> {
    return withTransport(news.connection, news.credentials ?? {}, async (t) => ({ outs: await download(t, news) }));
}

export async function read(
    id: string,
    props: RemoteDownloadOutputs,
): Promise<dynamic.ReadResult<RemoteDownloadOutputs>> {
    return withTransport(props.connection, props.credentials ?? {}, async (t) => {
        const inputs = plain(inputsOf(RULES, props)) as RemoteDownloadOutputs;
        const got = await verifiedDownload(t, props.path, props.maxSize ?? DOWNLOAD_DEFAULT_MAX_BYTES);
        if (got === undefined) {
            // Gone out of band: shown as a change by this refresh; the next `up` reads it again.
            return { id, props: plain({ ...props, content: "", sha256: "", size: 0, mtime: 0 }), inputs };
        }
        const content = got.bytes.toString(props.encoding ?? DEFAULT_DOWNLOAD_ENCODING);
        const outs = { ...props, content, sha256: got.sha256, size: got.size, mtime: got.mtime ?? 0 };
        return { id, props: plain({ ...outs, verifiedBy: got.verifiedBy }), inputs };
    });
}

/** Forgets the download: nothing on the server is touched. */
export async function remove(_id: string, _props: RemoteDownloadOutputs): Promise<void> {}
