/**
 * The verified atomic upload of one file (provider/ops/upload.ts and its stages) on the memory transport, under
 * faults: in every case the target holds either its old or its new complete content, and no temporary is left.
 */
import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { hasCode } from "../../../provider/errors";
import { verifiedUpload } from "../../../provider/ops/upload";
import type { Transport } from "../../../provider/transport/types";
import { freshServer, onServer, sha, temporaries } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

const bytes = (b: string | Buffer) => () => Readable.from([Buffer.from(b)]);

describe("ops/upload: verified atomic upload (memory transport)", function () {
    let server: MemoryServer;
    let up: (
        spec: Partial<Parameters<typeof verifiedUpload>[1]> & { path: string },
    ) => Promise<Awaited<ReturnType<typeof verifiedUpload>>>;
    let run: <T>(op: (t: Transport) => Promise<T>) => Promise<T>;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        run = (op) => onServer(f.connection, op);
        up = (spec) => run((t) => verifiedUpload(t, { open: bytes("new"), createParents: true, ...spec }));
    });
    afterEach(() => server.uninstall());

    it("writes a new file with its parents, 0644, verified on the server, atomically, leaving no temporary", async function () {
        const r = await up({ path: "/srv/app/conf/a.txt", open: bytes("hello") });
        assert.strictEqual(server.fs.text("/srv/app/conf/a.txt"), "hello");
        assert.strictEqual(server.fs.lstat("/srv/app/conf/a.txt")?.mode, 0o644);
        assert.deepStrictEqual(r.createdDirs, ["/srv", "/srv/app", "/srv/app/conf"]);
        assert.strictEqual(r.sha256, sha("hello"));
        assert.strictEqual(r.verifiedBy, "ssh exec: openssl dgst -sha256");
        assert.strictEqual(r.atomic, true);
        assert.deepStrictEqual(temporaries(server), []);
        // The bytes went to a temporary first, then one rename put them in place.
        const renames = server.callsOf("rename");
        assert.strictEqual(renames.length, 1);
        assert.match(renames[0].path, /^\/srv\/app\/conf\/\.a\.txt\.filedrop-[0-9a-f]{12}$/);
        assert.strictEqual(renames[0].to, "/srv/app/conf/a.txt");
    });

    it("writes zero-byte and multi-MB files byte for byte", async function () {
        await up({ path: "/d/empty", open: bytes("") });
        assert.strictEqual(server.fs.readFile("/d/empty").length, 0);
        const big = randomBytes(5 << 20);
        const r = await up({
            path: "/d/big",
            open: () => Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]),
        });
        assert.ok(server.fs.readFile("/d/big").equals(big));
        assert.strictEqual(r.size, big.length);
    });

    it("keeps the mode of the file it replaces unless one is given; sets owner when asked", async function () {
        server.fs.writeFile("/etc/app.conf", "old", 0o600);
        await up({ path: "/etc/app.conf" });
        assert.strictEqual(server.fs.lstat("/etc/app.conf")?.mode, 0o600);
        server.fs.uid = 0; // root: only root may give a file away
        await up({ path: "/etc/app.conf", mode: 0o640, uid: 0, gid: 33 });
        const n = server.fs.lstat("/etc/app.conf")!;
        assert.deepStrictEqual([n.mode, n.uid, n.gid], [0o640, 0, 33]);
    });

    it("a corrupted transfer fails with VERIFY_FAILED and leaves the old file and no temporary", async function () {
        server.fs.writeFile("/srv/f.bin", "old content");
        server.corruptNextWrite((p) => p.includes(".filedrop-"));
        // On one connection, without the pool (which would retry: VERIFY_FAILED is transient).
        const t = await server.opener({ host: "direct" });
        await assert.rejects(
            verifiedUpload(t, { path: "/srv/f.bin", open: bytes(randomBytes(3000)), createParents: true }),
            (e: Error) =>
                hasCode(e, "VERIFY_FAILED") &&
                /is corrupt: SHA-256 on the server .* the target was left untouched/.test(e.message),
        );
        assert.strictEqual(server.fs.text("/srv/f.bin"), "old content");
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("through the pool, a transfer corrupted once is retried and lands intact", async function () {
        server.fs.writeFile("/srv/f.bin", "old content");
        server.corruptNextWrite((p) => p.includes(".filedrop-"));
        const payload = randomBytes(3000);
        await up({ path: "/srv/f.bin", open: bytes(payload) });
        assert.ok(server.fs.readFile("/srv/f.bin").equals(payload));
        assert.strictEqual(server.callsOf("write").length, 2);
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a connection cut mid-upload leaves the target intact; the pool's retry on a new connection completes it", async function () {
        server.fs.writeFile("/srv/f.bin", "old content");
        const payload = randomBytes(1 << 20);
        server.cutAfterBytes(300_000);
        await up({
            path: "/srv/f.bin",
            open: () => Readable.from([payload.subarray(0, 500_000), payload.subarray(500_000)]),
        });
        assert.ok(server.fs.readFile("/srv/f.bin").equals(payload));
        assert.strictEqual(server.connections, 2, "the dropped connection was replaced");
        // The dead connection could not remove its temporary; the retry swept it before writing its own.
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a connection cut at the rename leaves the old file and a temporary that the next upload sweeps", async function () {
        server.fs.writeFile("/srv/f", "old");
        server.cutWhen((c) => c.op === "rename");
        await run(async (t) => {
            await assert.rejects(
                verifiedUpload(t, { path: "/srv/f", open: bytes("new"), createParents: true }),
                (e: Error) => hasCode(e, "CONNECTION_LOST"),
            );
        }).catch(() => undefined);
        assert.strictEqual(server.fs.text("/srv/f"), "old");
        await up({ path: "/srv/f" });
        assert.strictEqual(server.fs.text("/srv/f"), "new");
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a full disk fails with NO_SPACE, the target intact and the partial temporary removed", async function () {
        server.fs.writeFile("/srv/f", "old");
        server.fs.capacity = 1000;
        await assert.rejects(up({ path: "/srv/f", open: bytes(randomBytes(5000)) }), (e: Error) =>
            hasCode(e, "NO_SPACE"),
        );
        assert.strictEqual(server.fs.text("/srv/f"), "old");
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a failing `validate` leaves the target untouched with the command's output; a passing one runs on the temporary", async function () {
        server.fs.writeFile("/etc/app.conf", "ok = 1\n");
        const seen: string[] = [];
        server.commands = (command, s) => {
            const p = /^check '(.*)'$/.exec(command)?.[1];
            if (p === undefined) {
                return undefined;
            }
            seen.push(p);
            return s.fs.text(p).startsWith("ok")
                ? { code: 0, stdout: "", stderr: "" }
                : { code: 3, stdout: "", stderr: "syntax error in config\n" };
        };
        await assert.rejects(
            up({ path: "/etc/app.conf", open: bytes("broken\n"), validate: "check {path}" }),
            (e: Error) =>
                hasCode(e, "VALIDATE_FAILED") && /exited 3.*left untouched.*syntax error in config/s.test(e.message),
        );
        assert.strictEqual(server.fs.text("/etc/app.conf"), "ok = 1\n");
        await up({ path: "/etc/app.conf", open: bytes("ok = 2\n"), validate: "check {path}" });
        assert.strictEqual(server.fs.text("/etc/app.conf"), "ok = 2\n");
        assert.ok(
            seen.every((p) => /\/etc\/\.app\.conf\.filedrop-[0-9a-f]{12}$/.test(p)),
            "validate saw the temporary, never the target",
        );
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("verifies by reading back when the server refuses exec channels or cannot hash", async function () {
        server.refuseExec = true;
        assert.strictEqual((await up({ path: "/a" })).verifiedBy, "read-back");
        server.refuseExec = false;
        server.hashing = "none";
        const other = freshServer();
        other.server.hashing = "none";
        const r = await onServer(other.connection, (t) =>
            verifiedUpload(t, { path: "/b", open: bytes("x"), createParents: true }),
        );
        assert.strictEqual(r.verifiedBy, "read-back");
        assert.strictEqual(other.server.fs.text("/b"), "x");
    });

    it("a server refusing to rename over an existing file fails the upload, target intact, temporary removed", async function () {
        server.fs.writeFile("/srv/f", "old");
        server.refuseRenameOverExisting = true;
        await assert.rejects(
            up({ path: "/srv/f" }),
            (e: Error) => hasCode(e, "REMOTE_IO") && /Cannot rename .*\/srv\/\.f\.filedrop-/.test(e.message),
        );
        assert.strictEqual(server.fs.text("/srv/f"), "old");
        assert.deepStrictEqual(temporaries(server), []);
        await up({ path: "/srv/g" });
        assert.strictEqual(server.fs.text("/srv/g"), "new", "a new file needs no overwrite");
    });

    it("refuses a missing folder without createParents, a folder at the target, and a source that changed", async function () {
        await assert.rejects(
            up({ path: "/nope/f", createParents: false }),
            /Folder .*\/nope does not exist; create it or set `createParents: true`\./,
        );
        server.fs.mkdirp("/srv/dir");
        await assert.rejects(up({ path: "/srv/dir" }), /\/srv\/dir is a directory; a file cannot replace it/);
        await assert.rejects(up({ path: "/srv/f", expectedSha256: sha("planned") }), (e: Error) =>
            hasCode(e, "SOURCE_CHANGED"),
        );
        assert.strictEqual(server.fs.lstat("/srv/f"), undefined);
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("sweeps only the target's own stale temporaries, never another file's or a backup", async function () {
        server.fs.writeFile("/srv/.f.filedrop-0123456789ab", "stale");
        server.fs.writeFile("/srv/.g.filedrop-0123456789ab", "another file's");
        server.fs.writeFile("/srv/.f.filedrop-backup", "backup");
        await up({ path: "/srv/f" });
        assert.deepStrictEqual(server.fs.tree("/srv"), [".f.filedrop-backup", ".g.filedrop-0123456789ab", "f"]);
    });
});
