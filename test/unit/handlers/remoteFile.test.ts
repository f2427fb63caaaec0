/** RemoteFile's handler end to end on the memory transport: check → create → read → update → delete. */
import * as assert from "node:assert";
import { diff, type RemoteFileOutputs, read, remove, update } from "../../../provider/handlers/remoteFile";
import { checkedFile, createFile, memoryFileEachTest } from "../support/fileInputs";
import { sha, temporaries } from "../support/fixtures";

describe("RemoteFile handler (memory transport)", function () {
    const file = memoryFileEachTest("/etc/app/app.conf", "a = 1\n");

    it("check applies the defaults once and writes the mode one way", async function () {
        const i = await checkedFile({ ...file.base, mode: "00640" });
        assert.strictEqual(i.createParents, true);
        assert.strictEqual(
            i.onDelete,
            undefined,
            "no onDelete: the default depends on whether the file existed before (issue 8)",
        );
        assert.strictEqual(i.symlinks, "follow");
        assert.strictEqual(i.mode, "0640");
        assert.strictEqual((await checkedFile({ ...file.base, createParents: false })).createParents, false);
    });

    it("creates the file and its folders, reports what it found, and records how it verified", async function () {
        const { id, outs } = await createFile(await checkedFile({ ...file.base, mode: "0640" }));
        assert.strictEqual(id, `sftp://deploy@${file.base.connection.host}:22/etc/app/app.conf`);
        assert.strictEqual(file.server.fs.text("/etc/app/app.conf"), "a = 1\n");
        assert.deepStrictEqual(
            [outs.sha256, outs.size, outs.mode, outs.existedBefore, outs.createdDirs, outs.verifiedBy, outs.atomic],
            [file.base.sha256, 6, "0640", false, ["/etc", "/etc/app"], "ssh exec: openssl dgst -sha256", true],
        );
    });

    it("read returns the inputs like the other handlers, and finds a file changed or deleted out of band", async function () {
        const i = await checkedFile(file.base);
        const { id, outs } = await createFile(i);
        const same = await read(id, outs as RemoteFileOutputs);
        assert.strictEqual(same.props!.sha256, file.base.sha256);
        assert.deepStrictEqual(same.inputs, { ...i, mode: "0644" });
        assert.strictEqual(
            (await diff(id, same.props as RemoteFileOutputs, i)).changes,
            false,
            "a clean refresh diffs clean",
        );
        file.server.fs.writeFile("/etc/app/app.conf", "tampered");
        const changed = await read(id, outs as RemoteFileOutputs);
        assert.strictEqual(changed.props!.sha256, sha("tampered"));
        assert.strictEqual(changed.inputs!.sha256, file.base.sha256, "inputs keep what was deployed");
        assert.strictEqual((await diff(id, changed.props as RemoteFileOutputs, i)).changes, true);
        file.server.fs.unlink("/etc/app/app.conf");
        const gone = await read(id, outs as RemoteFileOutputs);
        assert.strictEqual(gone.props!.sha256, "");
        assert.strictEqual((await diff(id, gone.props as RemoteFileOutputs, i)).changes, true);
    });

    it("updates content by a new upload, and a mode alone by chmod without uploading", async function () {
        const { id, outs } = await createFile(await checkedFile(file.base));
        const v2 = await checkedFile({ ...file.base, content: "a = 2\n", sha256: sha("a = 2\n") });
        const u = await update(id, outs as RemoteFileOutputs, v2);
        assert.strictEqual(file.server.fs.text("/etc/app/app.conf"), "a = 2\n");
        const writes = file.server.callsOf("write").length;
        const v3 = await checkedFile({ ...v2, mode: "600" });
        const m = await update(id, u.outs as RemoteFileOutputs, v3);
        assert.strictEqual(file.server.callsOf("write").length, writes, "no upload for a mode change");
        assert.strictEqual(file.server.fs.lstat("/etc/app/app.conf")?.mode, 0o600);
        assert.strictEqual((m.outs as RemoteFileOutputs).mode, "0600");
    });

    it("adopts an existing file, keeps a backup with onDelete restore, and destroy puts it back", async function () {
        file.server.fs.writeFile("/etc/app/app.conf", "original", 0o600);
        const { id, outs } = await createFile(await checkedFile({ ...file.base, onDelete: "restore" }));
        assert.strictEqual(outs.existedBefore, true);
        assert.strictEqual(outs.previousSha256, sha("original"));
        assert.strictEqual(outs.backupPath, `/etc/app/.app.conf.filedrop-backup-${file.base.sha256.slice(0, 12)}`);
        assert.strictEqual(file.server.fs.text(outs.backupPath!), "original");
        assert.strictEqual(file.server.fs.lstat("/etc/app/app.conf")?.mode, 0o600, "the replaced file's mode is kept");
        await remove(id, outs as RemoteFileOutputs);
        assert.strictEqual(file.server.fs.text("/etc/app/app.conf"), "original");
        assert.deepStrictEqual(file.server.fs.tree("/etc/app"), ["app.conf"]);
    });

    it("destroy removes the file and the folders it made, tolerates an already-gone file, and never a folder it did not make", async function () {
        file.server.fs.mkdirp("/etc");
        file.server.fs.writeFile("/etc/other", "not ours");
        const { id, outs } = await createFile(await checkedFile(file.base));
        assert.deepStrictEqual(outs.createdDirs, ["/etc/app"]);
        await remove(id, outs as RemoteFileOutputs);
        assert.deepStrictEqual(file.server.fs.tree("/"), ["etc/", "etc/other"]);
        await remove(id, outs as RemoteFileOutputs);
    });

    it("a failed create leaves no temporary and no folder behind", async function () {
        file.server.fs.capacity = 3;
        await assert.rejects(createFile(await checkedFile(file.base)), /disk full/);
        assert.deepStrictEqual(file.server.fs.tree("/"), []);
        assert.deepStrictEqual(temporaries(file.server), []);
    });
});
