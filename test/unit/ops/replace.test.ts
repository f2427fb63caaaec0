/**
 * Issue 8 item 3 on the memory transport: where the server cannot rename over an existing file (declared by the
 * connection, `capabilities.atomicOverwrite` false), the target is never deleted before the new file is in place,
 * and a failure of any step leaves the old target as it was.
 */
import * as assert from "node:assert";
import { Readable } from "node:stream";
import { remoteIo } from "../../../provider/errors";
import { verifiedUpload } from "../../../provider/ops/upload";
import { freshServer, onServer, temporaries } from "../support/fixtures";
import type { Call, MemoryServer } from "../support/memoryTransport";

const bytes = (b: string) => () => Readable.from([Buffer.from(b)]);
const isTmp = (p: string | undefined) => p !== undefined && /\.filedrop-[0-9a-f]{12}$/.test(p);
/** Our names (temporaries and old versions moved aside): none may be left. */
const ours = (server: MemoryServer) => server.fs.tree("/").filter((p) => p.includes(".filedrop-"));

describe("ops/replace: a server that will not rename over a file never loses the target (memory transport)", function () {
    let server: MemoryServer;
    let up: (path: string, body: string) => Promise<Awaited<ReturnType<typeof verifiedUpload>>>;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        server.capabilities = { ...server.capabilities, atomicOverwrite: false };
        server.refuseRenameOverExisting = true;
        up = (p, body) =>
            onServer(f.connection, (t) => verifiedUpload(t, { path: p, open: bytes(body), createParents: true }));
    });
    afterEach(() => server.uninstall());

    it("replaces the file by moving the old one aside first (never a remove of the target), reports atomic false, leaves nothing of ours", async function () {
        server.fs.writeFile("/srv/f", "old");
        const r = await up("/srv/f", "new");
        assert.strictEqual(server.fs.text("/srv/f"), "new");
        assert.strictEqual(r.atomic, false);
        assert.deepStrictEqual(ours(server), []);
        assert.deepStrictEqual(
            server.callsOf("remove").filter((c) => c.path === "/srv/f"),
            [],
            "the target was removed",
        );
        const renames = server.callsOf("rename").map((c) => [c.path, c.to]);
        assert.strictEqual(renames.length, 2);
        assert.strictEqual(renames[0][0], "/srv/f");
        assert.match(renames[0][1]!, /^\/srv\/\.f\.filedrop-old-[0-9a-f]{12}$/);
        assert.ok(isTmp(renames[1][0]) && renames[1][1] === "/srv/f");
    });

    it("a new file needs no moving aside and is atomic", async function () {
        const r = await up("/srv/g", "new");
        assert.strictEqual(server.fs.text("/srv/g"), "new");
        assert.strictEqual(r.atomic, true);
        assert.strictEqual(server.callsOf("rename").length, 1);
    });

    it("when moving the new file in fails, the old one is moved back: target intact, no temporary, no old copy", async function () {
        server.fs.writeFile("/srv/f", "old", 0o640);
        server.failWhen(
            (c: Call) => c.op === "rename" && isTmp(c.path),
            (c: Call) => remoteIo("sftp://mem", "rename", c.path, "rename refused"),
        );
        await assert.rejects(up("/srv/f", "new"), /Cannot rename/);
        assert.strictEqual(server.fs.text("/srv/f"), "old");
        assert.strictEqual(server.fs.lstat("/srv/f")?.mode, 0o640);
        assert.deepStrictEqual(ours(server), []);
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("when the server refuses every rename, the upload fails and the target is untouched", async function () {
        server.fs.writeFile("/srv/f", "old");
        server.failWhen(
            (c: Call) => c.op === "rename",
            (c: Call) => remoteIo("sftp://mem", "rename", c.path, "rename not allowed"),
        );
        await assert.rejects(
            up("/srv/f", "new"),
            /Cannot replace .*\/srv\/f: the server does not rename over an existing file.*rename not allowed.*left untouched/,
        );
        assert.strictEqual(server.fs.text("/srv/f"), "old");
        assert.deepStrictEqual(ours(server), []);
    });

    it("when even moving the old file back fails, the error says where the old file is kept", async function () {
        server.fs.writeFile("/srv/f", "old");
        let renames = 0;
        server.failWhen(
            (c: Call) => c.op === "rename" && ++renames >= 2,
            (c: Call) => remoteIo("sftp://mem", "rename", c.path, "rename failed"),
        );
        await assert.rejects(up("/srv/f", "new"), (e: Error) => {
            const kept = /it is kept at (\/srv\/\.f\.filedrop-old-[0-9a-f]{12}); move it back to \/srv\/f by hand/.exec(
                e.message,
            );
            assert.ok(kept, e.message);
            assert.strictEqual(server.fs.text(kept[1]), "old");
            return true;
        });
    });
});
