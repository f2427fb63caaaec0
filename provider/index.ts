/**
 * The dynamic providers the SDK's resources register with.
 *
 * Pulumi serializes a dynamic provider object into the state, with everything its methods capture. These
 * objects are therefore stateless, capture only the handler's name, and load the real handler with `require` by
 * package name when a method runs inside the provider process: the state holds a few lines, not our code, and a
 * package upgrade takes effect without re-serializing handlers. Never hold clients or sockets here.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** A provider whose every method runs the same-named export of `provider/handlers/<handler>.ts`. */
function providerFor(
    handler: "remoteFile" | "remoteDirectory" | "remoteTree" | "remoteDownload",
): dynamic.ResourceProvider {
    // The handlers' methods as both faces serve them (audit log, failure wording, lifeline): providers/handlerMethods.ts.
    const face = () => require("pulumi-filedrop/dist/provider/providers/handlerMethods");
    return {
        // The engine hands the dynamic provider the whole stack configuration; only the audit log's key is kept.
        // Configure runs first in every provider process, before any other method.
        configure: async (req) => face().configureFace(req.config),
        check: (olds, news) => face().methodsFor(handler).check(olds, news),
        diff: (id, olds, news) => face().methodsFor(handler).diff(id, olds, news),
        create: (inputs) => face().methodsFor(handler).create(inputs),
        read: (id, props) => face().methodsFor(handler).read(id, props),
        update: (id, olds, news) => face().methodsFor(handler).update(id, olds, news),
        delete: (id, props) => face().methodsFor(handler).delete(id, props),
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
