/**
 * The transport calls of one RemoteFile create and one content update (issue 13): each is at least one round
 * trip, and with `--parallel` 8 their latency bounds a many-file `pulumi up`. A step that asks the server again what
 * the operation already knows shows up here as an extra call.
 */
import * as assert from "node:assert";
import { create, type RemoteFileInputs, type RemoteFileOutputs, update } from "../../../provider/handlers/remoteFile";
import { checkedFile, memoryFileEachTest } from "../support/fileInputs";
import { createdBy, sha } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

/** The calls made since `from`, as `op path` lines (temporary and marker names shortened). */
function callsSince(server: MemoryServer, from: number): string[] {
    return server.calls
        .slice(from)
        .map((c) => (c.op === "exec" ? "exec" : `${c.op} ${c.path.replace(/\.filedrop-[0-9a-z-]+$/, ".filedrop-*")}`));
}

/** The calls of the verified upload itself, the same in a create and a content update. */
const VERIFIED_UPLOAD = [
    "list /srv/app", // temporary sweep (also: is there a temporary to continue?)
    "write /srv/app/.a.conf.filedrop-*", // the temporary
    "stat /srv/app/.a.conf.filedrop-*", // size verification
    "exec", // SHA-256 of the temporary on the server
    "chmod /srv/app/.a.conf.filedrop-*",
    "rename /srv/app/.a.conf.filedrop-*",
    "stat /srv/app/a.conf", // mode and mtime after the rename
];

describe("RemoteFile: transport calls of one create and one update (memory transport)", function () {
    const file = memoryFileEachTest("/srv/app/a.conf", "a = 1\n", (server) => {
        server.fs.mkdirp("/srv/app");
    });

    it("a create into an existing folder asks each path once: 12 calls, 5 of them stats (17 and 10 before)", async function () {
        const i = await checkedFile(file.base);
        const from = file.server.calls.length;
        await createdBy<RemoteFileInputs, RemoteFileOutputs>(create, i);
        const calls = callsSince(file.server, from);
        assert.deepStrictEqual(calls, [
            "stat /srv/app/a.conf", // symlink policy (and what was there before)
            "stat /srv/app", // the folder
            "stat /srv/app/.a.conf.filedrop-*", // new-file marker of an interrupted create
            "write /srv/app/.a.conf.filedrop-*", // the new-file marker
            ...VERIFIED_UPLOAD,
            "remove /srv/app/.a.conf.filedrop-*", // the new-file marker
        ]);
        assert.strictEqual(file.server.fs.text("/srv/app/a.conf"), "a = 1\n");
    });

    it("a content update asks each path once: 9 calls, 4 of them stats (11 and 6 before)", async function () {
        const i = await checkedFile(file.base);
        const { id, outs } = await createdBy<RemoteFileInputs, RemoteFileOutputs>(create, i);
        const news = await checkedFile({ ...file.base, content: "a = 2\n", sha256: sha("a = 2\n") }, i);
        const from = file.server.calls.length;
        await update(id, outs, news);
        assert.deepStrictEqual(callsSince(file.server, from), [
            "stat /srv/app/a.conf", // symlink policy (and what was there before: its mode is kept)
            "stat /srv/app", // the folder
            ...VERIFIED_UPLOAD,
        ]);
        assert.strictEqual(file.server.fs.text("/srv/app/a.conf"), "a = 2\n");
    });
});
