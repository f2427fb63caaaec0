/** RemoteDownload's handler on the memory transport: check, create, refresh noticing a change, delete. */
import * as assert from "node:assert";
import {
    check,
    create as createRaw,
    diff,
    type RemoteDownloadInputs,
    type RemoteDownloadOutputs,
    read,
    remove,
} from "../../../provider/handlers/remoteDownload";
import { assertStructSafe, checkedBy, createdBy, freshServer, sha } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

describe("RemoteDownload handler (memory transport)", function () {
    let server: MemoryServer;
    let base: RemoteDownloadInputs;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        server.fs.mkdirp("/etc/app");
        server.fs.writeFile("/etc/app/token", "s3cr3t\n");
        base = { connection: f.connection, credentials: f.credentials, path: "/etc/app/token" };
    });
    afterEach(() => server.uninstall());

    const create = async (i: RemoteDownloadInputs) =>
        createdBy<RemoteDownloadInputs, RemoteDownloadOutputs>(createRaw, await checkedBy(check, i));

    it("check defaults to 1 MiB, utf8 and secret, and refuses a size limit outside 1 byte..16 MiB or another encoding", async function () {
        const i = await checkedBy(check, base);
        assert.deepStrictEqual([i.maxSize, i.encoding, i.secret], [1 << 20, "utf8", true]);
        for (const maxSize of [0, 1.5, (16 << 20) + 1]) {
            const r = await check(base, { ...base, maxSize });
            assert.match(r.failures?.[0]?.reason ?? "", /must be a whole number of bytes from 1 to 16777216/);
        }
        const r = await check(base, { ...base, encoding: "latin1" as "utf8" });
        assert.deepStrictEqual(r.failures, [
            { property: "encoding", reason: 'must be "utf8" or "base64"; got "latin1"' },
        ]);
    });

    it("create reads the file as text or base64; refresh notices a change and a deletion, and up reads again", async function () {
        const { outs } = await create(base);
        assert.deepStrictEqual([outs.content, outs.sha256, outs.size], ["s3cr3t\n", sha("s3cr3t\n"), 7]);
        assert.strictEqual((await create({ ...base, encoding: "base64" })).outs.content, "czNjcjN0Cg==");
        assert.strictEqual((await diff("id", outs, await checkedBy(check, base))).changes, false);
        server.fs.writeFile("/etc/app/token", "rotated\n");
        const refreshed = await read("id", outs);
        assertStructSafe(refreshed);
        assert.strictEqual(refreshed.props?.content, "rotated\n");
        assert.deepStrictEqual(refreshed.inputs, { ...(await checkedBy(check, base)) });
        assert.strictEqual((await diff("id", refreshed.props!, refreshed.inputs!)).changes, true, "refresh shows it");
        server.fs.unlink("/etc/app/token");
        const gone = await read("id", outs);
        assert.deepStrictEqual([gone.props?.sha256, gone.props?.content], ["", ""]);
        assert.strictEqual((await diff("id", gone.props!, gone.inputs!)).changes, true);
    });

    it("a missing file fails create with what to do; delete never touches the server", async function () {
        await assert.rejects(
            create({ ...base, path: "/etc/app/none" }),
            /no such file; check `path`, or make the resource depend on/,
        );
        const { outs } = await create(base);
        const before = server.calls.length;
        await remove("id", outs);
        assert.strictEqual(server.calls.length, before);
        assert.strictEqual(server.fs.text("/etc/app/token"), "s3cr3t\n");
    });
});
