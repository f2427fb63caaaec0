/** The set-up the RemoteFile handler tests share: a fresh memory server and a RemoteFile's inputs for it. */
import { check, create, type RemoteFileInputs, type RemoteFileOutputs } from "../../../provider/handlers/remoteFile";
import { givenWarnings } from "../../../provider/warnings";
import { checkedBy, createdBy, freshServer, remoteFileInputs } from "./fixtures";
import type { MemoryServer } from "./memoryTransport";

/** RemoteFile's check as the engine calls it: of `news`, after `olds` (a first check when not given). */
export function checkedFile(news: RemoteFileInputs, olds: RemoteFileInputs = news): Promise<RemoteFileInputs> {
    return checkedBy(check, news, olds);
}

/** RemoteFile's create as the engine calls it, its result checked to survive the engine's Struct. */
export function createFile(inputs: RemoteFileInputs): Promise<{ id: string; outs: RemoteFileOutputs }> {
    return createdBy<RemoteFileInputs, RemoteFileOutputs>(create, inputs);
}

/** `createFile` of the inputs as check returns them (what an `up` does with a program's inputs). */
export async function createCheckedFile(inputs: RemoteFileInputs): Promise<{ id: string; outs: RemoteFileOutputs }> {
    return createFile(await checkedFile(inputs));
}

/** What one RemoteFile handler test works on, made new before each test (`memoryFileEachTest`). */
export interface MemoryFile {
    /** The memory server, installed as the transport of the file's connection. */
    server: MemoryServer;
    /** The file's inputs before check: the content at the path, on that server. */
    base: RemoteFileInputs;
}

/**
 * Mocha hooks around each test of the calling `describe`: a fresh memory server, no warnings given yet, inputs for
 * `content` at `path`, then `prepare` (a root login, planted files, ...); the server is uninstalled after each test.
 */
export function memoryFileEachTest(
    path: string,
    content: string,
    prepare: (server: MemoryServer) => void = () => undefined,
): MemoryFile {
    const file = {} as MemoryFile;
    beforeEach(function () {
        const f = freshServer();
        file.server = f.server;
        file.base = remoteFileInputs(f, path, content);
        givenWarnings.length = 0;
        prepare(file.server);
    });
    afterEach(() => file.server.uninstall());
    return file;
}
