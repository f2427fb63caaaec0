/** A RemoteTree's inputs as the engine hands them to the handlers: the SDK's manifest of a local folder, through check. */
import { check, type RemoteTreeInputs } from "../../../provider/handlers/remoteTree";
import { buildManifest } from "../../../provider/plan/treeSource";
import { checkedBy, type freshServer } from "./fixtures";

/**
 * Inputs for the tree of the folder `sourceDir()` names at `destination` on the server of `f`, built again on each
 * call (so an edited or replaced folder gives a new manifest); `extra` overrides any input, and its
 * include/exclude/modes also select the manifest.
 */
export function treeInputsOf(
    f: ReturnType<typeof freshServer>,
    sourceDir: () => string,
    destination: string,
): (extra?: Partial<RemoteTreeInputs>) => Promise<RemoteTreeInputs> {
    return async (extra = {}) => {
        const dir = sourceDir();
        const { manifest, problems } = await buildManifest(dir, {
            modes: extra.modes,
            include: extra.include,
            exclude: extra.exclude,
        });
        const raw: RemoteTreeInputs = {
            connection: f.connection,
            credentials: f.credentials,
            sourceDir: dir,
            destination,
            manifest,
            problems,
            ...extra,
        };
        return checkedBy(check, raw);
    };
}
