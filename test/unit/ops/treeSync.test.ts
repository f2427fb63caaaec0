/** A RemoteTree's operations over many files (ops/treeUpload, treeScan, treeRemove) on the memory transport. */
import * as assert from "node:assert";
import { hasCode } from "../../../provider/errors";
import { removeFiles, sweepFolders } from "../../../provider/ops/treeRemove";
import { listFiles, scanOwned } from "../../../provider/ops/treeScan";
import { type RunOnTransport, uploadFiles } from "../../../provider/ops/treeUpload";
import { buildManifest } from "../../../provider/plan/treeSource";
import { freshServer, onServer, temporaries } from "../support/fixtures";
import { localTree } from "../support/localTree";
import type { MemoryServer } from "../support/memoryTransport";

describe("ops/tree: upload, scan and remove many files (memory transport)", function () {
    let server: MemoryServer;
    let run: RunOnTransport;
    let src: ReturnType<typeof localTree>;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        run = (op) => onServer(f.connection, op);
        src = localTree({
            "index.html": "<h1>hi</h1>",
            "css/site.css": "body{}",
            "js/app/main.js": "main()",
            "run.sh": "#!/bin/sh\n",
        });
    });
    afterEach(async () => {
        src.remove();
        await server.uninstall();
    });

    async function manifest(modes?: Record<string, string>) {
        return (await buildManifest(src.dir, { modes })).manifest;
    }

    it("uploads every file with its manifest mode, making folders parents first, verified in one batch", async function () {
        const m = await manifest({ "css/**": "00640" });
        const out = await uploadFiles(run, src.dir, "/var/www", m, Object.keys(m));
        assert.deepStrictEqual(out.errors, []);
        assert.deepStrictEqual(Object.keys(out.uploaded).sort(), Object.keys(m).sort());
        assert.deepStrictEqual(out.createdDirs, ["/var", "/var/www", "/var/www/css", "/var/www/js", "/var/www/js/app"]);
        assert.strictEqual(server.fs.text("/var/www/js/app/main.js"), "main()");
        assert.strictEqual(server.fs.lstat("/var/www/css/site.css")?.mode, 0o640);
        assert.strictEqual(server.fs.lstat("/var/www/run.sh")?.mode, 0o755);
        assert.strictEqual(out.uploaded["css/site.css"].mode, "0640", "modes are written one way");
        for (const rel of Object.keys(m)) {
            assert.strictEqual(out.uploaded[rel], m[rel], "a file that landed as planned keeps the plan's entry");
        }
        assert.strictEqual(server.callsOf("exec").length, 1, "one hasher command for the whole chunk");
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("on its last attempt, a file corrupted on the way fails alone, target untouched; the files that landed are recorded", async function () {
        server.fs.writeFile("/var/www/index.html", "old");
        server.corruptNextWrite((p) => p.includes(".index.html.filedrop-"));
        const m = await manifest();
        // One connection, no pool retry: the corrupt file is reported, the chunk is not redone.
        const direct: RunOnTransport = async (op) => op(await server.opener({ host: "direct" }));
        const out = await uploadFiles(direct, src.dir, "/var/www", m, Object.keys(m));
        assert.strictEqual(out.errors.length, 1);
        assert.ok(hasCode(out.errors[0], "VERIFY_FAILED"));
        assert.ok(!("index.html" in out.uploaded));
        assert.strictEqual(Object.keys(out.uploaded).length, 3);
        assert.strictEqual(server.fs.text("/var/www/index.html"), "old");
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("through the pool, a chunk with a file corrupted once is redone and every file lands", async function () {
        server.corruptNextWrite((p) => p.includes(".index.html.filedrop-"));
        const m = await manifest();
        const out = await uploadFiles(run, src.dir, "/var/www", m, Object.keys(m));
        assert.deepStrictEqual(out.errors, []);
        assert.strictEqual(server.fs.text("/var/www/index.html"), "<h1>hi</h1>");
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a connection cut mid-chunk redoes the chunk on a new connection; the dead one's temporaries are swept after", async function () {
        const m = await manifest();
        server.cutWhen((c) => c.op === "rename" && c.to === "/var/www/js/app/main.js");
        const out = await uploadFiles(run, src.dir, "/var/www", m, Object.keys(m));
        assert.deepStrictEqual(out.errors, []);
        assert.strictEqual(server.connections, 2);
        assert.strictEqual(server.fs.text("/var/www/js/app/main.js"), "main()");
        await run((t) => sweepFolders(t, ["/var/www", "/var/www/css", "/var/www/js", "/var/www/js/app"]));
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a full disk fails the files that do not fit, with NO_SPACE, and nothing half-written at a target", async function () {
        src.write("big.bin", "x".repeat(4000));
        const m = await manifest();
        server.fs.capacity = 1000;
        const out = await uploadFiles(run, src.dir, "/var/www", m, Object.keys(m));
        assert.ok(out.errors.length >= 1 && out.errors.every((e) => hasCode(e, "NO_SPACE")));
        assert.strictEqual(server.fs.lstat("/var/www/big.bin"), undefined);
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("lists files without temporaries, and a refresh scan finds changed, missing and re-moded files", async function () {
        const m = await manifest({ "**": "00640" });
        await uploadFiles(run, src.dir, "/var/www", m, Object.keys(m));
        server.fs.writeFile("/var/www/.index.html.filedrop-0123456789ab", "stale");
        assert.deepStrictEqual((await run((t) => listFiles(t, "/var/www"))).sort(), [
            "css/site.css",
            "index.html",
            "js/app/main.js",
            "run.sh",
        ]);
        const clean = await run((t) => scanOwned(t, "/var/www", m));
        assert.deepStrictEqual(
            [clean.changed, clean.missing],
            [[], []],
            'a mode given as "00640" is the 0640 the server reports',
        );
        server.fs.writeFile("/var/www/index.html", "changed", 0o640);
        server.fs.unlink("/var/www/run.sh");
        server.fs.chmod("/var/www/css/site.css", 0o600);
        const scan = await run((t) => scanOwned(t, "/var/www", m));
        assert.deepStrictEqual(scan.changed, ["css/site.css", "index.html"]);
        assert.deepStrictEqual(scan.missing, ["run.sh"]);
        assert.strictEqual(scan.files["css/site.css"].mode, "0600");
    });

    it("removes the files and then the folders it created, innermost first, leaving others' files", async function () {
        const m = await manifest();
        const out = await uploadFiles(run, src.dir, "/var/www", m, Object.keys(m));
        server.fs.writeFile("/var/www/css/theirs.css", "not ours");
        const removed = await run((t) => removeFiles(t, "/var/www", Object.keys(m), out.createdDirs));
        assert.deepStrictEqual(removed, ["/var/www/js/app", "/var/www/js"]);
        assert.deepStrictEqual(server.fs.tree("/var"), ["www/", "www/css/", "www/css/theirs.css"]);
    });
});
