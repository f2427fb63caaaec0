/** Issue 8 item 2 (and 6) for RemoteTree on the memory transport: adopted files are put back, changed ones left. */

import * as assert from "node:assert";
import { type RemoteTreeOutputs, read, remove, update } from "../../../provider/handlers/remoteTree";
import { manifestOf } from "../../../provider/plan/manifestCodec";
import { givenWarnings } from "../../../provider/warnings";
import { temporaries } from "../support/fixtures";
import { createTree, memoryTreeEachTest } from "../support/treeInputs";

describe("RemoteTree ownership: adopted and changed files (memory transport)", function () {
    const tree = memoryTreeEachTest({ "index.html": "<h1>new</h1>", "css/site.css": "body{}" });

    it("a file already at a tree path is adopted with a warning and put back by destroy, with its mode; created ones go", async function () {
        tree.server.fs.writeFile("/var/www/index.html", "<h1>theirs</h1>", 0o600);
        const { id, outs } = await createTree(await tree.inputs());
        assert.ok(
            givenWarnings.some((w) => /1 file\(s\) already existed below .*\/var\/www \(index\.html\)/.test(w)),
            JSON.stringify(givenWarnings),
        );
        assert.deepStrictEqual(Object.keys(outs.adopted ?? {}), ["index.html"]);
        assert.strictEqual(tree.server.fs.text("/var/www/index.html"), "<h1>new</h1>");
        await remove(id, outs);
        assert.deepStrictEqual(
            tree.server.fs.tree("/var/www"),
            ["index.html"],
            "the adopted file is back; css/ (created) is gone",
        );
        assert.strictEqual(tree.server.fs.text("/var/www/index.html"), "<h1>theirs</h1>");
        assert.strictEqual(tree.server.fs.lstat("/var/www/index.html")?.mode, 0o600);
    });

    it("destroy leaves a file changed since the tree wrote it, with a warning naming it, and keeps its folder", async function () {
        const { id, outs } = await createTree(await tree.inputs());
        tree.server.fs.writeFile("/var/www/css/site.css", "edited");
        await remove(id, outs);
        assert.deepStrictEqual(tree.server.fs.tree("/"), ["var/", "var/www/", "var/www/css/", "var/www/css/site.css"]);
        assert.ok(
            givenWarnings.some((w) =>
                /changed since the tree last wrote them \(css\/site\.css\); left in place/.test(w),
            ),
            JSON.stringify(givenWarnings),
        );
    });

    it("pruning an adopted file (gone from the source) puts the earlier file back", async function () {
        tree.server.fs.writeFile("/var/www/index.html", "<h1>theirs</h1>");
        const { id, outs } = await createTree(await tree.inputs());
        tree.useSource({ "css/site.css": "body{}" });
        const u = (await update(id, outs, await tree.inputs())).outs as RemoteTreeOutputs;
        assert.strictEqual(tree.server.fs.text("/var/www/index.html"), "<h1>theirs</h1>");
        assert.strictEqual(u.adopted, undefined);
        assert.deepStrictEqual(Object.keys(manifestOf(u.files)), ["css/site.css"]);
    });

    it("refresh and destroy sweep our stale temporaries in the tree's folders", async function () {
        const { id, outs } = await createTree(await tree.inputs());
        tree.server.fs.writeFile("/var/www/css/.site.css.filedrop-0123456789ab", "half");
        await read(id, outs);
        assert.deepStrictEqual(temporaries(tree.server), []);
        tree.server.fs.writeFile("/var/www/css/.site.css.filedrop-abcdefabcdef", "half");
        await remove(id, outs);
        assert.deepStrictEqual(tree.server.fs.tree("/"), []);
    });

    it("refresh and destroy sweep every folder of the tree, also from an earlier release's state (a map of files)", async function () {
        tree.useSource({
            "a/b/c/deep.txt": "1",
            "a/b/mid.txt": "2",
            "a/top.txt": "3",
            "x/y.txt": "4",
            "root.txt": "5",
        });
        const { id, outs } = await createTree(await tree.inputs());
        const earlier = { ...outs, files: { ...manifestOf(outs.files) } };
        const plant = () => {
            for (const dir of ["/var/www/a/b/c", "/var/www/a/b", "/var/www/a", "/var/www/x", "/var/www"]) {
                tree.server.fs.writeFile(`${dir}/.stale.txt.filedrop-0123456789ab`, "half");
            }
        };
        for (const o of [outs, earlier]) {
            plant();
            await read(id, o);
            assert.deepStrictEqual(temporaries(tree.server), []);
        }
        plant();
        await remove(id, earlier);
        assert.deepStrictEqual(tree.server.fs.tree("/"), []);
    });
});
