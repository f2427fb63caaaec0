/**
 * Issue 19 item 5 for RemoteTree on the memory transport: a tree file that replaces a file (adopted, or the tree's
 * own, chowned since) keeps its owner and group unless `owner`/`group` are given; new files in a setgid folder get
 * the folder's group; where owners cannot be kept, one warning for the whole tree.
 */
import * as assert from "node:assert";
import { type RemoteTreeOutputs, update } from "../../../provider/handlers/remoteTree";
import { givenWarnings } from "../../../provider/warnings";
import { temporaries } from "../support/fixtures";
import { createTree, memoryTreeEachTest } from "../support/treeInputs";

const SVC = 1001;
const WWW = 50;

describe("RemoteTree keeps the owner and group of the files it replaces (memory transport)", function () {
    const tree = memoryTreeEachTest(
        { "index.html": "<h1>new</h1>", "css/site.css": "body{}" },
        "/var/www",
        (server) => {
            server.fs.uid = 0; // root, or `sudo: true`
            server.fs.gid = 0;
            // A shared web root: setgid, group www.
            server.fs.mkdirp("/var/www");
            server.fs.chown("/var/www", 0, WWW);
            server.fs.chmod("/var/www", 0o2775);
        },
    );

    const ownerOf = (p: string) => [tree.server.fs.lstat(p)?.uid, tree.server.fs.lstat(p)?.gid];
    const lossWarnings = () => givenWarnings.filter((w) => /could not keep the owner/.test(w));

    it("an adopted svc:svc file keeps svc:svc; new files and folders get the setgid folder's group", async function () {
        tree.server.fs.writeFile("/var/www/index.html", "<h1>theirs</h1>", 0o640);
        tree.server.fs.chown("/var/www/index.html", SVC, SVC);
        await createTree(await tree.inputs());
        assert.strictEqual(tree.server.fs.text("/var/www/index.html"), "<h1>new</h1>");
        assert.deepStrictEqual(ownerOf("/var/www/index.html"), [SVC, SVC], "not root:www");
        assert.deepStrictEqual(ownerOf("/var/www/css"), [0, WWW], "a new folder: the setgid folder's group");
        assert.deepStrictEqual(ownerOf("/var/www/css/site.css"), [0, WWW], "a new file: the kernel's choice");
        assert.deepStrictEqual(
            tree.server
                .callsOf("chown")
                .filter((c) => /\.filedrop-[0-9a-f]{12}$/.test(c.path))
                .map((c) => c.path.replace(/filedrop-[0-9a-f]{12}$/, "filedrop-*")),
            ["/var/www/.index.html.filedrop-*"],
            "of the temporaries, only the replaced file's is chowned",
        );
        assert.deepStrictEqual(lossWarnings(), []);
        assert.deepStrictEqual(temporaries(tree.server, "/var/www"), []);
    });

    it("an update of a file someone chowned since keeps that owner; with `owner`/`group` given, those win", async function () {
        const { id, outs } = await createTree(await tree.inputs());
        tree.server.fs.chown("/var/www/css/site.css", SVC, SVC);
        tree.src.write("css/site.css", "body{color:red}");
        const u = (await update(id, outs, await tree.inputs())).outs as RemoteTreeOutputs;
        assert.strictEqual(tree.server.fs.text("/var/www/css/site.css"), "body{color:red}");
        assert.deepStrictEqual(ownerOf("/var/www/css/site.css"), [SVC, SVC]);
        tree.src.write("css/site.css", "body{color:blue}");
        await update(id, u, await tree.inputs({ owner: 2000, group: 2000 }));
        assert.deepStrictEqual(ownerOf("/var/www/css/site.css"), [2000, 2000]);
        assert.deepStrictEqual(ownerOf("/var/www/index.html"), [2000, 2000], "an owner change reaches every file");
    });

    it("where owners cannot be kept (FTPS), one warning for the tree names each file whose owner changed", async function () {
        tree.server.capabilities = { ...tree.server.capabilities, chown: false };
        tree.server.fs.uid = 1000;
        tree.server.fs.gid = 1000;
        tree.server.fs.chmod("/var/www", 0o777); // writable by the FTP user, not setgid
        tree.server.fs.writeFile("/var/www/index.html", "<h1>theirs</h1>", 0o644);
        tree.server.fs.chown("/var/www/index.html", SVC, SVC);
        tree.server.fs.mkdirp("/var/www/css");
        tree.server.fs.writeFile("/var/www/css/site.css", "old", 0o644);
        tree.server.fs.chown("/var/www/css/site.css", 1000, 1000); // the login user's own: nothing to say
        await createTree(await tree.inputs());
        const warnings = lossWarnings();
        assert.strictEqual(warnings.length, 1, JSON.stringify(givenWarnings));
        assert.match(
            warnings[0],
            /the new file could not keep the owner of the file it replaced \(the protocol cannot set owners: a new file belongs to the login user\): \/var\/www\/index\.html was 1001:1001, now 1000:1000\. Use protocol "sftp"/,
        );
    });
});
