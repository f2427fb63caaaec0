/** RemoteTree's handler end to end on the memory transport, with manifests built from a real local folder. */
import * as assert from "node:assert";
import * as fs from "node:fs";
import {
    deployedManifest,
    diff,
    type RemoteTreeInputs,
    type RemoteTreeOutputs,
    read,
    remove,
    update,
} from "../../../provider/handlers/remoteTree";
import { manifestOf } from "../../../provider/plan/manifestCodec";
import { createTree, memoryTreeEachTest } from "../support/treeInputs";

describe("RemoteTree handler (memory transport)", function () {
    // What the SDK hands over (the manifest built at program time), through check as the engine does.
    const tree = memoryTreeEachTest({
        "index.html": "<h1>hi</h1>",
        "css/site.css": "body{}",
        "bin/run.sh": "#!/bin/sh\n",
    });

    it('a tree with modes {"**": "00640"} refreshes clean: no drift, no diff, refresh after refresh', async function () {
        const i = await tree.inputs({ modes: { "**": "00640" } });
        assert.strictEqual(manifestOf(i.manifest)["index.html"].mode, "0640");
        const { id, outs } = await createTree(i);
        assert.strictEqual(tree.server.fs.lstat("/var/www/index.html")?.mode, 0o640);
        let props = outs;
        for (let refresh = 0; refresh < 2; refresh++) {
            const r = await read(id, props);
            props = r.props as RemoteTreeOutputs;
            assert.deepStrictEqual(props.drift, { changed: [], missing: [], extra: [] });
            assert.strictEqual((await diff(id, props, await tree.inputs({ modes: { "**": "00640" } }))).changes, false);
        }
    });

    it("writeId is new whenever a sync changes a file (an edit, a drift repair), and kept when nothing was written", async function () {
        const { id, outs } = await createTree(await tree.inputs());
        assert.match(outs.writeId ?? "", /^[0-9a-f]{16}$/);
        const same = (await update(id, outs, await tree.inputs())).outs as RemoteTreeOutputs;
        assert.strictEqual(same.writeId, outs.writeId, "nothing written: a reload must not run");
        // A hand edit on the server: refresh records it, and the next up puts the file back.
        tree.server.fs.writeFile("/var/www/index.html", "<h1>hand edit</h1>");
        const refreshed = (await read(id, same)).props as RemoteTreeOutputs;
        assert.deepStrictEqual(refreshed.drift.changed, ["index.html"]);
        assert.strictEqual(refreshed.writeId, outs.writeId, "a refresh writes nothing");
        const repaired = (await update(id, refreshed, await tree.inputs())).outs as RemoteTreeOutputs;
        assert.strictEqual(tree.server.fs.text("/var/www/index.html"), "<h1>hi</h1>");
        assert.notStrictEqual(repaired.writeId, outs.writeId, "the repair wrote the file: the reload runs");
        tree.src.write("css/site.css", "body{color:red}");
        const edited = (await update(id, repaired, await tree.inputs())).outs as RemoteTreeOutputs;
        assert.notStrictEqual(edited.writeId, repaired.writeId);
    });

    it('a stack deployed before the fix, with "00640" in its state, diffs and refreshes clean too', async function () {
        const i = await tree.inputs({ modes: { "**": "0640" } });
        const { id, outs } = await createTree(i);
        const old = (m: RemoteTreeOutputs["files"]) =>
            Object.fromEntries(Object.entries(manifestOf(m)).map(([k, e]) => [k, { ...e, mode: "00640" }]));
        const stored: RemoteTreeOutputs = {
            ...outs,
            manifest: old(deployedManifest(outs)),
            files: old(outs.files),
        };
        assert.strictEqual((await diff(id, stored, i)).changes, false);
        const r = await read(id, stored);
        assert.deepStrictEqual((r.props as RemoteTreeOutputs).drift.changed, []);
    });

    it("check applies the defaults once and creates everything; read returns inputs and finds drift", async function () {
        const i = await tree.inputs();
        assert.deepStrictEqual([i.prune, i.createParents], [true, true]);
        const { id, outs } = await createTree(i);
        assert.deepStrictEqual(tree.server.fs.tree("/var/www"), [
            "bin/",
            "bin/run.sh",
            "css/",
            "css/site.css",
            "index.html",
        ]);
        assert.strictEqual(tree.server.fs.lstat("/var/www/bin/run.sh")?.mode, 0o755);
        assert.deepStrictEqual(outs.createdDirs, ["/var", "/var/www", "/var/www/bin", "/var/www/css"]);
        tree.server.fs.writeFile("/var/www/index.html", "tampered");
        const r = await read(id, outs);
        assert.deepStrictEqual((r.props as RemoteTreeOutputs).drift.changed, ["index.html"]);
        assert.strictEqual((r.inputs as RemoteTreeInputs).destination, "/var/www");
        assert.ok(!("files" in r.inputs!), "inputs hold inputs only");
        assert.strictEqual((await diff(id, r.props as RemoteTreeOutputs, i)).changes, true);
        await update(id, r.props as RemoteTreeOutputs, i);
        assert.strictEqual(tree.server.fs.text("/var/www/index.html"), "<h1>hi</h1>");
    });

    it("update uploads only what changed, chmods a mode-only change, and prunes what left the source", async function () {
        const { id, outs } = await createTree(await tree.inputs());
        tree.src.write("css/site.css", "body{color:red}");
        fs.unlinkSync(`${tree.src.dir}/bin/run.sh`);
        const writes = tree.server.callsOf("write").length;
        const u = await update(id, outs, await tree.inputs({ modes: { "index.html": "0600" } }));
        const o = u.outs as RemoteTreeOutputs;
        assert.strictEqual(tree.server.callsOf("write").length - writes, 1, "one file uploaded");
        assert.strictEqual(tree.server.fs.lstat("/var/www/index.html")?.mode, 0o600);
        assert.deepStrictEqual(tree.server.fs.tree("/var/www"), ["css/", "css/site.css", "index.html"]);
        assert.match(o.lastChanges, /0 added, 2 changed \(css\/site\.css, index\.html\), 1 removed \(bin\/run\.sh\)/);
    });

    it('prune: "all" removes strays below the destination; destroy removes exactly the tree\'s files and folders', async function () {
        tree.server.fs.writeFile("/var/www/stray.txt", "someone's");
        const { id, outs } = await createTree(await tree.inputs({ prune: "all" }));
        assert.ok(tree.server.fs.lstat("/var/www/stray.txt") === undefined);
        tree.server.fs.writeFile("/var/www/css/theirs.css", "added after");
        await remove(id, outs);
        assert.deepStrictEqual(tree.server.fs.tree("/"), [
            "var/",
            "var/www/",
            "var/www/css/",
            "var/www/css/theirs.css",
        ]);
    });

    it("a file that fails is reported while the others are recorded in the error's state", async function () {
        tree.server.refuseRenameOverExisting = true;
        tree.server.fs.writeFile("/var/www/index.html", "old");
        await assert.rejects(createTree(await tree.inputs()), (e: Error & { properties?: RemoteTreeOutputs }) => {
            assert.match(
                e.message,
                /1 file\(s\) of the tree at \/var\/www failed; the others are in place and recorded/,
            );
            assert.deepStrictEqual(Object.keys(manifestOf(e.properties!.files)).sort(), ["bin/run.sh", "css/site.css"]);
            return true;
        });
        assert.strictEqual(tree.server.fs.text("/var/www/index.html"), "old");
    });
});
