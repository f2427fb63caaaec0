import * as pulumi from "@pulumi/pulumi";
import { storedLocalPath } from "../provider/localFiles";

import remoteTreeProvider = require("../provider/providers/remoteTree");

import type { ArgsOf, SameKeys } from "../provider/plan/knownKeys";
import { encodeManifest, manifestOf, type StoredManifest } from "../provider/plan/manifestCodec";
import { preparedManifest } from "../provider/plan/prepareTree";
import { type ConnectionArgs, splitConnection, unknownArgs } from "./connection";
import { refuseImportOption } from "./importOption";
import { startProviderHost } from "./providerStart";
import { resourceUrn } from "./resourceUrn";

/** Arguments of a {@link RemoteTree}. */
export interface RemoteTreeArgs {
    /** How to reach the server. */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /**
     * Local folder to mirror (relative to the project's folder, where Pulumi.yaml is). Symlinks pointing outside it
     * are refused. A folder below the project's folder is kept relative to it, so a checkout in another folder
     * changes nothing.
     */
    readonly source: pulumi.Input<string>;
    /** Absolute POSIX path of the remote folder. Changing it replaces the resource. */
    readonly destination: pulumi.Input<string>;
    /**
     * Globs (picomatch syntax, matched against paths relative to `source`, dotfiles included) of files to mirror.
     * An empty list selects no file (a list the program computes that comes out empty mirrors nothing; with `prune`
     * the files the tree uploaded earlier are then removed); leave `include` out to mirror every file.
     * @default ["**"], every file
     */
    readonly include?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Globs of files or folders to leave out; they win over `include` (e.g. `[".git", "**\/*.tmp"]`).
     * @default []
     */
    readonly exclude?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Permission bits per glob, e.g. `{ "**\/*.sh": "0755" }`; the first matching pattern, in the order given,
     * wins.
     * @default "0755" for files executable locally, else "0644"
     */
    readonly modes?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Owner of every file the tree uploads, by name (`"www-data"`, looked up on the server) or number; a change
     * sets it on every file of the tree. Needs the right to chown there (root, or `sudo` on the connection). SFTP
     * only. Set on each uploaded temporary file before it replaces the target. When not given, a file that replaces
     * another (one already there, or the tree's own chowned since) keeps that file's owner and group; where they
     * cannot be kept (over FTP, or a login user not allowed to give files away) `up` warns once, naming them.
     * @default the owner of the file each replaces, else the login user (root with `sudo`)
     */
    readonly owner?: pulumi.Input<string | number>;
    /**
     * Group of every file the tree uploads, by name (looked up on the server) or number. SFTP only. See `owner`.
     * @default the group of the file each replaces, else the folder's group in a setgid folder, else the login user's
     */
    readonly group?: pulumi.Input<string | number>;
    /**
     * What happens to remote files when they are gone from `source`: `true` deletes those the tree uploaded;
     * `"all"` also deletes every other file below `destination` that is not in `source` (a true mirror);
     * `false` leaves them (they are still removed on destroy).
     * WARNING: `"all"` deletes files other tools or resources put below `destination`.
     * @default true
     */
    readonly prune?: pulumi.Input<boolean | "all">;
    /**
     * Create `destination` and its missing parents. Folders created are removed on destroy when empty.
     * @default true
     */
    readonly createParents?: pulumi.Input<boolean>;
}

/** Compile-time proof that the arguments documented here are the ones check knows (provider/plan/knownKeys.ts). */
const argsMatch: SameKeys<RemoteTreeArgs, ArgsOf<"RemoteTree">> = true;
void argsMatch;

/**
 * Mirrors a local folder onto a remote folder. The program hashes the local files into a manifest (relative path
 * -> SHA-256, size, mode), so `pulumi preview` needs no connection and shows which files are added, changed and
 * removed. `up` uploads only those, each by a verified atomic upload, in parallel over one pooled connection;
 * refresh finds remote files changed or deleted out of band; destroy removes exactly the files the tree uploaded
 * and the folders it created, leaving everything else in `destination` alone.
 *
 * To see which files a deployment would add, change and remove, run `pulumi preview --diff`: in a preview, the
 * tree's `changes` input lists them with their sizes (sorted, at most 50 per list, then "… and N more") with a
 * summary such as "3 changed, 2 added, 1 removed". The manifest's own diff is hidden (the `hideDiffs` resource
 * option; the CLI prints `~ manifest (hidden)`), so unchanged files are never printed. `changes` never causes an
 * update by itself, and is not kept in the state.
 *
 * @example
 * ```ts
 * new RemoteTree("site", {
 *     connection: { host: "10.0.0.5", user: "deploy", privateKey: key },
 *     source: "./public",
 *     destination: "/var/www/site",
 *     exclude: ["**\/*.map"],
 *     modes: { "cgi-bin/**": "0755" },
 * });
 * ```
 */
export class RemoteTree extends pulumi.dynamic.Resource {
    /** The absolute remote folder. */
    declare public readonly destination: pulumi.Output<string>;
    /** The files the program wants there: relative path -> sha256, size, mode. */
    declare public readonly manifest: pulumi.Output<Record<string, { sha256: string; size: number; mode: string }>>;
    /** The files the tree uploaded and owns, as last verified on the server. */
    declare public readonly files: pulumi.Output<Record<string, { sha256: string; size: number; mode: string }>>;
    /** Remote folders the tree created. */
    declare public readonly createdDirs: pulumi.Output<string[]>;
    /** What the last refresh found changed or missing on the server (and, with `prune: "all"`, extra files). */
    declare public readonly drift: pulumi.Output<{ changed: string[]; missing: string[]; extra: string[] }>;
    /** What the last `up` did, e.g. "2 added (a, b), 1 changed (c), 0 removed". */
    declare public readonly lastChanges: pulumi.Output<string>;
    /**
     * New each time an `up` changes a file of the tree on the server (an upload, the repair of drift found by a
     * refresh, a removal, a mode or owner change), kept when it writes nothing: put it in a reload's `triggers`.
     * Unset in state written by earlier releases until the stack next changes a file.
     */
    declare public readonly writeId: pulumi.Output<string>;

    constructor(name: string, args: RemoteTreeArgs, opts?: pulumi.CustomResourceOptions) {
        refuseImportOption("RemoteTree", name, opts);
        startProviderHost();
        const { connection, credentials } = splitConnection(args.connection, name);
        const sourceDir = pulumi.output(args.source).apply((s) => storedLocalPath(s));
        const built = pulumi
            .all([sourceDir, args.include, args.exclude, args.modes])
            .apply(async ([stored, include, exclude, modes]) => {
                const r = await preparedManifest(stored, { include, exclude, modes }, name);
                if (r.summary !== undefined) {
                    void pulumi.log.info(r.summary);
                }
                return r;
            });
        super(
            remoteTreeProvider,
            name,
            {
                connection,
                credentials,
                // Names of arguments this resource does not have: check refuses them with the closest known one.
                unknownArgs: unknownArgs("RemoteTree", args),
                resourceUrn: resourceUrn(name, "RemoteTree", opts), // for the audit log
                sourceDir,
                destination: args.destination,
                include: args.include,
                exclude: args.exclude,
                modes: args.modes,
                owner: args.owner,
                group: args.group,
                prune: args.prune,
                createParents: args.createParents,
                // Packed: one string through the engine and in the state (provider/plan/manifestCodec.ts).
                manifest: built.apply((b) => encodeManifest(b.manifest)),
                problems: built.apply((b) => b.problems),
                // Lets check name the changed files in a preview only (see the class comment); never stored.
                preview: pulumi.runtime.isDryRun(),
                files: undefined,
                createdDirs: undefined,
                drift: undefined,
                lastChanges: undefined,
                writeId: undefined,
            },
            {
                ...opts,
                additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "credentials"],
                // The engine's diff would print every file of a changed manifest; `changes` names the changed ones.
                hideDiffs: [...(opts?.hideDiffs ?? []), "manifest"],
            },
            "filedrop",
            "RemoteTree",
        );
        // The state keeps both packed, and `manifest` only when it differs from `files`: programs see the maps.
        const stored = (o: unknown) => o as pulumi.Output<StoredManifest | undefined>;
        const files = stored(this.files);
        Object.assign(this, {
            files: files.apply((f) => manifestOf(f)),
            manifest: pulumi.all([stored(this.manifest), files]).apply(([m, f]) => manifestOf(m ?? f)),
        });
    }
}
