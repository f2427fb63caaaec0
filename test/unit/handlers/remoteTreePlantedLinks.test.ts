/**
 * A RemoteTree in a web root others in the deploy group can write to (memory transport): a link a neighbour planted
 * at a folder name the tree uses is never followed (ops/remoteDirs.ts). The memory file system does not follow links
 * inside a path, so the case of a folder below the link that exists through it is proven over SFTP (ssh.sudo.test.ts).
 */
import * as assert from "node:assert";
import { createTree, memoryTreeEachTest } from "../support/treeInputs";

const NEIGHBOUR = 1002;

describe("RemoteTree: a link planted at one of its folder names (memory transport)", function () {
    const tree = memoryTreeEachTest(
        { "index.html": "<h1>home</h1>", "docs/deep/page.html": "<p>page</p>" },
        "/var/www",
        (server) => {
            server.fs.uid = 0; // root, or `sudo: true`
            server.fs.mkdirp("/var/www");
            server.fs.chmod("/var/www", 0o2775);
            server.fs.mkdirp("/etc/cron.d/deep"); // where the link would send the files
            server.fs.symlink("/etc/cron.d", "/var/www/docs");
            server.fs.lstat("/var/www/docs")!.uid = NEIGHBOUR;
        },
    );

    it("refuses the tree's files below the link and leaves the link and where it points alone", async function () {
        await assert.rejects(createTree(await tree.inputs()), (e: unknown) =>
            /\/var\/www\/docs is a symlink owned by uid 1002 where a folder is wanted, made by neither root, the login user nor the owner of \/var\/www; it was not followed/.test(
                String(e),
            ),
        );
        assert.deepStrictEqual(tree.server.fs.tree("/etc/cron.d"), ["deep/"], "nothing written through the link");
        assert.strictEqual(tree.server.fs.lstat("/var/www/docs")?.kind, "symlink", "the planted link is left");
    });
});
