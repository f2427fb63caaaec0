/**
 * The dynamic providers the SDK's resources register with.
 *
 * Pulumi serializes a dynamic provider object into the state, with everything its methods capture. These
 * objects are therefore stateless, capture only the handler's name, and load the real handler with `require` by
 * package name when a method runs inside the provider process: the state holds a few lines, not our code, and a
 * package upgrade takes effect without re-serializing handlers. Never hold clients or sockets here.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** Why the transfers stopped, for whoever still listens (the engine that would show it is gone). */
const ENGINE_GONE =
    "The Pulumi CLI is gone (killed, or it exited without stopping its provider), so filedrop stopped its transfers; run `pulumi up` again: it continues an interrupted upload where it stopped.";

/** A provider whose every method runs the same-named export of `provider/handlers/<handler>.ts`. */
function providerFor(
    handler: "remoteFile" | "remoteDirectory" | "remoteTree" | "remoteDownload",
): dynamic.ResourceProvider {
    const load = () => require(`pulumi-filedrop/dist/provider/handlers/${handler}`);
    // Transfers and removals go to the audit log when one is configured: see provider/audit/.
    const audit = () => require("pulumi-filedrop/dist/provider/audit/audited");
    const auditLog = () => require("pulumi-filedrop/dist/provider/audit/auditLog");
    // How failures are worded for the engine (one message each, fields named): see provider/engineReport.ts.
    const report = () => require("pulumi-filedrop/dist/provider/engineReport");
    const advice = () => require("pulumi-filedrop/dist/provider/errors");
    // When the CLI is killed or exits without stopping this process: abort the transfers and exit (engineGone.ts).
    const lifeline = () => require("pulumi-filedrop/dist/provider/engineGone");
    const pool = () => require("pulumi-filedrop/dist/provider/transport/pool");
    return {
        // The engine hands the dynamic provider the whole stack configuration; only the audit log's key is kept.
        // Configure runs first in every provider process, before any other method.
        configure: async (req) => {
            lifeline().exitWhenEngineGone(() => pool().abortAll(ENGINE_GONE));
            return auditLog().configureAudit(req.config);
        },
        check: (olds, news) =>
            report().reported(async () => {
                const r = await load().check(olds, news);
                return { ...r, failures: report().fieldInReason(r.failures) };
            }),
        diff: (id, olds, news) => report().reported(() => load().diff(id, olds, news)),
        create: (inputs) => audit().audited(handler, "create", [inputs], () => load().create(inputs)),
        // Refresh and destroy connect with the state's connection: host-key advice says how to change that.
        read: (id, props) =>
            report().reported(() =>
                audit().audited(handler, "read", [id, props], () =>
                    load()
                        .read(id, props)
                        .catch((e: unknown) => Promise.reject(advice().withStateConnectionAdvice(e, "refresh"))),
                ),
            ),
        update: (id, olds, news) =>
            audit().audited(handler, "update", [id, olds, news], () => load().update(id, olds, news)),
        delete: (id, props) =>
            report().reported(() =>
                audit()
                    .audited(handler, "delete", [id, props], () => load().remove(id, props))
                    .then(() => undefined)
                    .catch((e: unknown) => Promise.reject(advice().withStateConnectionAdvice(e, "destroy"))),
            ),
    };
}

/** RemoteFile's provider. */
export const remoteFileProvider = providerFor("remoteFile");
/** RemoteDirectory's provider. */
export const remoteDirectoryProvider = providerFor("remoteDirectory");
/** RemoteTree's provider. */
export const remoteTreeProvider = providerFor("remoteTree");
/** RemoteDownload's provider. */
export const remoteDownloadProvider = providerFor("remoteDownload");
