/**
 * `writeId` (issue 19 item 7): new at every change the stack makes to the file on the server, kept otherwise, so
 * that a reload keyed on it runs after a drift repair too (where `sha256` ends where it started).
 */
import * as assert from "node:assert";
import { type RemoteFileInputs, type RemoteFileOutputs, read, update } from "../../../provider/handlers/remoteFile";
import { checkedFile, createFile, memoryFileEachTest } from "../support/fileInputs";
import { sha } from "../support/fixtures";

describe("RemoteFile writeId (memory transport)", function () {
    const file = memoryFileEachTest("/etc/app/app.conf", "a = 1\n");

    const updated = async (id: string, olds: RemoteFileOutputs, news: RemoteFileInputs) =>
        (await update(id, olds, news)).outs as RemoteFileOutputs;

    it("changes on a repair after refresh found a hand edit, where sha256 ends where it started", async function () {
        const i = await checkedFile(file.base);
        const { id, outs } = await createFile(i);
        assert.match(String(outs.writeId), /^[0-9a-f]{16}$/);
        file.server.fs.writeFile("/etc/app/app.conf", "hand edit\n");
        const refreshed = (await read(id, outs)).props as RemoteFileOutputs;
        assert.strictEqual(refreshed.writeId, outs.writeId, "a refresh changes nothing on the server");
        const repaired = await updated(id, refreshed, i);
        assert.strictEqual(file.server.fs.text("/etc/app/app.conf"), "a = 1\n");
        assert.strictEqual(repaired.sha256, outs.sha256, "sha256 is back to what a reload last saw");
        assert.notStrictEqual(repaired.writeId, outs.writeId, "writeId is new: the reload runs");
    });

    it("changes on a content update and on a mode-only change; not when nothing on the server changed", async function () {
        const i = await checkedFile(file.base);
        const { id, outs } = await createFile(i);
        const news = await checkedFile({ ...file.base, content: "a = 2\n", sha256: sha("a = 2\n") });
        const v2 = await updated(id, outs, news);
        assert.notStrictEqual(v2.writeId, outs.writeId);
        const moded = await updated(id, v2, { ...news, mode: "0600" });
        assert.notStrictEqual(moded.writeId, v2.writeId, "a mode change is a change on the server");
        const onDelete = await updated(id, moded, { ...news, mode: "0600", onDelete: "delete" });
        assert.strictEqual(onDelete.writeId, moded.writeId, "only the state changed");
    });

    it("state written before writeId existed gets one at its next change, and none before", async function () {
        const i = await checkedFile(file.base);
        const { id, outs } = await createFile(i);
        const old = { ...outs };
        delete old.writeId;
        assert.strictEqual((await read(id, old)).props?.writeId, undefined);
        assert.strictEqual((await updated(id, old, { ...i, onDelete: "delete" })).writeId, undefined);
        file.server.fs.unlink("/etc/app/app.conf");
        const gone = (await read(id, old)).props as RemoteFileOutputs;
        assert.match(String((await updated(id, gone, i)).writeId), /^[0-9a-f]{16}$/);
    });
});
