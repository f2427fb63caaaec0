/**
 * Issue 8 items 1, 2 and 6 through the real Pulumi CLI against the test sshd: a symlink at the path (Debian's nginx
 * sites-enabled layout), adopted files restored on destroy, a file changed since left in place, two stacks on one
 * path, and a deployment SIGKILLed mid-upload then cancelled and destroyed.
 */
import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { killMidUpload, uploadTemporary } from "../harness/processTree";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { dirsAndTreesProgram } from "../harness/treePrograms";
import { getWorld, remoteDir, snapshot, sshConnection, type World } from "../harness/world";

describe("RemoteFile ownership over sftp (symlinks, adoption, leftovers)", function () {
    let w: World;
    let n = 0;
    const newStack = (files: Record<string, unknown>[], name = `own-${++n}`) => {
        const s = new TestStack(w, name, remoteFilesProgram);
        s.setSettings({ connection: sshConnection(w), files });
        return s;
    };
    const own = (p: string) => fs.chownSync(p, w.uid, w.gid);

    before(async function () {
        w = await getWorld();
    });

    describe("a symlink at the path: Debian's nginx sites-enabled", function () {
        let root: string;
        let available: string;
        let enabled: string;
        beforeEach(function () {
            root = remoteDir(w, "nginx");
            for (const d of ["sites-available", "sites-enabled"]) {
                fs.mkdirSync(path.join(root, d));
                own(path.join(root, d));
            }
            available = path.join(root, "sites-available", "app");
            enabled = path.join(root, "sites-enabled", "app");
            fs.writeFileSync(available, "server { listen 80; }\n", { mode: 0o640 });
            fs.chmodSync(available, 0o640);
            own(available);
            fs.symlinkSync("../sites-available/app", enabled);
            fs.lchownSync(enabled, w.uid, w.gid);
        });

        it("up writes the linked file in place of the link's target with its mode 0640 (not 0777), keeps the link; destroy restores it", async function () {
            const s = newStack([{ name: "site", path: enabled, content: "server { listen 8080; }\n" }]);
            const up = await s.ok("up");
            assert.ok(fs.lstatSync(enabled).isSymbolicLink(), "the link is still a link");
            assert.strictEqual(fs.readlinkSync(enabled), "../sites-available/app");
            assert.strictEqual(fs.readFileSync(available, "utf8"), "server { listen 8080; }\n");
            assert.strictEqual(fs.statSync(available).mode & 0o777, 0o640);
            assert.match(up.output, /already existed; this stack now manages it/, "up warns it adopted the file");
            assert.deepStrictEqual(
                fs.readdirSync(path.join(root, "sites-enabled")),
                ["app"],
                "no temporary beside the link",
            );
            await s.ok("destroy");
            assert.ok(fs.lstatSync(enabled).isSymbolicLink());
            assert.strictEqual(fs.readFileSync(available, "utf8"), "server { listen 80; }\n");
            assert.strictEqual(fs.statSync(available).mode & 0o777, 0o640);
            assert.deepStrictEqual(fs.readdirSync(path.join(root, "sites-available")), ["app"], "no copy left behind");
        });

        it('with symlinks: "refuse" up fails naming the option and changes nothing', async function () {
            const before = snapshot(root);
            const s = newStack([{ name: "site", path: enabled, content: "x\n", symlinks: "refuse" }]);
            const r = await s.run("up");
            assert.notStrictEqual(r.code, 0);
            assert.match(r.output, /is a symlink and `symlinks: "refuse"` is set/);
            assert.deepStrictEqual(snapshot(root), before);
            assert.ok(fs.lstatSync(enabled).isSymbolicLink());
        });
    });

    describe("destroy never removes data the stack did not create", function () {
        it("an adopted file (no onDelete) is warned about and restored; a created file edited since is left with a warning", async function () {
            const root = remoteDir(w, "adopt");
            const adopted = path.join(root, "adopted.conf");
            fs.writeFileSync(adopted, "original\n");
            fs.chmodSync(adopted, 0o600);
            own(adopted);
            const edited = path.join(root, "new", "edited.conf");
            const s = newStack([
                { name: "adopted", path: adopted, content: "managed\n" },
                { name: "edited", path: edited, content: "managed\n" },
            ]);
            const up = await s.ok("up");
            assert.match(up.output, /adopted\.conf already existed; this stack now manages it/);
            assert.doesNotMatch(up.output, /edited\.conf already existed/);
            assert.strictEqual(fs.readFileSync(adopted, "utf8"), "managed\n");
            fs.writeFileSync(edited, "changed by hand\n");
            const down = await s.ok("destroy");
            assert.strictEqual(fs.readFileSync(adopted, "utf8"), "original\n", "the adopted file is back");
            assert.strictEqual(fs.statSync(adopted).mode & 0o777, 0o600);
            assert.strictEqual(fs.readFileSync(edited, "utf8"), "changed by hand\n", "the edited file is left");
            assert.match(down.output, /edited\.conf changed since this stack last wrote it .*destroy left it in place/);
            assert.deepStrictEqual(fs.readdirSync(root).sort(), ["adopted.conf", "new"]);
        });

        it("two stacks on one path: the second warns; destroying it restores the first's content; the first then deletes its own", async function () {
            const root = remoteDir(w, "two");
            const p = path.join(root, "shared.conf");
            const a = newStack([{ name: "shared", path: p, content: "from A\n" }]);
            const b = newStack([{ name: "shared", path: p, content: "from B\n" }]);
            const upA = await a.ok("up");
            assert.doesNotMatch(upA.output, /already existed/);
            const upB = await b.ok("up");
            assert.match(upB.output, /shared\.conf already existed/);
            assert.strictEqual(fs.readFileSync(p, "utf8"), "from B\n");
            await b.ok("destroy");
            assert.strictEqual(fs.readFileSync(p, "utf8"), "from A\n");
            await a.ok("destroy");
            assert.deepStrictEqual(fs.readdirSync(root), []);
        });
    });

    describe("RemoteTree files", function () {
        it("a file already below the destination is adopted with a warning and put back by destroy; a file edited since is left", async function () {
            const root = remoteDir(w, "tree-own");
            const dest = path.join(root, "site");
            fs.mkdirSync(dest);
            own(dest);
            fs.writeFileSync(path.join(dest, "index.html"), "<h1>theirs</h1>\n");
            fs.chmodSync(path.join(dest, "index.html"), 0o600);
            own(path.join(dest, "index.html"));
            const src = fs.mkdtempSync(path.join(w.dir, "tree-own-src-"));
            fs.writeFileSync(path.join(src, "index.html"), "<h1>ours</h1>\n");
            fs.mkdirSync(path.join(src, "css"));
            fs.writeFileSync(path.join(src, "css", "site.css"), "body{}\n");
            fs.writeFileSync(path.join(src, "about.html"), "about\n");
            const s = new TestStack(w, `own-tree-${++n}`, dirsAndTreesProgram);
            s.setSettings({ connection: sshConnection(w), trees: [{ name: "site", source: src, destination: dest }] });
            const up = await s.ok("up");
            assert.match(
                up.output,
                /1 file\(s\) already existed below .*site \(index\.html\); the tree now manages them/,
            );
            assert.strictEqual(fs.readFileSync(path.join(dest, "index.html"), "utf8"), "<h1>ours</h1>\n");
            fs.writeFileSync(path.join(dest, "about.html"), "edited by hand\n");
            const down = await s.ok("destroy");
            assert.strictEqual(
                fs.readFileSync(path.join(dest, "index.html"), "utf8"),
                "<h1>theirs</h1>\n",
                "the adopted file is back",
            );
            assert.strictEqual(fs.statSync(path.join(dest, "index.html")).mode & 0o777, 0o600);
            assert.strictEqual(fs.readFileSync(path.join(dest, "about.html"), "utf8"), "edited by hand\n");
            assert.match(down.output, /changed since the tree last wrote them \(about\.html\); left in place/);
            assert.deepStrictEqual(
                fs.readdirSync(dest).sort(),
                ["about.html", "index.html"],
                "the tree's own css/ is gone, no copies left",
            );
        });
    });

    describe("leftovers after a crash", function () {
        it("SIGKILL of the CLI, provider and language host mid-upload, pulumi cancel, pulumi destroy: no temporary and no folder left", async function () {
            const root = remoteDir(w, "crash");
            const target = path.join(root, "made", "for", "big.bin");
            const big = path.join(fs.mkdtempSync(path.join(w.dir, "crash-src-")), "big.bin");
            fs.writeFileSync(big, randomBytes(256 << 20));
            const s = newStack([{ name: "big", path: target, content: "small first\n" }]);
            await s.ok("up");
            s.setSettings({ connection: sshConnection(w), files: [{ name: "big", path: target, sourceAsset: big }] });
            const dir = path.dirname(target);
            const killed = await killMidUpload(s.start("up"), dir, "big.bin", 4 << 20);
            assert.ok(
                killed.length >= 3,
                `killed the CLI, the language host and the provider mid-upload (${killed.length} processes)`,
            );
            assert.ok(uploadTemporary(dir, "big.bin") !== undefined, "the killed upload left its temporary");
            const cancel = await s.runPulumi(["cancel", "--stack", "test", "--yes", "--non-interactive"]);
            const down = await s.run("destroy");
            assert.strictEqual(down.code, 0, `cancel said:\n${cancel.output}\ndestroy said:\n${down.output}`);
            assert.deepStrictEqual(fs.readdirSync(root), [], "no temporary and no folder left");
            fs.rmSync(path.dirname(big), { recursive: true, force: true });
        });
    });
});
