import { FiledropError } from "../provider/errors";
import type { ResourceKind } from "../provider/plan/knownKeys";

/**
 * Refuses the `import` resource option in one sentence (issue 21 item 3). Pulumi's dynamic-provider server reads an
 * imported resource before any filedrop code is loaded, and fails there with "Cannot read properties of undefined
 * (reading 'toJavaScript')"; the `filedrop` plugin imports a RemoteFile (docs/plugin.md). The same failure with
 * `pulumi import pulumi-nodejs:dynamic/filedrop:…` on the command line happens in Pulumi's own process, where
 * nothing of ours runs to reword it.
 */
export function refuseImportOption(kind: ResourceKind, name: string, opts: { import?: unknown } | undefined): void {
    if (opts?.import === undefined) {
        return;
    }
    throw new FiledropError(
        "UNSUPPORTED",
        `${kind} "${name}": the \`import\` resource option cannot work with the TypeScript SDK's dynamic resources (Pulumi reads the resource before any filedrop code runs); import it with the filedrop plugin instead: \`pulumi import filedrop:index:${kind} ${name} <id>\` (docs/plugin.md), or declare it without \`import\`: \`pulumi up\` adopts a file already at the path and puts it back on destroy.`,
    );
}
