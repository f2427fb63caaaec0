import * as pulumi from "@pulumi/pulumi";
import { sha256OfText } from "../provider/hashing";
import { localPath, storedLocalPath } from "../provider/localFiles";

import remoteFileProvider = require("../provider/providers/remoteFile");

import type { ArgsOf, SameKeys } from "../provider/plan/knownKeys";
import { sourceFileFacts, textFacts } from "../provider/plan/prepareFile";
import { readLocalSource } from "../provider/plan/sourceText";
import { type ConnectionArgs, splitConnection, unknownArgs } from "./connection";
import { refuseImportOption } from "./importOption";
import { startProviderHost } from "./providerStart";
import { resourceUrn } from "./resourceUrn";
import { SparseDynamicResource } from "./unsetProps";

/** Arguments of a {@link RemoteFile}. */
export interface RemoteFileArgs {
    /** How to reach the server. */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** Absolute POSIX path of the file on the server. Changing it replaces the resource (the old file is removed). */
    readonly path: pulumi.Input<string>;
    /**
     * The file's content as text (UTF-8). Exactly one of `content` and `source` is required. Pass a
     * `pulumi.secret()` to keep it encrypted in state and hidden in previews.
     */
    readonly content?: pulumi.Input<string>;
    /**
     * Where the content comes from: a local file path (relative to the project's folder, where Pulumi.yaml is), a
     * `pulumi.asset.FileAsset` or a `pulumi.asset.StringAsset`. Files are streamed, never read whole into memory.
     * A path below the project's folder is kept relative to it, so a checkout in another folder changes nothing.
     * A text file (UTF-8) of at most 64 KiB is also kept in the state, like `content`, so that
     * `pulumi preview --diff` shows a line diff of it; pass `pulumi.secret(path)` to keep it encrypted there and
     * hidden in previews ("content changed (secret: not shown)").
     */
    readonly source?: pulumi.Input<string | pulumi.asset.FileAsset | pulumi.asset.StringAsset>;
    /**
     * Permission bits as an octal string, such as `"0640"`. Like the owner, set on the uploaded temporary file
     * before it replaces the target, so the file is never in place with other bits.
     * @default the mode of the file it replaces (one already at the path, or this file changed since), else "0644"
     */
    readonly mode?: pulumi.Input<string>;
    /**
     * Numeric owner to set; like `owner`. SFTP only.
     * @default the owner of the file it replaces, else the login user (root with `sudo`)
     */
    readonly uid?: pulumi.Input<number>;
    /**
     * Numeric group to set; like `group`. SFTP only.
     * @default the group of the file it replaces, else the folder's group in a setgid folder, else the login user's
     */
    readonly gid?: pulumi.Input<number>;
    /**
     * Owner to set, by name (`"www-data"`, looked up on the server) or number; instead of `uid`. Needs the right to
     * chown there (root, or `sudo` on the connection). SFTP only. Set on the uploaded temporary file before it
     * replaces the target. When not given, a file that replaces another (adopted, or this file chowned since) keeps
     * that file's owner and group; where they cannot be kept (over FTP, or a login user not allowed to give files
     * away) `up` warns, naming both.
     * @default the owner of the file it replaces, else the login user (root with `sudo`)
     */
    readonly owner?: pulumi.Input<string | number>;
    /**
     * Group to set, by name (looked up on the server) or number; instead of `gid`. SFTP only. See `owner`.
     * @default the group of the file it replaces, else the folder's group in a setgid folder, else the login user's
     */
    readonly group?: pulumi.Input<string | number>;
    /**
     * Create missing parent folders (like `mkdir -p`). Folders created this way are removed on destroy when empty.
     * @default true
     */
    readonly createParents?: pulumi.Input<boolean>;
    /**
     * What destroy does with the file. Destroy only ever touches a file whose content is still what this stack last
     * wrote; a file changed since (by a person, another stack) is left in place with a warning. Unset (the default):
     * a file the stack created is deleted, and a file that was already at the path (adopted; `up` warns) is put back
     * as it was, from the copy kept as `.<name>.filedrop-backup-<hex>` beside it. `"restore"`: the same.
     * `"delete"`: the file is deleted even when it was adopted (no copy is kept). To leave the file in place, use
     * Pulumi's `retainOnDelete` resource option.
     * @default unset: delete a created file, restore an adopted one
     */
    readonly onDelete?: pulumi.Input<"delete" | "restore">;
    /**
     * What to do when `path` is a symlink (Debian's nginx `sites-enabled/app -> ../sites-available/app`).
     * `"follow"`: write the file the link points to, atomically (temporary beside that file, renamed over it),
     * keeping the link and that file's mode, as editing the file through the link would; destroy restores that file.
     * `"refuse"`: fail the deployment, changing nothing. A link's own mode (0777) is never used. SFTP resolves links;
     * over FTP a symlink at `path` is refused.
     * @default "follow"
     */
    readonly symlinks?: pulumi.Input<"follow" | "refuse">;
    /**
     * A command run over SSH on the uploaded temporary file before it replaces the target, with `{path}` standing
     * for that file (shell-quoted; without `{path}` the path is appended), such as `visudo -cf {path}` or, for a
     * whole nginx.conf, `nginx -t -c {path}`. It sees the file alone: for a snippet that is only valid with the
     * files including it (an nginx `conf.d/*.conf`), use `validateInPlace`. If it exits non-zero the target is left
     * untouched and the deployment fails with the command's output. SFTP only.
     * @default none
     */
    readonly validate?: pulumi.Input<string>;
    /**
     * A command run over SSH on the whole configuration AFTER the new file has been renamed into place, such as
     * `nginx -t`, `apachectl configtest` or `sshd -t` (`{path}`, if given, stands for the target path,
     * shell-quoted). If it exits non-zero, the file that was there before is put back (by an atomic rename, with
     * its mode and owner; or the new file is removed where none was there) and the deployment fails with the
     * command's output. Runs after an upload only (not after a mode-only change), after `validate`. Readers of the
     * path see the new file while the command runs; nothing should reload the service before it succeeds (make
     * the reload depend on this resource). SFTP only.
     * @default none
     */
    readonly validateInPlace?: pulumi.Input<string>;
    /**
     * Seconds `validate` and `validateInPlace` may each run. A check still running then is stopped (on the server it
     * runs under coreutils `timeout`, so it ends even if the connection is lost) and counts as failed: the target is
     * left untouched, or the previous file is put back. At most 86400.
     * @default 60
     */
    readonly checkTimeout?: pulumi.Input<number>;
}

/** Compile-time proof that the arguments documented here are the ones check knows (provider/plan/knownKeys.ts). */
const argsMatch: SameKeys<RemoteFileArgs, ArgsOf<"RemoteFile">> = true;
void argsMatch;

/** The size of text content, with a warning when it is large (check refuses it when far too large). */
function sizeOfText(text: string, name: string): number {
    return textFacts(text, name, (w) => void pulumi.log.warn(w)).size;
}

/** Resolves `content`/`source` into what the provider diffs on: the bytes' SHA-256 and size, and where they are. */
function resolveContent(
    args: RemoteFileArgs,
    name: string,
): {
    content?: pulumi.Output<string>;
    sourcePath?: pulumi.Output<string>;
    sourceText?: pulumi.Output<string>;
    sha256: pulumi.Output<string>;
    size: pulumi.Output<number>;
} {
    if (args.content !== undefined && args.source === undefined) {
        const content = pulumi.output(args.content);
        return { content, sha256: content.apply(sha256OfText), size: content.apply((c) => sizeOfText(c, name)) };
    }
    if (args.source === undefined || args.content !== undefined) {
        // Let check report it in one sentence, with the other inputs.
        const c = args.content === undefined ? undefined : pulumi.output(args.content);
        return {
            content: c,
            sourcePath: args.source === undefined ? undefined : pulumi.output("(both given)"),
            sha256: pulumi.output(""),
            size: pulumi.output(0),
        };
    }
    if (typeof args.source === "string") {
        // A plain path (the common case): no `content` key, and one Output fewer per key (see unsetProps.ts).
        const facts = pulumi.output(sourceFileFacts(args.source, name));
        return {
            sourcePath: facts.sourcePath,
            sourceText: facts.sourceText as pulumi.Output<string>,
            sha256: facts.sha256,
            size: facts.size,
        };
    }
    const resolved = pulumi.output(args.source).apply(async (s) => {
        if (typeof s === "string") {
            return { kind: "file" as const, value: storedLocalPath(s) };
        }
        const a = s as unknown as { path?: Promise<string>; text?: Promise<string> };
        if (a.path !== undefined) {
            return { kind: "file" as const, value: storedLocalPath(await a.path) };
        }
        if (a.text !== undefined) {
            return { kind: "text" as const, value: await a.text };
        }
        throw new Error(
            "RemoteFile `source` must be a path, a FileAsset or a StringAsset (archives and remote assets are not supported)",
        );
    });
    const hashed = resolved.apply(async (r) => {
        if (r.kind === "text") {
            return { sha256: sha256OfText(r.value), size: sizeOfText(r.value, name) };
        }
        // A missing file is reported by check with a clear sentence (readLocalSource gives an empty SHA-256).
        return readLocalSource(localPath(r.value), `Hashing ${r.value} for ${name}`);
    });
    return {
        content: resolved.apply((r) => (r.kind === "text" ? r.value : undefined)) as pulumi.Output<string>,
        sourcePath: resolved.apply((r) => (r.kind === "file" ? r.value : undefined)) as pulumi.Output<string>,
        sourceText: hashed.apply((h) => ("text" in h ? h.text : undefined)) as pulumi.Output<string>,
        sha256: hashed.apply((h) => h.sha256),
        size: hashed.apply((h) => h.size),
    };
}

/** Whether the content (`content` or `source`) is a secret. */
function isSecretContent(args: RemoteFileArgs): Promise<boolean> {
    const given = args.content ?? args.source;
    return given === undefined ? Promise.resolve(false) : pulumi.isSecret(pulumi.output(given));
}

/** What check needs to know in a preview: whether the content (`content` or `source`) is a secret. */
function previewFlags(secret: Promise<boolean>): pulumi.Output<{ secret: boolean }> {
    return pulumi.output(secret.then((s) => ({ secret: s })));
}

/**
 * One file on a remote server, written by a verified atomic upload: the bytes go to a temporary name in the
 * target's folder, their size and SHA-256 are checked on the server, and only then is the temporary renamed over
 * the target. `pulumi refresh` detects a file changed or deleted out of band; destroy removes the file (or
 * restores the previous one) and the folders it created.
 *
 * @example
 * ```ts
 * new RemoteFile("nginx-conf", {
 *     connection: { host: "10.0.0.5", user: "deploy", privateKey: key, hostKey: "SHA256:…" },
 *     path: "/etc/nginx/conf.d/app.conf",
 *     source: "./nginx/app.conf",
 *     mode: "0644",
 *     validateInPlace: "nginx -t", // the whole configuration, with the new file in place
 * });
 * ```
 */
export class RemoteFile extends SparseDynamicResource {
    /** The absolute path on the server. */
    declare public readonly path: pulumi.Output<string>;
    /** SHA-256 (hex) of the file on the server, verified after upload and updated by refresh ("" if missing). */
    declare public readonly sha256: pulumi.Output<string>;
    /** Size in bytes of the file on the server. */
    declare public readonly size: pulumi.Output<number>;
    /** Permission bits on the server, as an octal string. */
    declare public readonly mode: pulumi.Output<string>;
    /** Remote modification time, seconds since the epoch. */
    declare public readonly mtime: pulumi.Output<number>;
    /** Whether a file was already at the path when this resource first wrote it. */
    declare public readonly existedBefore: pulumi.Output<boolean>;
    /** SHA-256 of the file that was there before, if any. */
    declare public readonly previousSha256: pulumi.Output<string | undefined>;
    /** How the SHA-256 was verified on the server (e.g. `ssh exec: openssl dgst -sha256`, `read-back`). */
    declare public readonly verifiedBy: pulumi.Output<string>;
    /** Whether the last replace of the target was atomic. */
    declare public readonly atomic: pulumi.Output<boolean>;
    /**
     * New each time the stack changes the file on the server: create, a content update, the repair of a hand edit
     * or deletion by `up --refresh`, a mode or owner change. Put it in a reload's `triggers` (`sha256` is back to
     * its old value after a repair, so a reload keyed on it would not run). Unset in state written by earlier
     * releases until the stack next changes the file.
     */
    declare public readonly writeId: pulumi.Output<string>;

    constructor(name: string, args: RemoteFileArgs, opts?: pulumi.CustomResourceOptions) {
        refuseImportOption("RemoteFile", name, opts);
        startProviderHost();
        const { connection, credentials } = splitConnection(args.connection, name);
        const content = resolveContent(args, name);
        const secret = isSecretContent(args);
        super(
            remoteFileProvider,
            name,
            {
                connection,
                credentials,
                // Names of arguments this resource does not have: check refuses them with the closest known one.
                unknownArgs: unknownArgs("RemoteFile", args),
                resourceUrn: resourceUrn(name, "RemoteFile", opts), // for the audit log
                path: args.path,
                content: content.content,
                sourcePath: content.sourcePath,
                sourceText: content.sourceText,
                sha256: content.sha256,
                size: content.size,
                mode: args.mode,
                uid: args.uid,
                gid: args.gid,
                owner: args.owner,
                group: args.group,
                createParents: args.createParents,
                onDelete: args.onDelete,
                symlinks: args.symlinks,
                validate: args.validate,
                validateInPlace: args.validateInPlace,
                checkTimeout: args.checkTimeout,
                // Secret content: the provider withholds checks' output and the audit log its SHA-256.
                contentSecret: pulumi.output(secret.then((s) => (s ? true : undefined))),
                // Lets check say in a preview what the engine's diff cannot show (a changed secret, rotated
                // credentials), and preview without a credential; never stored.
                preview: pulumi.runtime.isDryRun() ? previewFlags(secret) : undefined,
                mtime: undefined,
                existedBefore: undefined,
                previousSha256: undefined,
                verifiedBy: undefined,
                atomic: undefined,
                writeId: undefined,
            },
            // `writtenSha256` (what destroy may delete) has no input of its name that would carry a secret content's
            // secrecy to it: always a secret, so the state never holds a SHA-256 of secret content in clear.
            {
                ...opts,
                additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "credentials", "writtenSha256"],
            },
            "filedrop",
            "RemoteFile",
            // Declared outputs, registered even when unset (see unsetProps.ts).
            [
                "path",
                "sha256",
                "size",
                "mode",
                "mtime",
                "existedBefore",
                "previousSha256",
                "verifiedBy",
                "atomic",
                "writeId",
            ],
        );
    }
}
