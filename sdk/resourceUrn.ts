import * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider/plan/knownKeys";

/** The type token of each resource: `pulumi-nodejs:dynamic/filedrop:<kind>` (never change it: it would replace). */
export function typeTokenOf(kind: ResourceKind): string {
    return `pulumi-nodejs:dynamic/filedrop:${kind}`;
}

/**
 * The URN a resource of `kind` named `name` will have, computed in the program the way the engine does. Pulumi's
 * dynamic providers are not told the URN of the resource they work on (pulumi/pulumi#9434), so the SDK passes it as
 * the `resourceUrn` input, for the audit log; diff ignores it. The stack and project are read from it.
 */
export function resourceUrn(
    name: string,
    kind: ResourceKind,
    opts: pulumi.CustomResourceOptions | undefined,
): pulumi.Output<string> {
    return pulumi.createUrn(name, typeTokenOf(kind), opts?.parent);
}
