import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildManifest } from "../../../sdk/treeSource";
import { describeDiff, diffManifests, foldersOf, Manifest, modeFor, relativePathProblem, remotePathOf, selector } from "../../../provider/plan/treeManifest";
import { planTree, RemoteTreeInputs } from "../../../provider/handlers/remoteTree";

const e = (sha256: string, mode = "0644", size = 1) => ({ sha256, size, mode });

describe("treeManifest", () => {
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
        assert.deepStrictEqual(Object.keys(manifest), [".env", "a.txt", "inside-link", "node_modules/x/i.js", "run.sh", "src/c.map", "src/sub/b.js"]);
        assert.strictEqual(manifest["a.txt"].sha256, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
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

    it("diffs manifests into sorted added, changed and removed", () => {
        const olds: Manifest = { a: e("1"), b: e("2"), c: e("3"), m: e("4") };
        const news: Manifest = { a: e("1"), b: e("9"), d: e("5"), m: e("4", "0755") };
        const d = diffManifests(olds, news);
        assert.deepStrictEqual(d, { added: ["d"], changed: ["b", "m"], removed: ["c"] });
        assert.strictEqual(describeDiff(d), "1 added (d), 2 changed (b, m), 1 removed (c)");
        assert.strictEqual(describeDiff({ added: ["x", "y", "z"], changed: [], removed: [] }, 2), "3 added (x, y, … 1 more), 0 changed, 0 removed");
        assert.deepStrictEqual(diffManifests(news, news), { added: [], changed: [], removed: [] });
    });

    it("plans uploads, chmod-only changes and removals according to prune", () => {
        const owned: Manifest = { a: e("1"), b: e("2"), c: e("3"), m: e("4") };
        const news = { manifest: { a: e("1"), b: e("9"), d: e("5"), m: e("4", "0755") }, prune: true } as unknown as RemoteTreeInputs;
        const p = planTree(owned, news);
        assert.deepStrictEqual(p.upload, ["b", "d"]);
        assert.deepStrictEqual(p.chmodOnly, ["m"]);
        assert.deepStrictEqual(p.removed, ["c"]);
        assert.deepStrictEqual(planTree(owned, { ...news, prune: false }).removed, []);
    });

    it("validates relative paths so nothing is written outside the destination", () => {
        for (const bad of ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "a\0b", "a\r\nDELE x", "x".repeat(256)]) {
            assert.ok(relativePathProblem(bad), `should refuse ${JSON.stringify(bad).slice(0, 40)}`);
            assert.throws(() => remotePathOf("/srv/site", bad), /outside \/srv\/site|refusing/);
        }
        assert.strictEqual(relativePathProblem("a/b c/.d"), undefined);
        assert.strictEqual(remotePathOf("/srv/site", "a/b"), "/srv/site/a/b");
        assert.strictEqual(remotePathOf("/", "a"), "/a");
    });

    it("lists the remote folders of a manifest, outermost first", () => {
        assert.deepStrictEqual(foldersOf("/d", { "x/y/z.txt": e("1"), "x/w.txt": e("2"), "top.txt": e("3") }), ["/d/x", "/d/x/y"]);
        assert.strictEqual(modeFor("bin/run", { "bin/*": "755" }, 0o644), "0755");
    });
});
