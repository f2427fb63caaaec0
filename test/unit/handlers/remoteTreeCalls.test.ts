/**
 * The transport calls of a RemoteTree's create and update (issue 13): each is at least one round trip. The setup
 * step's folder listings (the temporary sweep) already say which paths are empty, so a first upload asks nothing
 * per file before writing it, and an update looks only at the folders its removals may have emptied.
 */

import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { foldersAbove, type RemoteTreeOutputs, update } from "../../../provider/handlers/remoteTree";
import { manifestOf } from "../../../provider/plan/manifestCodec";
import { createTree, memoryTreeEachTest } from "../support/treeInputs";

describe("RemoteTree: transport calls of create and update (memory transport)", function () {
    const files: Record<string, string> = {};
    for (const d of ["a", "b", "c"]) {
        for (let i = 0; i < 5; i++) {
            files[`${d}/f${i}.txt`] = `${d} ${i}\n`;
        }
    }
    files["index.html"] = "<h1>hi</h1>";
    const tree = memoryTreeEachTest(files, "/srv/site");

    /** The stats since call `from` of paths below /srv/site, and of the others. */
    function statsSince(from: number): { files: string[]; folders: string[] } {
        const paths = tree.server.calls
            .slice(from)
            .filter((c) => c.op === "stat")
            .map((c) => c.path);
        return {
            files: paths.filter((p) => /\.(txt|html)$/.test(p)),
            folders: paths.filter((p) => !/\.(txt|html)$/.test(p)),
        };
    }

    it("a first upload into a new folder stats none of its 16 files before writing them (16 adoption stats before)", async function () {
        const i = await tree.inputs();
        const from = tree.server.calls.length;
        const { outs } = await createTree(i);
        assert.strictEqual(Object.keys(manifestOf(outs.files)).length, 16);
        assert.deepStrictEqual(statsSince(from).files, [], "the sweep's listings already said the paths are empty");
        assert.deepStrictEqual(outs.adopted, undefined);
        assert.strictEqual(tree.server.fs.text("/srv/site/b/f3.txt"), "b 3\n");
    });

    it("a file already at its path is still found, adopted and kept aside", async function () {
        tree.server.fs.writeFile("/srv/site/a/f1.txt", "theirs");
        tree.server.fs.writeFile("/srv/site/other.txt", "not in the tree");
        const from = tree.server.calls.length;
        const { outs } = await createTree(await tree.inputs());
        // Only the one path a listing showed a file at is asked (a listing can tell less than a stat); copying
        // it aside asks again.
        assert.deepStrictEqual(
            [...new Set(statsSince(from).files.filter((p) => !p.includes(".filedrop-")))],
            ["/srv/site/a/f1.txt"],
        );
        assert.deepStrictEqual(Object.keys(outs.adopted ?? {}), ["a/f1.txt"]);
        assert.strictEqual(tree.server.fs.text("/srv/site/a/f1.txt"), "a 1\n");
        assert.strictEqual(tree.server.fs.text("/srv/site/other.txt"), "not in the tree");
    });

    it("an update looks for emptied folders only above the files it removed; with none removed, nowhere", async function () {
        const { id, outs } = await createTree(await tree.inputs());
        assert.deepStrictEqual(outs.createdDirs, ["/srv", "/srv/site", "/srv/site/a", "/srv/site/b", "/srv/site/c"]);
        tree.src.write("a/f0.txt", "edited\n");
        let from = tree.server.calls.length;
        const u1 = (await update(id, outs, await tree.inputs())).outs as RemoteTreeOutputs;
        assert.strictEqual(tree.server.fs.text("/srv/site/a/f0.txt"), "edited\n");
        // No removal: the five created folders are not stat'ed to see whether they emptied (they were before).
        assert.deepStrictEqual(
            statsSince(from).folders.filter((p) => ["/srv", "/srv/site/b", "/srv/site/c"].includes(p)),
            [],
        );
        for (let n = 0; n < 5; n++) {
            fs.unlinkSync(path.join(tree.src.dir, `c/f${n}.txt`));
        }
        from = tree.server.calls.length;
        const u2 = (await update(id, u1, await tree.inputs())).outs as RemoteTreeOutputs;
        assert.deepStrictEqual(tree.server.fs.tree("/srv/site"), [
            "a/",
            ...[0, 1, 2, 3, 4].map((n) => `a/f${n}.txt`),
            "b/",
            ...[0, 1, 2, 3, 4].map((n) => `b/f${n}.txt`),
            "index.html",
        ]);
        const lists = tree.server.calls
            .slice(from)
            .filter((c) => c.op === "list")
            .map((c) => c.path);
        // c left the manifest, so the sweep skips it; the emptiness check lists it (empty: removed) and /srv/site.
        assert.deepStrictEqual(
            lists.filter((p) => p === "/srv/site/c"),
            ["/srv/site/c"],
        );
        assert.deepStrictEqual(
            lists.filter((p) => p === "/srv/site/a" || p === "/srv/site/b"),
            ["/srv/site/a", "/srv/site/b"],
            "a and b are listed once, by the sweep (twice before: the emptiness check looked at every created folder)",
        );
        assert.ok(u2.lastChanges.includes("5 removed"));
    });

    it("foldersAbove: the created folders that hold one of the files, at any depth", function () {
        const created = ["/srv", "/srv/site", "/srv/site/a", "/srv/site/a/deep", "/srv/site/b"];
        assert.deepStrictEqual(foldersAbove("/srv/site", ["a/deep/x.txt"], created), [
            "/srv",
            "/srv/site",
            "/srv/site/a",
            "/srv/site/a/deep",
        ]);
        assert.deepStrictEqual(foldersAbove("/srv/site", ["b.txt"], created), ["/srv", "/srv/site"]);
        assert.deepStrictEqual(foldersAbove("/srv/site", [], created), []);
        assert.deepStrictEqual(foldersAbove("/srv/site", ["a"], ["/srv/site/a"]), [], "a path is not its own folder");
    });
});
