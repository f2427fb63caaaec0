import * as pulumi from "@pulumi/pulumi";

import remoteDownloadProvider = require("../provider/providers/remoteDownload");

import type { ArgsOf, SameKeys } from "../provider/plan/knownKeys";
import { type ConnectionArgs, splitConnection, unknownArgs } from "./connection";
import { refuseImportOption } from "./importOption";
import { startProviderHost } from "./providerStart";
import { resourceUrn } from "./resourceUrn";
import { SparseDynamicResource } from "./unsetProps";

/** Arguments of a {@link RemoteDownload}. */
export interface RemoteDownloadArgs {
    /** How to reach the server. */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** Absolute POSIX path of the file to read on the server (a symlink is followed over SFTP). */
    readonly path: pulumi.Input<string>;
    /**
     * The largest file read, in bytes; a larger one fails the deployment with a `TOO_LARGE` error. The content is
     * kept in the state (encrypted when secret) in every checkpoint, hence a limit: at most 16 MiB (16777216).
     * @default 1048576 (1 MiB)
     */
    readonly maxSize?: pulumi.Input<number>;
    /** How the bytes become the `content` string: `"utf8"` text, or `"base64"` for binary files. @default "utf8" */
    readonly encoding?: pulumi.Input<"utf8" | "base64">;
    /**
     * Whether `content` is a Pulumi secret (encrypted in the state, hidden in the CLI's output). Files worth reading
     * from a server (kubeconfigs, tokens) usually hold credentials; set `false` only for public data.
     * @default true
     */
    readonly secret?: boolean;
}

/** Compile-time proof that the arguments documented here are the ones check knows (provider/plan/knownKeys.ts). */
const argsMatch: SameKeys<RemoteDownloadArgs, ArgsOf<"RemoteDownload">> = true;
void argsMatch;

/**
 * A file read from a server, as a verified output: its size and SHA-256 are checked against the bytes received and,
 * where the server can hash (SSH exec of `openssl`/`sha256sum`, FTP `HASH`), against the server's own hash.
 * `content` is a secret unless `secret: false`. `pulumi refresh` (or `pulumi up --refresh`) reads the file again
 * and shows a change; destroy never touches the server. A resource rather than a function because Pulumi's dynamic
 * providers cannot serve functions (invokes).
 *
 * @example
 * ```ts
 * const kubeconfig = new RemoteDownload("kubeconfig", {
 *     connection: { host: "10.0.0.5", user: "deploy", privateKey: key },
 *     path: "/etc/rancher/k3s/k3s.yaml",
 * }, { dependsOn: [installer] }).content;
 * ```
 */
export class RemoteDownload extends SparseDynamicResource {
    /** The absolute path on the server. */
    declare public readonly path: pulumi.Output<string>;
    /** The file's content (text, or base64 with `encoding: "base64"`); a secret unless `secret: false`. */
    declare public readonly content: pulumi.Output<string>;
    /** SHA-256 (hex) of the bytes read ("" when a refresh found the file gone). */
    declare public readonly sha256: pulumi.Output<string>;
    /** Size in bytes. */
    declare public readonly size: pulumi.Output<number>;
    /** Remote modification time, seconds since the epoch (0 when the server does not tell). */
    declare public readonly mtime: pulumi.Output<number>;
    /** How the bytes were verified (e.g. `ssh exec: openssl dgst -sha256 + bytes received`). */
    declare public readonly verifiedBy: pulumi.Output<string>;

    constructor(name: string, args: RemoteDownloadArgs, opts?: pulumi.CustomResourceOptions) {
        refuseImportOption("RemoteDownload", name, opts);
        startProviderHost();
        const { connection, credentials } = splitConnection(args.connection, name);
        const secret = args.secret ?? true;
        const hidden = secret ? ["credentials", "content"] : ["credentials"];
        super(
            remoteDownloadProvider,
            name,
            {
                connection,
                credentials,
                // Names of arguments this resource does not have: check refuses them with the closest known one.
                unknownArgs: unknownArgs("RemoteDownload", args),
                resourceUrn: resourceUrn(name, "RemoteDownload", opts), // for the audit log
                // Lets check preview without a credential (the SDK says once that it is missing); never stored.
                preview: pulumi.runtime.isDryRun() ? true : undefined,
                path: args.path,
                maxSize: args.maxSize,
                encoding: args.encoding,
                secret,
                content: undefined,
                sha256: undefined,
                size: undefined,
                mtime: undefined,
                verifiedBy: undefined,
            },
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...hidden] },
            "filedrop",
            "RemoteDownload",
            // Declared outputs, registered even when unset (see unsetProps.ts).
            ["path", "content", "sha256", "size", "mtime", "verifiedBy"],
        );
    }
}
