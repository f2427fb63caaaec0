import * as pulumi from "@pulumi/pulumi";

import remoteDirectoryProvider = require("../provider/providers/remoteDirectory");

import type { ArgsOf, SameKeys } from "../provider/plan/knownKeys";
import { type ConnectionArgs, splitConnection, unknownArgs } from "./connection";
import { refuseImportOption } from "./importOption";
import { startProviderHost } from "./providerStart";
import { SparseDynamicResource } from "./unsetProps";

/** Arguments of a {@link RemoteDirectory}. */
export interface RemoteDirectoryArgs {
    /** How to reach the server. */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** Absolute POSIX path of the folder on the server. Changing it replaces the resource. */
    readonly path: pulumi.Input<string>;
    /**
     * Permission bits as an octal string, such as `"0750"`; applied to the folder itself (also when it already
     * existed), not to the parents created for it.
     * @default the server's default for new folders; an existing folder keeps its mode
     */
    readonly mode?: pulumi.Input<string>;
    /**
     * Owner of the folder, by name (`"www-data"`, looked up on the server) or number; set on every `up` when it
     * differs. Needs the right to chown there (root, or `sudo` on the connection). SFTP only.
     * @default unchanged (the login user for a new folder)
     */
    readonly owner?: pulumi.Input<string | number>;
    /** Group of the folder, by name (looked up on the server) or number. SFTP only. @default unchanged */
    readonly group?: pulumi.Input<string | number>;
    /**
     * Create missing parent folders (like `mkdir -p`). Every level created is recorded and removed on destroy.
     * @default true
     */
    readonly createParents?: pulumi.Input<boolean>;
    /**
     * What destroy does with the levels this resource created (a folder that already existed is never removed):
     * `"delete"` removes them only when empty, and leaves them (without failing) when something else is inside;
     * `"recursive"` removes them with everything inside.
     * WARNING: `"recursive"` also deletes files other tools or resources put there.
     * @default "delete"
     */
    readonly onDelete?: pulumi.Input<"delete" | "recursive">;
}

/** Compile-time proof that the arguments documented here are the ones check knows (provider/plan/knownKeys.ts). */
const argsMatch: SameKeys<RemoteDirectoryArgs, ArgsOf<"RemoteDirectory">> = true;
void argsMatch;

/**
 * A folder on a remote server. Records which levels it created, so destroy removes exactly those, and only when
 * empty unless `onDelete: "recursive"`. A refresh notices a folder removed out of band; the next `up` makes it
 * again.
 *
 * @example
 * ```ts
 * const releases = new RemoteDirectory("releases", {
 *     connection: { host: "10.0.0.5", user: "deploy", privateKey: key },
 *     path: "/srv/app/releases",
 *     mode: "0750",
 * });
 * ```
 */
export class RemoteDirectory extends SparseDynamicResource {
    /** The absolute path on the server. */
    declare public readonly path: pulumi.Output<string>;
    /** Permission bits on the server, as an octal string. */
    declare public readonly mode: pulumi.Output<string>;
    /** The levels this resource created, outermost first (empty if the folder was already there). */
    declare public readonly createdDirs: pulumi.Output<string[]>;
    /** Whether the folder existed before this resource was created. */
    declare public readonly existedBefore: pulumi.Output<boolean>;
    /** False when the last refresh found the folder gone. */
    declare public readonly present: pulumi.Output<boolean>;

    constructor(name: string, args: RemoteDirectoryArgs, opts?: pulumi.CustomResourceOptions) {
        refuseImportOption("RemoteDirectory", name, opts);
        startProviderHost();
        const { connection, credentials } = splitConnection(args.connection, name);
        super(
            remoteDirectoryProvider,
            name,
            {
                connection,
                credentials,
                // Names of arguments this resource does not have: check refuses them with the closest known one.
                unknownArgs: unknownArgs("RemoteDirectory", args),
                path: args.path,
                mode: args.mode,
                owner: args.owner,
                group: args.group,
                createParents: args.createParents,
                onDelete: args.onDelete,
                // Lets check preview without a credential and say when credentials change; never stored.
                preview: pulumi.runtime.isDryRun() ? true : undefined,
                createdDirs: undefined,
                existedBefore: undefined,
                present: undefined,
            },
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "credentials"] },
            "filedrop",
            "RemoteDirectory",
            // Declared outputs, registered even when unset (see unsetProps.ts).
            ["path", "mode", "createdDirs", "existedBefore", "present"],
        );
    }
}
