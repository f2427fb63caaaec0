/**
 * Registering a resource cheaply in the program (issue 13, bench/whole/RESULTS.md). For each key of a resource's
 * properties the Pulumi SDK makes an Output of four promises, and it wraps every promise it makes in
 * `debuggablePromise`, which records `new Error().stack` for its leak report. Under `pulumi up`/`preview` the
 * program runs with ts-node's source-map-support, whose `prepareStackTrace` maps every frame of every one of those
 * stacks: for hundreds of resources that was the largest part of the program's CPU time (measured: 200 RemoteFiles,
 * unchanged preview, program 5.0 s of CPU with stacks, 3.6 s without).
 *
 * So our resources register (a) only the properties that are set, plus their declared outputs (Pulumi drops
 * undefined inputs on the wire anyway, so the provider sees the same inputs), and (b) with `Error.stackTraceLimit`
 * at 0 while the SDK's constructor runs synchronously, restored right after. The resource's own source position is
 * unaffected (the SDK raises the limit itself when it takes it). The stacks recorded are only printed when
 * `PULUMI_DEBUG_PROMISE_LEAKS` is set; then they are kept.
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

/** The stack trace limit to use while a resource registers: 0, unless the user is debugging promise leaks. */
export function registrationStackLimit(current: number, env: NodeJS.ProcessEnv = process.env): number {
    return env.PULUMI_DEBUG_PROMISE_LEAKS ? current : 0;
}

/**
 * A dynamic resource that registers only the properties that are set, plus its declared `outputs`, without
 * recording a stack trace for each promise the SDK makes meanwhile (see above).
 */
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
        const sparse = withoutUnset(props, outputs);
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = registrationStackLimit(limit);
        try {
            super(provider, name, sparse, opts, module, type);
        } finally {
            Error.stackTraceLimit = limit;
        }
    }
}
