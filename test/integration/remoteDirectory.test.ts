/**
 * RemoteDirectory through the real Pulumi CLI against the test sshd: mkdir -p with a mode, recording the levels
 * it created; a directory that already existed is adopted and never removed; destroy removes only the created
 * levels, only when empty (a foreign file keeps them), or everything inside with onDelete "recursive"; refresh
 * notices a folder removed out of band and up makes it again.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { TestStack } from "../harness/stack";
import { dirsAndTreesProgram } from "../harness/treePrograms";
import { getWorld, remoteDir, snapshot, sshConnection, type World } from "../harness/world";

const DIR_TYPE = "pulumi-nodejs:dynamic/filedrop:RemoteDirectory";

describe("RemoteDirectory over sftp", function () {
    let w: World;
    let root: string;
    let stack: TestStack;
    let baseline: Record<string, string>;
    let dirs: Record<string, unknown>[];
    const outputs = (name: string) =>
        stack.resources(DIR_TYPE).find((r) => r.urn.endsWith(`::${name}`))!.outputs as Record<string, any>;

    before(async function () {
        w = await getWorld();
        root = remoteDir(w, "dirs");
        fs.mkdirSync(path.join(root, "existing"));
        fs.chownSync(path.join(root, "existing"), w.uid, w.gid);
        baseline = snapshot(root);
        dirs = [
            { name: "deep", path: path.join(root, "a", "b", "c"), mode: "0750" },
            { name: "existing", path: path.join(root, "existing"), mode: "0755" },
            { name: "busy", path: path.join(root, "busy", "x") },
            { name: "rec", path: path.join(root, "rec", "y"), onDelete: "recursive" },
        ];
        stack = new TestStack(w, "dirs", dirsAndTreesProgram);
        stack.setSettings({ connection: sshConnection(w), dirs });
    });

    it("creates missing levels with the mode and records exactly those", async function () {
        const r = await stack.ok("up");
        assert.strictEqual(r.summary.create, 5, r.output);
        assert.strictEqual(fs.statSync(path.join(root, "a/b/c")).mode & 0o777, 0o750);
        assert.deepStrictEqual(
            outputs("deep").createdDirs,
            ["a", "a/b", "a/b/c"].map((d) => path.join(root, d)),
        );
        assert.deepStrictEqual(outputs("existing").createdDirs, []);
        assert.strictEqual(outputs("existing").existedBefore, true);
        assert.strictEqual(outputs("deep").existedBefore, false);
        await stack.ok("preview", ["--expect-no-changes"]);
    });

    it("refresh notices a folder removed out of band, and up makes it again", async function () {
        fs.rmdirSync(path.join(root, "a/b/c"));
        const r = await stack.ok("refresh");
        assert.strictEqual(r.summary.update, 1, r.output);
        assert.strictEqual(outputs("deep").present, false);
        await stack.ok("up");
        assert.ok(fs.statSync(path.join(root, "a/b/c")).isDirectory());
        assert.strictEqual(outputs("deep").present, true);
    });

    it("destroy removes only created, empty levels; recursive removes content; a foreign file keeps its folder", async function () {
        for (const [d, f] of [
            ["busy/x", "foreign.txt"],
            ["rec/y/z", "inner.txt"],
        ]) {
            fs.mkdirSync(path.join(root, d), { recursive: true });
            fs.writeFileSync(path.join(root, d, f), "x\n");
            fs.chownSync(path.join(root, d), w.uid, w.gid);
            fs.chownSync(path.join(root, d, f), w.uid, w.gid);
        }
        await stack.ok("destroy");
        const after = snapshot(root);
        assert.strictEqual(after["busy/x/foreign.txt"] !== undefined, true, "a folder with a foreign file must stay");
        assert.strictEqual(after.rec, undefined, "recursive removes the created levels with content");
        assert.strictEqual(after.a, undefined);
        assert.strictEqual(after.existing, "dir", "a folder that existed before is never removed");
        fs.rmSync(path.join(root, "busy"), { recursive: true });
        assert.deepStrictEqual(snapshot(root), baseline);
    });

    it("rejects a bad path, mode and onDelete at preview", async function () {
        const s = new TestStack(w, "dirs-bad", dirsAndTreesProgram);
        s.setSettings({
            connection: { ...sshConnection(w), port: 1 },
            dirs: [{ name: "bad", path: "rel/x", mode: "999", onDelete: "keep" }],
        });
        const r = await s.run("preview");
        assert.notStrictEqual(r.code, 0);
        assert.match(r.output, /path.*must be absolute/);
        assert.match(r.output, /mode.*must be an octal string/);
        assert.match(r.output, /onDelete.*must be "delete" or "recursive"/);
    });
});
