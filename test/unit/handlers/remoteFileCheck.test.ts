/** RemoteFile's check and diff: pure, no network. */
import * as assert from "node:assert";
import type { RemoteFileInputs, RemoteFileOutputs } from "../../../provider/handlers/remoteFile";
import { check, diff } from "../../../provider/handlers/remoteFile";

const base: RemoteFileInputs = {
    connection: { host: "h" },
    credentials: { password: "p" },
    path: "/etc/x",
    content: "a",
    sha256: "aa",
    size: 1,
};

describe("RemoteFile check and diff", function () {
    it("refuses validate, uid and gid over FTP protocols at preview", async function () {
        const r = await check(base, { ...base, connection: { host: "h", protocol: "ftps" }, validate: "true", uid: 0 });
        assert.deepStrictEqual(
            r.failures?.map((f) => f.property),
            ["validate", "uid"],
        );
        assert.match(r.failures![0].reason, /needs protocol "sftp" \(FTP servers cannot run commands\)/);
        assert.deepStrictEqual((await check(base, { ...base, validate: "true", uid: 0 })).failures, []);
    });

    it("refuses validateInPlace over FTP protocols at preview, accepts it over SFTP", async function () {
        const ftps = { ...base, connection: { host: "h", protocol: "ftps" as const }, validateInPlace: "nginx -t" };
        const r = await check(base, ftps);
        assert.deepStrictEqual(
            r.failures?.map((f) => f.property),
            ["validateInPlace"],
        );
        assert.deepStrictEqual((await check(base, { ...base, validateInPlace: "nginx -t" })).failures, []);
    });

    it("requires exactly one of content and source", async function () {
        const r = await check(base, { ...base, content: undefined });
        assert.match(r.failures![0].reason, /exactly one of `content` and `source`/);
    });

    const olds: RemoteFileOutputs = {
        ...base,
        mode: "0644",
        mtime: 1,
        existedBefore: false,
        createdDirs: [],
        verifiedBy: "x",
        atomic: true,
    };

    it("sees no change when only the provider code (__provider) changed", async function () {
        const r = await diff("id", { ...olds, __provider: "old" } as never, { ...base, __provider: "new" } as never);
        assert.strictEqual(r.changes, false);
    });

    it("updates in place for content, mode and credentials; replaces for path", async function () {
        assert.deepStrictEqual(await diff("id", olds, { ...base, sha256: "bb" }), {
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        assert.strictEqual((await diff("id", olds, { ...base, mode: "0600" })).changes, true);
        assert.strictEqual(
            (await diff("id", olds, { ...base, mode: "644" })).changes,
            false,
            "0644 and 644 are the same mode",
        );
        assert.strictEqual((await diff("id", olds, { ...base, credentials: { password: "rotated" } })).changes, true);
        assert.deepStrictEqual(await diff("id", olds, { ...base, path: "/etc/y" }), {
            changes: true,
            replaces: ["path"],
            deleteBeforeReplace: false,
        });
    });

    it('a file found missing by refresh (sha256 "") is written again', async function () {
        assert.strictEqual((await diff("id", { ...olds, sha256: "" }, base)).changes, true);
    });
});
