/** A RemoteTree's inputs as the engine hands them to the handlers: the SDK's manifest of a local folder, through check. */
import { check, create, type RemoteTreeInputs, type RemoteTreeOutputs } from "../../../provider/handlers/remoteTree";
import { buildManifest } from "../../../provider/plan/treeSource";
import { givenWarnings } from "../../../provider/warnings";
import { checkedBy, createdBy, freshServer } from "./fixtures";
import { localTree } from "./localTree";
import type { MemoryServer } from "./memoryTransport";

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

/** RemoteTree's create as the engine calls it, its result checked to survive the engine's Struct. */
export function createTree(inputs: RemoteTreeInputs): Promise<{ id: string; outs: RemoteTreeOutputs }> {
    return createdBy<RemoteTreeInputs, RemoteTreeOutputs>(create, inputs);
}

/** What one RemoteTree handler test works on, made new before each test (`memoryTreeEachTest`). */
export interface MemoryTree {
    /** The memory server, installed as the transport of the tree's connection. */
    server: MemoryServer;
    /** The local source folder. */
    src: ReturnType<typeof localTree>;
    /** The tree's inputs for the current source folder (after check), `extra` overriding any input. */
    inputs: (extra?: Partial<RemoteTreeInputs>) => Promise<RemoteTreeInputs>;
    /** Replaces the source folder with one holding `files` (the old one is removed). */
    useSource: (files: Record<string, string>) => void;
}

/**
 * The set-up the RemoteTree handler tests share, as mocha hooks around each test of the calling `describe`: a fresh
 * memory server, no warnings given yet, a local folder holding `files` for the tree at `destination`, then
 * `prepare` (a root login, a setgid web root, ...). After each test the folder is removed and the server uninstalled.
 */
export function memoryTreeEachTest(
    files: Record<string, string>,
    destination = "/var/www",
    prepare: (server: MemoryServer) => void = () => undefined,
): MemoryTree {
    const tree = {
        useSource(next: Record<string, string>) {
            tree.src.remove();
            tree.src = localTree(next);
        },
    } as MemoryTree;
    beforeEach(function () {
        const f = freshServer();
        tree.server = f.server;
        givenWarnings.length = 0;
        tree.src = localTree(files);
        tree.inputs = treeInputsOf(f, () => tree.src.dir, destination);
        prepare(tree.server);
    });
    afterEach(async () => {
        tree.src.remove();
        await tree.server.uninstall();
    });
    return tree;
}
