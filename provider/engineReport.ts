/**
 * How the provider's results reach the user through the Pulumi engine, so that each failure reads as one sentence:
 *
 * - Check failures: the engine prints a failure that names a property as "property X value <its Go representation>
 *   has a problem: …", which dumps whole objects (a `connection` as `{map[host:{…} …]}`) and prints `{<nil>}` for a
 *   nested field such as `connection.port`. A failure without a property prints as "resource 'name' has a problem:
 *   …", so {@link fieldInReason} moves the field into the reason ("`connection.port` must be …").
 * - Thrown errors: Pulumi's dynamic provider server returns an error to the engine (which shows it on the resource)
 *   and, for check, diff, read and delete, also prints `${e}: ${e.stack}` to the provider's stderr, which the CLI
 *   shows again with a stack trace. For our own {@link FiledropError}s the message is the whole story, so
 *   {@link reported} keeps that one duplicate print out; any other error (a bug) keeps its stack trace.
 * - Retries: {@link progress} shows a passing status line (an ephemeral info message) while a deployment waits.
 */

import type { CheckFailure } from "./checkFailure";
import { inProviderProcess } from "./engineGone";
import { isFiledropError } from "./errors";

/** Check failures with the field named at the start of the reason and no property (see above). */
export function fieldInReason(failures: readonly CheckFailure[] | undefined): CheckFailure[] | undefined {
    return failures?.map((f) => ({ property: "", reason: f.property ? `\`${f.property}\` ${f.reason}` : f.reason }));
}

const unprinted = new Set<string>();
let filtering = false;

function filterDuplicatePrints(): void {
    if (filtering) {
        return;
    }
    filtering = true;
    const original = console.error;
    console.error = (...args: unknown[]) => {
        if (args.length === 1 && typeof args[0] === "string" && unprinted.delete(args[0])) {
            return;
        }
        original.apply(console, args);
    };
}

/** Runs a provider method; a FiledropError it throws reaches the user once, through the engine (see above). */
export async function reported<T>(method: () => Promise<T>): Promise<T> {
    try {
        return await method();
    } catch (e) {
        if (isFiledropError(e)) {
            filterDuplicatePrints();
            const line = `${e}: ${e.stack}`;
            unprinted.add(line);
            setTimeout(() => unprinted.delete(line), 5000).unref();
        }
        throw e;
    }
}

let statusSink: ((line: string) => void) | undefined;

/** Sends status lines to `to`: the plugin face sends them to the engine's log (provider/plugin/main.ts). */
export function sendProgressTo(to: (line: string) => void): void {
    statusSink = to;
}

/** Shows a status line in `pulumi up`'s display while it is relevant (nothing outside a deployment). */
export function progress(message: string): void {
    if (statusSink !== undefined) {
        statusSink(message);
        return;
    }
    try {
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        // Inside a program this goes to the engine. Pulumi's dynamic provider process has no engine connection of its
        // own, and there log.info prints the line on stdout, which the CLI shows as the provider's output; outside
        // both (unit tests, benchmarks) nobody is told.
        const inProvider = inProviderProcess();
        if (inProvider || pulumi.runtime.getEngine() !== undefined) {
            void pulumi.log.info(message, undefined, undefined, true);
        }
    } catch {
        // No @pulumi/pulumi here (unit tests, benchmarks): nobody to tell.
    }
}
