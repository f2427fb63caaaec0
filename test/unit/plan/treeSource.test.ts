/** The program-time walk of a RemoteTree's source folder (plan/treeSource.ts), on a real local folder. */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { selector } from "../../../provider/plan/treeManifest";
import { buildManifest, walkSource } from "../../../provider/plan/treeSource";

describe("plan/treeSource", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "tree-unit-"));
        fs.mkdirSync(path.join(dir, "src/sub"), { recursive: true });
        fs.mkdirSync(path.join(dir, "node_modules/x"), { recursive: true });
        fs.writeFileSync(path.join(dir, "a.txt"), "a");
        fs.writeFileSync(path.join(dir, ".env"), "secret");
        fs.writeFileSync(path.join(dir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "src/sub/b.js"), "b");
        fs.writeFileSync(path.join(dir, "src/c.map"), "c");
        fs.writeFileSync(path.join(dir, "node_modules/x/i.js"), "i");
        fs.symlinkSync("a.txt", path.join(dir, "inside-link"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("hashes every file, dotfiles included, with modes from patterns or the local exec bit", async () => {
        const { manifest, problems } = await buildManifest(dir, { modes: { "src/**": "0600" } });
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(Object.keys(manifest), [
            ".env",
            "a.txt",
            "inside-link",
            "node_modules/x/i.js",
            "run.sh",
            "src/c.map",
            "src/sub/b.js",
        ]);
        assert.strictEqual(
            manifest["a.txt"].sha256,
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
        );
        assert.strictEqual(manifest["a.txt"].size, 1);
        assert.strictEqual(manifest["inside-link"].sha256, manifest["a.txt"].sha256);
        assert.strictEqual(manifest["run.sh"].mode, "0755");
        assert.strictEqual(manifest["a.txt"].mode, "0644");
        assert.strictEqual(manifest["src/sub/b.js"].mode, "0600");
    });

    it("applies include and exclude (folders excluded by name are not walked)", async () => {
        const { manifest } = await buildManifest(dir, { include: ["**/*.js", "*.txt"], exclude: ["node_modules"] });
        assert.deepStrictEqual(Object.keys(manifest), ["a.txt", "src/sub/b.js"]);
        const s = selector({ exclude: ["**/*.map"] });
        assert.strictEqual(s.file("src/c.map"), false);
        assert.strictEqual(s.file("src/c.js"), true);
    });

    it("include: [] selects no file (a computed list that comes out empty never means every file)", async () => {
        assert.deepStrictEqual(await buildManifest(dir, { include: [] }), { manifest: {}, problems: [] });
        const s = selector({ include: [] });
        assert.deepStrictEqual([s.file("a.txt"), s.skipDir("src")], [false, true]);
        assert.strictEqual(Object.keys((await buildManifest(dir, { include: undefined })).manifest).length, 7);
    });

    it("refuses symlinks pointing outside the source, and dangling ones", async () => {
        const d = fs.mkdtempSync(path.join(os.tmpdir(), "tree-unit-esc-"));
        fs.writeFileSync(path.join(d, "ok.txt"), "x");
        fs.symlinkSync("/etc/passwd", path.join(d, "passwd"));
        fs.symlinkSync("../", path.join(d, "up"));
        fs.symlinkSync("nowhere", path.join(d, "dangling"));
        const { manifest, problems } = await buildManifest(d, {});
        assert.deepStrictEqual(Object.keys(manifest), ["ok.txt"]);
        assert.strictEqual(problems.length, 3);
        assert.match(problems.join("\n"), /symlink "passwd" points outside the source folder \(to \/etc\/passwd\)/);
        assert.match(problems.join("\n"), /symlink "up" points outside the source folder/);
        assert.match(problems.join("\n"), /symlink "dangling" points to nothing/);
        fs.rmSync(d, { recursive: true, force: true });
    });

    it("reports a selected file with a line break in its name, naming it; an excluded one is left out quietly", async () => {
        const d = fs.mkdtempSync(path.join(os.tmpdir(), "tree-unit-nl-"));
        try {
            fs.writeFileSync(path.join(d, "ok.txt"), "ok");
            fs.writeFileSync(path.join(d, "bad\nname.txt"), "x");
            const r = await buildManifest(d, {});
            assert.deepStrictEqual(Object.keys(r.manifest), ["ok.txt"]);
            assert.deepStrictEqual(r.problems, [
                'file "bad\\nname.txt" has a line break in its name, which cannot be sent as a remote path; rename it or exclude it',
            ]);
            assert.deepStrictEqual((await buildManifest(d, { exclude: ["bad?name.txt"] })).problems, []);
            assert.deepStrictEqual(
                (await buildManifest(d, { include: ["*.md"] })).problems,
                [],
                "not selected, not a problem",
            );
        } finally {
            fs.rmSync(d, { recursive: true, force: true });
        }
    });

    it("lets the event loop turn while it walks a tree of many folders (the program's calls go out meanwhile)", async () => {
        const many = fs.mkdtempSync(path.join(os.tmpdir(), "tree-unit-many-"));
        try {
            for (let d = 0; d < 20; d++) {
                fs.mkdirSync(path.join(many, `d${d}`));
                fs.writeFileSync(path.join(many, `d${d}`, "f.txt"), "f");
            }
            const order: string[] = [];
            setImmediate(() => order.push("a turn of the event loop"));
            const { files } = await walkSource(many, {});
            order.push("walked");
            assert.strictEqual(files.length, 20);
            assert.deepStrictEqual(order, ["a turn of the event loop", "walked"]);
        } finally {
            fs.rmSync(many, { recursive: true, force: true });
        }
    });
});
