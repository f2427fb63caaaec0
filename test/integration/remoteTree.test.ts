/**
 * RemoteTree through the real Pulumi CLI against the test sshd, with a tree of 1000 small files: first up uploads
 * all; 3 edits, 2 additions and 1 deletion are named by preview and are all that the next up transfers; a remote
 * change made out of band is found by refresh and repaired; destroy leaves the server as it was, including a file
 * that was in the target folder before. The steps build on each other, in order.
 */

import * as assert from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { manifestOf } from "../../provider/plan/manifestCodec";
import { TestStack } from "../harness/stack";
import { dirsAndTreesProgram } from "../harness/treePrograms";
import { getWorld, remoteDir, snapshot, sshConnection, type World } from "../harness/world";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const TREE_TYPE = "pulumi-nodejs:dynamic/filedrop:RemoteTree";

describe("RemoteTree of 1000 files over sftp", function () {
    let w: World;
    let stack: TestStack;
    let root: string;
    let dest: string;
    let src: string;
    let baseline: Record<string, string>;
    let before1: Map<string, { ino: number; mtimeMs: number }>;
    const edited = ["d0/f000.txt", "d1/f101.txt", "d2/f202.txt"];
    const added = ["d3/new-a.txt", "fresh/sub/new-b.txt"];
    const deleted = "d4/f404.txt";

    const treeOutputs = () => stack.resources(TREE_TYPE)[0].outputs as Record<string, any>;
    const remoteFiles = () => {
        const out: string[] = [];
        const walk = (d: string, rel: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const r = rel ? `${rel}/${e.name}` : e.name;
                e.isDirectory() ? walk(path.join(d, e.name), r) : out.push(r);
            }
        };
        walk(dest, "");
        return out.sort();
    };

    before(async function () {
        w = await getWorld();
        root = remoteDir(w, "tree");
        dest = path.join(root, "site");
        // The target folder exists with a file the tree never uploaded: it must survive everything.
        fs.mkdirSync(dest);
        fs.writeFileSync(path.join(dest, "keep.txt"), "not ours\n");
        fs.chownSync(dest, w.uid, w.gid);
        fs.chownSync(path.join(dest, "keep.txt"), w.uid, w.gid);
        baseline = snapshot(root);
        src = fs.mkdtempSync(path.join(w.dir, "tree-src-"));
        for (let d = 0; d < 10; d++) {
            fs.mkdirSync(path.join(src, `d${d}`));
            for (let f = 0; f < 100; f++) {
                const n = d * 100 + f;
                fs.writeFileSync(
                    path.join(src, `d${d}`, `f${String(n).padStart(3, "0")}.txt`),
                    `file ${n}\n`.repeat(1 + (n % 7)),
                );
            }
        }
        stack = new TestStack(w, "tree-1000", dirsAndTreesProgram);
        stack.setSettings({
            connection: sshConnection(w),
            trees: [{ name: "site", source: src, destination: dest, modes: { "d9/**": "0600" } }],
        });
    });

    it("first up uploads all 1000 files, verified, with modes, next to the pre-existing file", async function () {
        const t0 = Date.now();
        const r = await stack.ok("up");
        console.log(`      first up of 1000 files: ${Date.now() - t0} ms`);
        assert.strictEqual(r.summary.create, 2, r.output);
        const files = remoteFiles();
        assert.strictEqual(files.length, 1001);
        assert.ok(files.includes("keep.txt"));
        for (const rel of files.filter((f) => f !== "keep.txt")) {
            assert.strictEqual(
                sha(fs.readFileSync(path.join(dest, rel))),
                sha(fs.readFileSync(path.join(src, rel))),
                rel,
            );
        }
        assert.strictEqual(fs.statSync(path.join(dest, "d9/f900.txt")).mode & 0o777, 0o600);
        assert.strictEqual(fs.statSync(path.join(dest, "d0/f000.txt")).mode & 0o777, 0o644);
        // Kept packed in the state (issue 22): one string, read with the codec.
        const owned = manifestOf(treeOutputs().files);
        assert.strictEqual(Object.keys(owned).length, 1000);
        assert.ok(!("keep.txt" in owned));
        before1 = new Map(
            files
                .map((f) => [f, fs.statSync(path.join(dest, f))])
                .map(([f, st]) => [f as string, { ino: (st as fs.Stats).ino, mtimeMs: (st as fs.Stats).mtimeMs }]),
        );
    });

    it("an unchanged tree previews with no changes", async function () {
        await stack.ok("preview", ["--expect-no-changes"]);
    });

    it("after 3 edits, 2 additions and 1 deletion, preview names exactly those 6 files", async function () {
        for (const rel of edited) {
            fs.appendFileSync(path.join(src, rel), "edited\n");
        }
        fs.writeFileSync(path.join(src, added[0]), "new a\n");
        fs.mkdirSync(path.join(src, "fresh/sub"), { recursive: true });
        fs.writeFileSync(path.join(src, added[1]), "new b\n");
        fs.unlinkSync(path.join(src, deleted));
        const r = await stack.ok("preview", ["--diff"]);
        assert.strictEqual(r.summary.update, 1, r.output);
        // Check puts the changed names in the `changes` input, which the engine's diff shows, each name once.
        const block = /^(\s*)\+ changes\s*: \{\n([\s\S]*?)^\1 {2}\}$/m.exec(r.output);
        assert.ok(block, r.output.slice(0, 4000));
        const lists: Record<string, string[]> = {};
        let list = "";
        for (const line of block[2].split("\n")) {
            const head = /^\s*\+ (\w+)\s*: (\[|"(.*)")$/.exec(line);
            const item = /^\s*\+\s+\[\d+\]: "(.*)"$/.exec(line);
            if (head) {
                list = head[1];
                lists[list] = head[3] === undefined ? [] : [head[3]];
            } else if (item) {
                lists[list].push(item[1]);
            }
        }
        // Each name with its size, old → new for a changed file (issue 11).
        assert.deepStrictEqual(
            lists,
            {
                added: added.map((f) => `${f} (6 B)`),
                changed: ["d0/f000.txt (7 → 14 B)", "d1/f101.txt (36 → 43 B)", "d2/f202.txt (63 → 70 B)"],
                removed: [`${deleted} (54 B)`],
                summary: ["3 changed, 2 added, 1 removed"],
            },
            block[0],
        );
        assert.deepStrictEqual(added, ["d3/new-a.txt", "fresh/sub/new-b.txt"]);
        assert.deepStrictEqual(edited, ["d0/f000.txt", "d1/f101.txt", "d2/f202.txt"]);
        assert.ok(block[0].split("\n").length <= 20, block[0]);
        console.log(
            `      preview --diff changes: ${[...edited.map((f) => `~ ${f}`), ...added.map((f) => `+ ${f}`), `- ${deleted}`].join(", ")}`,
        );
    });

    it("up transfers only those: untouched remote files keep their inode and mtime", async function () {
        const r = await stack.ok("up");
        assert.strictEqual(r.summary.update, 1, r.output);
        const files = remoteFiles();
        assert.strictEqual(files.length, 1001 - 1 + 2);
        assert.ok(!files.includes(deleted));
        let untouched = 0;
        for (const [rel, st] of before1) {
            if (rel === deleted) {
                continue;
            }
            const now = fs.statSync(path.join(dest, rel));
            if (edited.includes(rel)) {
                assert.notStrictEqual(now.ino, st.ino, `${rel} should have been replaced`);
                assert.strictEqual(
                    sha(fs.readFileSync(path.join(dest, rel))),
                    sha(fs.readFileSync(path.join(src, rel))),
                );
            } else {
                assert.strictEqual(now.ino, st.ino, `${rel} was rewritten`);
                assert.strictEqual(now.mtimeMs, st.mtimeMs, `${rel} was touched`);
                untouched++;
            }
        }
        assert.strictEqual(untouched, 1001 - 3 - 1);
        for (const rel of added) {
            assert.strictEqual(
                fs.readFileSync(path.join(dest, rel), "utf8"),
                fs.readFileSync(path.join(src, rel), "utf8"),
            );
        }
        assert.match(String(treeOutputs().lastChanges), /^2 added .*3 changed .*1 removed/);
        // The names are for previews only: the state keeps no `changes`, and the unchanged tree previews clean.
        const state = JSON.parse(
            fs.readFileSync(path.join(stack.stateDir, ".pulumi", "stacks", "tree-1000", "test.json"), "utf8"),
        );
        const tree = state.checkpoint.latest.resources.find((x: { type: string }) => x.type === TREE_TYPE);
        assert.ok(
            !("changes" in tree.inputs) && !("preview" in tree.inputs) && !("changes" in tree.outputs),
            JSON.stringify(Object.keys(tree.inputs)),
        );
        await stack.ok("preview", ["--expect-no-changes"]);
    });

    it("refresh finds a remote file changed and one deleted out of band, and up repairs both", async function () {
        fs.writeFileSync(path.join(dest, "d5/f505.txt"), "tampered\n");
        fs.unlinkSync(path.join(dest, "d6/f606.txt"));
        const r = await stack.ok("refresh");
        assert.strictEqual(r.summary.update, 1, r.output);
        const drift = treeOutputs().drift;
        assert.deepStrictEqual(drift.changed, ["d5/f505.txt"]);
        assert.deepStrictEqual(drift.missing, ["d6/f606.txt"]);
        const p = await stack.ok("preview");
        assert.strictEqual(p.summary.update, 1, p.output);
        await stack.ok("up");
        for (const rel of ["d5/f505.txt", "d6/f606.txt"]) {
            assert.strictEqual(
                fs.readFileSync(path.join(dest, rel), "utf8"),
                fs.readFileSync(path.join(src, rel), "utf8"),
            );
        }
        await stack.ok("preview", ["--expect-no-changes"]);
    });

    it("destroy leaves the server as it was, the pre-existing file included", async function () {
        await stack.ok("destroy");
        assert.deepStrictEqual(snapshot(root), baseline);
    });
});

describe("RemoteTree refusals", function () {
    it("refuses at preview a source symlink pointing outside the source folder, before connecting", async function () {
        const w = await getWorld();
        const src = fs.mkdtempSync(path.join(w.dir, "tree-esc-"));
        fs.writeFileSync(path.join(src, "ok.txt"), "ok\n");
        fs.symlinkSync("/etc/passwd", path.join(src, "passwd"));
        const stack = new TestStack(w, "tree-escape", dirsAndTreesProgram);
        stack.setSettings({
            connection: { ...sshConnection(w), port: 1 },
            trees: [{ name: "esc", source: src, destination: "/tmp/never" }],
        });
        const r = await stack.run("preview");
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(
            r.output,
            /symlink "passwd" points outside the source folder \(to \/etc\/passwd\); copy the file in or exclude it/,
        );
        stack.setSettings({
            connection: { ...sshConnection(w), port: 1 },
            trees: [{ name: "esc", source: src, destination: "relative/dir" }],
        });
        const r2 = await stack.run("preview");
        assert.match(r2.output, /destination.*must be absolute/);
    });
});
