/** RemoteDirectory's handler end to end on the memory transport. */
import * as assert from "node:assert";
import {
    check,
    create as createRaw,
    diff,
    type RemoteDirectoryInputs,
    type RemoteDirectoryOutputs,
    read,
    remove,
    update,
} from "../../../provider/handlers/remoteDirectory";
import { checkedBy, createdBy, freshServer } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

describe("RemoteDirectory handler (memory transport)", function () {
    let server: MemoryServer;
    let base: RemoteDirectoryInputs;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        base = { connection: f.connection, credentials: f.credentials, path: "/srv/app/releases" };
    });
    afterEach(() => server.uninstall());

    const checked = (i: RemoteDirectoryInputs) => checkedBy(check, i);
    const create = (i: RemoteDirectoryInputs) => createdBy<RemoteDirectoryInputs, RemoteDirectoryOutputs>(createRaw, i);

    it("check applies the defaults once, writes the mode one way, and refuses the root", async function () {
        const i = await checked({ ...base, mode: "750" });
        assert.deepStrictEqual([i.createParents, i.onDelete, i.mode], [true, "delete", "0750"]);
        assert.match((await check(base, { ...base, path: "/" })).failures![0].reason, /not the root itself/);
    });

    it("creates the missing levels with the mode on the folder itself, and read/diff are clean after", async function () {
        server.fs.mkdirp("/srv");
        const i = await checked({ ...base, mode: "0750" });
        const { id, outs } = await create(i);
        assert.deepStrictEqual(outs.createdDirs, ["/srv/app", "/srv/app/releases"]);
        assert.strictEqual(server.fs.lstat("/srv/app/releases")?.mode, 0o750);
        assert.strictEqual(outs.existedBefore, false);
        const r = await read(id, outs);
        assert.strictEqual((r.props as RemoteDirectoryOutputs).present, true);
        assert.deepStrictEqual(r.inputs, { ...i });
        assert.strictEqual((await diff(id, r.props as RemoteDirectoryOutputs, i)).changes, false);
    });

    it("applies `mode` to the folder itself only: the parents it creates get the server's default", async function () {
        server.fs.mkdirp("/srv");
        const { outs } = await create(await checked({ ...base, mode: "0700" }));
        assert.deepStrictEqual(outs.createdDirs, ["/srv/app", "/srv/app/releases"]);
        assert.strictEqual(server.fs.lstat("/srv/app/releases")?.mode, 0o700);
        assert.strictEqual(server.fs.lstat("/srv/app")?.mode, 0o755, "a parent took the folder's mode");
        const mkdirs = server.callsOf("mkdir").map((c) => c.path);
        assert.deepStrictEqual(mkdirs, ["/srv/app", "/srv/app/releases"]);
    });

    it("a folder removed out of band is found missing and made again by update", async function () {
        const i = await checked(base);
        const { id, outs } = await create(i);
        server.fs.rmdir("/srv/app/releases");
        const r = await read(id, outs);
        assert.strictEqual((r.props as RemoteDirectoryOutputs).present, false);
        assert.strictEqual((await diff(id, r.props as RemoteDirectoryOutputs, i)).changes, true);
        await update(id, r.props as RemoteDirectoryOutputs, i);
        assert.strictEqual(server.fs.lstat("/srv/app/releases")?.kind, "directory");
    });

    it("destroy removes only the levels it made, only when empty; recursive removes everything in them", async function () {
        server.fs.mkdirp("/srv");
        const { id, outs } = await create(await checked(base));
        server.fs.writeFile("/srv/app/releases/v1", "someone's");
        await remove(id, outs);
        assert.deepStrictEqual(
            server.fs.tree("/srv"),
            ["app/", "app/releases/", "app/releases/v1"],
            "not empty: left in place",
        );
        await remove(id, { ...outs, onDelete: "recursive" });
        assert.deepStrictEqual(server.fs.tree("/"), ["srv/"]);
    });

    it("a folder that was already there is never removed", async function () {
        server.fs.mkdirp("/srv/app/releases");
        const { id, outs } = await create(await checked(base));
        assert.deepStrictEqual([outs.createdDirs, outs.existedBefore], [[], true]);
        await remove(id, { ...outs, onDelete: "recursive" });
        assert.strictEqual(server.fs.lstat("/srv/app/releases")?.kind, "directory");
    });

    it("without createParents a missing parent is refused, naming the folder and the option", async function () {
        await assert.rejects(
            create(await checked({ ...base, createParents: false })),
            /Folder .*\/srv\/app does not exist; create it or set `createParents: true`\./,
        );
    });
});
