/**
 * Small files are verified by reading them back rather than by a command on the server (provider/ops/remoteHash.ts,
 * READ_BACK_MAX_BYTES): over SSH every command runs the login shell and its rc files, which cost a root with pyenv in
 * ~/.bashrc 0.2 s per file (bench/README.md). The check stays as strict: a damaged copy is still refused.
 */
import * as assert from "node:assert";
import { Readable } from "node:stream";
import { hasCode } from "../../../provider/errors";
import { remoteSha256, remoteSha256Many } from "../../../provider/ops/remoteHash";
import { verifiedUpload } from "../../../provider/ops/upload";
import type { Transport } from "../../../provider/transport/types";
import { freshServer, onServer, sha, temporaries } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

const LIMIT = 1000;

describe("ops: small files are verified by reading them back, not by a server command", function () {
    let server: MemoryServer;
    let run: <T>(op: (t: Transport) => Promise<T>) => Promise<T>;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        server.readBackMaxBytes = LIMIT;
        run = (op) => onServer(f.connection, op);
    });
    afterEach(() => server.uninstall());

    const upload = (path: string, body: Buffer) =>
        run((t) => verifiedUpload(t, { path, open: () => Readable.from([body]), createParents: true }));

    it("verifies a file within the limit by reading it back, running no command", async function () {
        const body = Buffer.alloc(LIMIT, "a");
        const r = await upload("/srv/small.conf", body);
        assert.strictEqual(r.verifiedBy, "read-back");
        assert.strictEqual(r.sha256, sha(body));
        assert.deepStrictEqual(server.callsOf("exec"), []);
        assert.ok(
            server.callsOf("read").some((c) => /\/srv\/\.small\.conf\.filedrop-[0-9a-f]{12}$/.test(c.path)),
            "the temporary was read back before the rename",
        );
    });

    it("hashes a file above the limit on the server", async function () {
        const r = await upload("/srv/big.bin", Buffer.alloc(LIMIT + 1, "b"));
        assert.strictEqual(r.verifiedBy, "ssh exec: openssl dgst -sha256");
        assert.strictEqual(server.callsOf("exec").length, 1);
    });

    it("refuses a small file damaged on the way, leaving the target and no temporary", async function () {
        server.fs.writeFile("/srv/app.conf", "old", 0o644);
        server.corruptNextWrite((p) => p.includes(".app.conf.filedrop-"));
        // On one connection, without the pool (which would retry: VERIFY_FAILED is transient).
        const t = await server.opener({ host: "direct" });
        await assert.rejects(
            verifiedUpload(t, {
                path: "/srv/app.conf",
                open: () => Readable.from([Buffer.from("new content")]),
                createParents: true,
            }),
            (e: unknown) =>
                hasCode(e, "VERIFY_FAILED") &&
                /SHA-256 on the server \(read-back\) is .* the target was left untouched/.test(String(e)),
        );
        assert.strictEqual(server.fs.text("/srv/app.conf"), "old");
        assert.deepStrictEqual(temporaries(server), []);
        assert.deepStrictEqual(server.callsOf("exec"), []);
    });

    it("reads many files back when together they are within the limit, else hashes them in one command", async function () {
        const paths = ["/d/a", "/d/b", "/d/c"];
        for (const p of paths) {
            server.fs.writeFile(p, Buffer.alloc(300, p), 0o644);
        }
        const few = await run((t) => remoteSha256Many(t, paths, [300, 300, 300]));
        assert.deepStrictEqual(
            paths.map((p) => few.get(p)),
            paths.map((p) => ({ sha256: sha(Buffer.alloc(300, p)), method: "read-back" })),
        );
        assert.deepStrictEqual(server.callsOf("exec"), []);
        server.fs.writeFile("/d/d", Buffer.alloc(300, "d"), 0o644);
        const more = await run((t) => remoteSha256Many(t, [...paths, "/d/d"], [300, 300, 300, 300]));
        assert.deepStrictEqual(
            [...new Set([...more.values()].map((h) => (h as { method: string }).method))],
            ["ssh exec: openssl dgst -sha256"],
        );
        assert.strictEqual(server.callsOf("exec").length, 1);
    });

    it("reads back one file whose size a stat gave (refresh, destroy, adoption) only when it is small", async function () {
        server.fs.writeFile("/d/small", "s", 0o644);
        server.fs.writeFile("/d/large", Buffer.alloc(LIMIT + 1), 0o644);
        assert.strictEqual((await run((t) => remoteSha256(t, "/d/small", 1))).method, "read-back");
        assert.deepStrictEqual(server.callsOf("exec"), []);
        assert.strictEqual(
            (await run((t) => remoteSha256(t, "/d/large", LIMIT + 1))).method,
            "ssh exec: openssl dgst -sha256",
        );
        assert.strictEqual((await run((t) => remoteSha256(t, "/d/small"))).method, "ssh exec: openssl dgst -sha256");
    });

    it("never reads back by size where the transport does not say it is cheaper (FTP)", async function () {
        server.readBackMaxBytes = undefined;
        const r = await upload("/srv/tiny", Buffer.from("x"));
        assert.strictEqual(r.verifiedBy, "ssh exec: openssl dgst -sha256");
    });
});
