/**
 * One resource's arguments, as users write them (the TypeScript SDK's `…Args` names: `connection`, `path`,
 * `content`, `source`, …), turned into the inputs the handlers take (provider/handlers/*): connection and
 * credentials split, content and local sources hashed, local paths stored relative to the project's folder, a
 * tree's manifest built, unknown argument names listed. The plugin face (provider/plugin/) runs this in check; the
 * TypeScript SDK runs the same pieces (prepareConnection.ts, prepareFile.ts, prepareTree.ts) at program time, inside
 * its Outputs, and produces the same inputs (issue 21 item 2).
 *
 * Values arrive plain (the face unwrapped Pulumi's secrets and remembered which arguments were secret); a value not
 * known yet (a preview) is the UNKNOWN marker, and what depends on it is unknown too.
 */

import { storedLocalPath } from "../localFiles";
import type { Manifest } from "../manifest";
import { isKnown, UNKNOWN } from "../unknown";
import { RESOURCE_ARGS, type ResourceKind } from "./knownKeys";
import { encodeManifest } from "./manifestCodec";
import { connectionCredentials, publicConnection, unknownArgs } from "./prepareConnection";
import { preparedContent } from "./prepareFile";
import { preparedManifest } from "./prepareTree";

/** What a preparation gives: the handler's inputs and which of their keys must be stored as secrets. */
export interface Prepared {
    inputs: Record<string, unknown>;
    /** Input keys whose values are secret: the credentials, anything derived from a secret argument. */
    secretKeys: string[];
}

/** Where and for whom a preparation runs. */
export interface PrepareContext {
    /** The resource's name, for messages. */
    name: string;
    /** The resource's URN, for the audit log (`resourceUrn`). */
    urn: string;
    /** Arguments the user gave as secrets. */
    secretArgs: ReadonlySet<string>;
    /** Tells the user something that is not a failure (a large content). */
    warn: (message: string) => void;
}

/** The `connection` argument split into `connection` (public) and `credentials` (always secret). */
function connectionParts(c: unknown): { connection: unknown; credentials: unknown } {
    if (c === undefined || c === null || !isKnown(c) || typeof c !== "object") {
        return { connection: c ?? undefined, credentials: c === UNKNOWN ? UNKNOWN : undefined };
    }
    const all = c as Record<string, unknown>;
    return { connection: publicConnection(all), credentials: connectionCredentials(all) };
}

/**
 * The arguments of `kind` (knownKeys.ts RESOURCE_ARGS) passed to the handler as they are, under the same name, when
 * given: all but `connection` and those in `prepared`, which the preparation turns into other inputs. A new
 * argument therefore reaches the handler without an edit here.
 */
function passedThrough(
    kind: ResourceKind,
    args: Record<string, unknown>,
    prepared: readonly string[],
): Record<string, unknown> {
    const keys = (RESOURCE_ARGS[kind] as readonly string[]).filter((k) => k !== "connection" && !prepared.includes(k));
    return Object.fromEntries(keys.filter((k) => args[k] !== undefined).map((k) => [k, args[k]]));
}

/** Secret input keys: every argument given as a secret that is kept under its own name, plus `also`. */
function secretsOf(ctx: PrepareContext, inputs: Record<string, unknown>, also: readonly string[]): string[] {
    const direct = [...ctx.secretArgs].filter((k) => k !== "connection" && k in inputs);
    return [...new Set(["credentials", ...direct, ...also])].filter((k) => inputs[k] !== undefined);
}

/** Prepares the arguments of a resource of `kind` (see the file comment). */
export async function prepareInputs(
    kind: ResourceKind,
    args: Record<string, unknown>,
    ctx: PrepareContext,
): Promise<Prepared> {
    const base = { ...connectionParts(args.connection), unknownArgs: unknownArgs(kind, args) };
    switch (kind) {
        case "RemoteFile": {
            const secret = ctx.secretArgs.has("content") || ctx.secretArgs.has("source");
            const content = await preparedContent(args.content, args.source, ctx.name, ctx.warn);
            const inputs = {
                ...base,
                resourceUrn: ctx.urn,
                path: args.path,
                ...content,
                ...passedThrough(kind, args, ["path", "content", "source"]),
                contentSecret: secret ? true : undefined,
                preview: { secret },
            };
            const derived = secret ? ["content", "sourcePath", "sourceText", "sha256", "size"] : [];
            return { inputs, secretKeys: secretsOf(ctx, inputs, derived) };
        }
        case "RemoteTree": {
            const source = args.source;
            const sourceDir = typeof source === "string" && isKnown(source) ? storedLocalPath(source) : source;
            const sel = { include: args.include, exclude: args.exclude, modes: args.modes };
            const known = typeof sourceDir === "string" && isKnown(sourceDir) && Object.values(sel).every(isKnown);
            const built = known
                ? await preparedManifest(sourceDir as string, sel as Parameters<typeof preparedManifest>[1], ctx.name)
                : { manifest: UNKNOWN, problems: UNKNOWN };
            const inputs = {
                ...base,
                resourceUrn: ctx.urn,
                sourceDir,
                destination: args.destination,
                ...passedThrough(kind, args, ["source", "destination"]),
                // Packed: one string through the engine and in the state (manifestCodec.ts), as the SDK sends it.
                manifest: built.manifest === UNKNOWN ? UNKNOWN : encodeManifest(built.manifest as Manifest),
                problems: built.problems,
                preview: true,
            };
            const derived = ctx.secretArgs.has("source") ? ["sourceDir", "manifest", "problems"] : [];
            return { inputs, secretKeys: secretsOf(ctx, inputs, derived) };
        }
        case "RemoteDirectory": {
            const inputs = {
                ...base,
                ...passedThrough(kind, args, []),
                preview: true,
            };
            return { inputs, secretKeys: secretsOf(ctx, inputs, []) };
        }
        case "RemoteDownload": {
            const inputs = {
                ...base,
                resourceUrn: ctx.urn,
                preview: true,
                ...passedThrough(kind, args, ["secret"]),
                secret: args.secret ?? true,
            };
            return { inputs, secretKeys: secretsOf(ctx, inputs, []) };
        }
    }
}
