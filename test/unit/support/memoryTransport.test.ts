/** The memory transport behaves like a server where the tests rely on it (symlinks, renames, exec channels, owners). */
import * as assert from "node:assert";
import { Readable } from "node:stream";
import { hasCode } from "../../../provider/errors";
import { MemoryServer, type MemoryTransport } from "./memoryTransport";

describe("memory transport", function () {
    it("stat does not follow a symlink; write and read do; rename replaces the link itself", async function () {
        const s = new MemoryServer();
        const t = await s.opener({ host: "m" });
        s.fs.writeFile("/etc/nginx/sites-available/app", "v1", 0o640);
        s.fs.symlink("../sites-available/app", "/etc/nginx/sites-enabled/app");
        assert.strictEqual((await t.stat("/etc/nginx/sites-enabled/app"))?.kind, "symlink");
        await t.write("/etc/nginx/sites-enabled/app", Readable.from([Buffer.from("v2")]));
        assert.strictEqual(s.fs.text("/etc/nginx/sites-available/app"), "v2");
        s.fs.writeFile("/etc/nginx/sites-enabled/.tmp", "v3");
        await t.rename("/etc/nginx/sites-enabled/.tmp", "/etc/nginx/sites-enabled/app");
        assert.strictEqual(s.fs.lstat("/etc/nginx/sites-enabled/app")?.kind, "file");
        assert.strictEqual(s.fs.text("/etc/nginx/sites-available/app"), "v2");
    });

    it("limits concurrent exec channels like MaxSessions, and records every call", async function () {
        const s = new MemoryServer();
        s.execChannels = 2;
        const t = await s.opener({ host: "m" });
        const results = await Promise.allSettled([1, 2, 3, 4].map(() => (t as MemoryTransport).execChannel("true")));
        assert.strictEqual(
            results.filter((r) => r.status === "rejected" && hasCode(r.reason, "UNSUPPORTED")).length,
            2,
        );
        assert.strictEqual(s.execsPeak, 2);
        assert.strictEqual(s.callsOf("exec").length, 4);
    });

    it("a cut connection fails every later call as CONNECTION_LOST (transient); a new connection sees the same files", async function () {
        const s = new MemoryServer();
        const t = await s.opener({ host: "m" });
        s.cutWhen((c) => c.op === "mkdir");
        await assert.rejects(t.mkdir("/a"), (e: Error) => hasCode(e, "CONNECTION_LOST"));
        await assert.rejects(
            t.stat("/"),
            (e: Error & { transient?: boolean }) => hasCode(e, "CONNECTION_LOST") && e.transient === true,
        );
        assert.ok(t.closed);
        s.fs.writeFile("/b", "x");
        const t2 = await s.opener({ host: "m" });
        assert.strictEqual((await t2.stat("/b"))?.size, 1);
    });

    it("owners as on Linux: setgid folders give their group, chown is the owner's (to its groups) or root's, and clears setuid", async function () {
        const s = new MemoryServer();
        const t = await s.opener({ host: "m" });
        s.fs.mkdirp("/srv/shared");
        s.fs.chown("/srv/shared", 0, 50);
        s.fs.chmod("/srv/shared", 0o2775);
        await t.write("/srv/shared/f", Readable.from([Buffer.from("x")]));
        await t.mkdir("/srv/shared/d");
        assert.deepStrictEqual([s.fs.lstat("/srv/shared/f")?.uid, s.fs.lstat("/srv/shared/f")?.gid], [1000, 50]);
        assert.deepStrictEqual([s.fs.lstat("/srv/shared/d")?.gid, s.fs.lstat("/srv/shared/d")?.mode], [50, 0o2755]);
        await assert.rejects(t.chown("/srv/shared/f", 1001, -1), (e: Error) => hasCode(e, "PERMISSION_DENIED"));
        await assert.rejects(t.chown("/srv/shared/f", -1, 60), (e: Error) => hasCode(e, "PERMISSION_DENIED"));
        s.fs.groups = [60];
        await t.chown("/srv/shared/f", -1, 60);
        s.fs.uid = 0;
        await t.chmod("/srv/shared/f", 0o4755);
        await t.chown("/srv/shared/f", 1001, 1001);
        const f = s.fs.lstat("/srv/shared/f");
        assert.deepStrictEqual([f?.uid, f?.gid, f?.mode], [1001, 1001, 0o755], "chown cleared the setuid bit");
    });
});
