/**
 * The `filedrop` provider plugin (issue 21): the same handlers as the TypeScript SDK's dynamic resources, served to
 * every Pulumi language (YAML programs name the plugin's folder under `packages:`; Python and others generate an SDK
 * with `pulumi package add`). See docs/plugin.md.
 *
 * What this face adds around the shared methods (providers/handlerMethods.ts):
 * - check prepares the user's arguments as the TypeScript SDK does at program time (plan/prepareInputs.ts), then
 *   runs the handler's check: the same plan, preview notes and failures;
 * - secrets: inputs arrive wrapped; the handlers get plain values, and everything returned to the engine wraps again
 *   every property that was secret, plus those always secret (resources.ts): the engine does not re-mark outputs;
 * - check cannot tell a preview from an update (the engine does not say), so it never requires a credential (a
 *   preview needs none); create and update refuse a missing one with check's own sentence, before connecting.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CheckFailure } from "../checkFailure";
import { reported } from "../engineReport";
import { FiledropError } from "../errors";
import { plain } from "../handlers/plain";
import { checkConnection } from "../plan/checkInputs";
import type { ResourceKind } from "../plan/knownKeys";
import { prepareInputs } from "../plan/prepareInputs";
import { methodsFor } from "../providers/handlerMethods";
import { warn } from "../warnings";
import { detailedDiffOf } from "./detailedDiff";
import { importRead } from "./importRead";
import { alwaysSecret, HANDLER_OF, resourceOf } from "./resources";
import { unwrapProperties, wrapProperties } from "./secrets";
import type { DetailedProvider } from "./server";

/** The package's version (package.json beside dist/): the plugin's version. */
export function packageVersion(): string {
    const file = path.join(__dirname, "..", "..", "..", "package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

/**
 * The plugin's schema: plugin/schema.json of the package (generated from the SDK's declarations by
 * scripts/schema/, kept in step by test/unit/plugin/schema.test.ts), with the package's version.
 */
export function schemaText(): string {
    const file = path.join(__dirname, "..", "..", "..", "plugin", "schema.json");
    const schema = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    return JSON.stringify({ ...schema, version: packageVersion() });
}

/** Keys check adds for people or for itself that a handler's create/update must not keep. */
const CHECK_ONLY = ["changes", "preview"];

function withoutCheckOnly(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(inputs).filter(([k]) => !CHECK_ONLY.includes(k)));
}

/** Refuses a create or update without a credential, in check's words (check itself could not: see above). */
function requireCredential(inputs: Record<string, unknown>): void {
    const failures: CheckFailure[] = checkConnection(
        inputs.connection as Parameters<typeof checkConnection>[0],
        inputs.credentials as Parameters<typeof checkConnection>[1],
        false,
    );
    if (failures.length > 0) {
        const f = failures[0];
        throw new FiledropError("INVALID_INPUT", `\`${f.property}\` ${f.reason}`);
    }
}

/**
 * Runs an operation whose failure may carry the resource's properties (a partial failure the engine records):
 * those are wrapped like the outputs, so no plain secret reaches the state that way either.
 */
async function wrappingFailure<T>(secret: Iterable<string>, op: () => Promise<T>): Promise<T> {
    try {
        return await op();
    } catch (e) {
        const failed = e as { properties?: Record<string, unknown> };
        if (failed !== null && typeof failed === "object" && failed.properties !== undefined) {
            failed.properties = wrapProperties(failed.properties, secret);
        }
        throw e;
    }
}

/** The plugin's Provider, for `@pulumi/pulumi/provider`'s `main` (with the diff server.ts serves). */
export function filedropProvider(): DetailedProvider {
    const face = (kind: ResourceKind) => methodsFor(HANDLER_OF[kind]);
    return {
        version: packageVersion(),
        getSchema: async () => schemaText(),

        check: async (urn, olds, news) => {
            const { kind, name } = resourceOf(urn);
            const args = unwrapProperties(news);
            const prepared = await prepareInputs(kind, args.plain, { name, urn, secretArgs: args.secretKeys, warn });
            const r = await face(kind).check(unwrapProperties(olds).plain, prepared.inputs);
            const inputs = (r.inputs ?? {}) as Record<string, unknown>;
            const secret = [...prepared.secretKeys, ...alwaysSecret(kind, inputs)];
            return { inputs: wrapProperties(plain(inputs), secret), failures: r.failures };
        },

        diff: async (id, urn, olds, news, oldInputs) => {
            const { kind } = resourceOf(urn);
            const next = unwrapProperties(news).plain;
            const r = await face(kind).diff(id, unwrapProperties(olds).plain, next);
            const shown = r.changes
                ? detailedDiffOf(oldInputs && unwrapProperties(oldInputs).plain, next, r.replaces ?? [])
                : undefined;
            return { ...r, detailedDiff: shown };
        },

        create: async (urn, inputs) => {
            const { kind } = resourceOf(urn);
            const given = unwrapProperties(inputs);
            const news = withoutCheckOnly(given.plain);
            const secret = [...given.secretKeys, ...alwaysSecret(kind, news)];
            requireCredential(news);
            const r = await wrappingFailure(secret, () => face(kind).create(news));
            return { id: r.id, outs: wrapProperties(plain(r.outs ?? {}), secret) };
        },

        read: async (id, urn, props) => {
            const { kind, name } = resourceOf(urn);
            const state = unwrapProperties(props);
            if (Object.keys(state.plain).length === 0) {
                // `pulumi import`: no state, no inputs; the id says where (importRead.ts).
                const r = await reported(() => importRead(kind, name, id));
                return {
                    id: r.id,
                    props: wrapProperties(plain(r.props), [...r.secretKeys, ...alwaysSecret(kind, r.props)]),
                    inputs: wrapProperties(plain(r.inputs), r.secretInputs),
                };
            }
            const secret = [...state.secretKeys, ...alwaysSecret(kind, state.plain)];
            const r = await face(kind).read(id, state.plain);
            return {
                id: r.id,
                props: wrapProperties(plain(r.props ?? {}), secret),
                inputs: r.inputs === undefined ? undefined : wrapProperties(plain(r.inputs), secret),
            };
        },

        update: async (id, urn, olds, news) => {
            const { kind } = resourceOf(urn);
            const before = unwrapProperties(olds);
            const given = unwrapProperties(news);
            const next = withoutCheckOnly(given.plain);
            const secret = [...given.secretKeys, ...alwaysSecret(kind, next)];
            requireCredential(next);
            const r = await wrappingFailure(secret, () => face(kind).update(id, before.plain, next));
            return { outs: wrapProperties(plain(r.outs ?? {}), secret) };
        },

        delete: async (id, urn, props) => {
            const { kind } = resourceOf(urn);
            await face(kind).delete(id, unwrapProperties(props).plain);
        },
    };
}
