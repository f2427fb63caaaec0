/**
 * Starting the dynamic-provider host while the program still works (issue 13). The engine starts the process that
 * runs our provider (`pulumi-resource-pulumi-nodejs`: Node and `@pulumi/pulumi`, about half a second) only when the
 * first resource of package `pulumi-nodejs` is registered, and a resource is registered only after all its inputs
 * are known: after the program hashed its sources (a 1 GiB file: 0.7 s) and built its other resources. So, the first
 * time a filedrop resource is constructed, the program asks the engine for a function of that package: the engine
 * then starts the same default provider the resources will use, while the program goes on hashing. The host has no
 * functions and answers "unknown function"; that answer is expected and dropped.
 *
 * Only under the engine (a gRPC resource monitor), once per monitor: never under Pulumi's mocks, where the call
 * would reach the user's `mocks.call`. `FILEDROP_NO_EARLY_PROVIDER=1` turns it off.
 */
import * as pulumi from "@pulumi/pulumi";

/** The function asked for; the dynamic-provider host has none, so no real function can be called by accident. */
export const PROVIDER_START_TOKEN = "pulumi-nodejs:filedrop:startProvider";

/** Monitors the call was made for (the Automation API can run several programs in one process). */
const started = new WeakSet<object>();

/** Whether `monitor` is the engine's gRPC client (not Pulumi's mock monitor, not absent). */
function isEngineMonitor(monitor: unknown): monitor is object {
    return typeof (monitor as { getChannel?: unknown } | undefined)?.getChannel === "function";
}

/** What is used of `pulumi.runtime` (a parameter for the unit tests). */
export type RuntimeCalls = Pick<typeof pulumi.runtime, "getMonitor" | "invoke">;

/**
 * Asks the engine to start the dynamic-provider host now, once per program run; never fails and never waits.
 * Returns whether it asked.
 */
export function startProviderHost(
    env: NodeJS.ProcessEnv = process.env,
    runtime: RuntimeCalls = pulumi.runtime,
): boolean {
    if (env.FILEDROP_NO_EARLY_PROVIDER) {
        return false;
    }
    try {
        const monitor = runtime.getMonitor();
        if (!isEngineMonitor(monitor) || started.has(monitor)) {
            return false;
        }
        started.add(monitor);
        runtime.invoke(PROVIDER_START_TOKEN, {}).catch(() => undefined);
        return true;
    } catch {
        // An SDK that throws outside the engine: the resource's own registration says what is wrong.
        return false;
    }
}
