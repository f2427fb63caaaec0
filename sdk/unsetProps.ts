/**
 * Registering a resource without the arguments the user left unset. Pulumi drops undefined inputs on the wire
 * anyway, so the provider sees the same inputs; but the SDK makes an Output for every key of the properties (four
 * promises, each capturing a stack trace), which for hundreds of resources is a large part of the program's CPU
 * time (issue 13, bench/whole/RESULTS.md).
 */
import * as pulumi from "@pulumi/pulumi";

/** `props` without its undefined values, except the keys in `outputs` (declared outputs must exist on the object). */
export function withoutUnset(props: pulumi.Inputs, outputs: readonly string[]): pulumi.Inputs {
    const out: pulumi.Inputs = {};
    for (const [k, v] of Object.entries(props)) {
        if (v !== undefined || outputs.includes(k)) {
            out[k] = v;
        }
    }
    return out;
}

/** A dynamic resource that registers only the properties that are set, plus its declared `outputs`. */
export abstract class SparseDynamicResource extends pulumi.dynamic.Resource {
    constructor(
        provider: pulumi.dynamic.ResourceProvider,
        name: string,
        props: pulumi.Inputs,
        opts: pulumi.CustomResourceOptions | undefined,
        module: string,
        type: string,
        outputs: readonly string[],
    ) {
        super(provider, name, withoutUnset(props, outputs), opts, module, type);
    }
}
