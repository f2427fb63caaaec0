/**
 * The plugin's resource types: `filedrop:index:<Kind>` (the names YAML programs and generated SDKs use; never change
 * them: a stack's resources would be replaced), with the handler each one runs and the outputs always kept secret.
 */
import type { ResourceKind } from "../plan/knownKeys";
import type { HandlerName } from "../providers/handlerMethods";

/** The plugin's package name (`filedrop`), the first part of every type token. */
export const PACKAGE = "filedrop";

/** The type token of a resource kind. */
export function tokenOf(kind: ResourceKind): string {
    return `${PACKAGE}:index:${kind}`;
}

/** The handler of each kind. */
export const HANDLER_OF: Record<ResourceKind, HandlerName> = {
    RemoteFile: "remoteFile",
    RemoteDirectory: "remoteDirectory",
    RemoteTree: "remoteTree",
    RemoteDownload: "remoteDownload",
};

/**
 * Properties kept secret whatever the user marked: what the TypeScript SDK asks of the engine with
 * `additionalSecretOutputs` (sdk/remote*.ts). `credentials` always; a RemoteFile's `writtenSha256` (what destroy may
 * delete: a SHA-256 of a secret content must not be in clear); a RemoteDownload's `content` unless `secret: false`.
 */
export function alwaysSecret(kind: ResourceKind, props: Record<string, unknown>): string[] {
    switch (kind) {
        case "RemoteFile":
            return ["credentials", "writtenSha256"];
        case "RemoteDownload":
            return props.secret === false ? ["credentials"] : ["credentials", "content"];
        default:
            return ["credentials"];
    }
}

/** The kind and name of the resource a URN names (`urn:pulumi:stack::project::[parent$]type::name`). */
export function resourceOf(urn: string): { kind: ResourceKind; name: string } {
    const parts = urn.split("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    const kind = type.startsWith(`${PACKAGE}:index:`) ? type.slice(PACKAGE.length + 7) : "";
    if (!(kind in HANDLER_OF)) {
        throw new Error(
            `the filedrop plugin has no resource type "${type}" (it has ${(Object.keys(HANDLER_OF) as ResourceKind[]).map(tokenOf).join(", ")})`,
        );
    }
    return { kind: kind as ResourceKind, name: parts.slice(3).join("::") };
}
