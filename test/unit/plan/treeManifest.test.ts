import * as assert from "node:assert";
import type { Manifest } from "../../../provider/manifest";
import { foldersOfStored, planStored } from "../../../provider/plan/storedSync";
import { describeDiff, modeFor, relativePathProblem, remotePathOf } from "../../../provider/plan/treeManifest";

const e = (sha256: string, mode = "0644", size = 1) => ({ sha256, size, mode });
/** Added, changed and removed, as the sync plan (plan/storedSync.ts) finds them. */
const diffManifests = (olds: Manifest, news: Manifest) => {
    const { added, changed, removed } = planStored(olds, news, true);
    return { added, changed, removed };
};

describe("treeManifest", () => {
    it("gives modes written one way, and compares manifest modes by their bits", () => {
        assert.strictEqual(modeFor("a.txt", { "**": "00640" }, 0o644), "0640");
        assert.strictEqual(modeFor("a.txt", { "*.sh": "0700" }, 0o755), "0755");
        assert.strictEqual(modeFor("a.txt", undefined, 0o600), "0644");
        assert.deepStrictEqual(diffManifests({ a: e("1", "00640") }, { a: e("1", "0640") }).changed, []);
    });

    it("diffs manifests into sorted added, changed and removed", () => {
        const olds: Manifest = { a: e("1"), b: e("2"), c: e("3"), m: e("4") };
        const news: Manifest = { a: e("1"), b: e("9"), d: e("5"), m: e("4", "0755") };
        const d = diffManifests(olds, news);
        assert.deepStrictEqual(d, { added: ["d"], changed: ["b", "m"], removed: ["c"] });
        assert.strictEqual(describeDiff(d), "1 added (d), 2 changed (b, m), 1 removed (c)");
        assert.strictEqual(
            describeDiff({ added: ["x", "y", "z"], changed: [], removed: [] }, 2),
            "3 added (x, y, … 1 more), 0 changed, 0 removed",
        );
        assert.deepStrictEqual(diffManifests(news, news), { added: [], changed: [], removed: [] });
    });

    it("plans uploads, chmod-only changes and removals according to prune", () => {
        const owned: Manifest = { a: e("1"), b: e("2"), c: e("3"), m: e("4") };
        const news = { a: e("1"), b: e("9"), d: e("5"), m: e("4", "0755") };
        const p = planStored(owned, news, true);
        assert.deepStrictEqual(p.upload, ["b", "d"]);
        assert.deepStrictEqual(p.chmodOnly, ["m"]);
        assert.deepStrictEqual(p.removed, ["c"]);
        assert.deepStrictEqual(planStored(owned, news, false).removed, []);
    });

    it("validates relative paths so nothing is written outside the destination", () => {
        for (const bad of [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a/.",
            "a\0b",
            "a\r\nDELE x",
            "x".repeat(256),
        ]) {
            assert.ok(relativePathProblem(bad), `should refuse ${JSON.stringify(bad).slice(0, 40)}`);
            assert.throws(() => remotePathOf("/srv/site", bad), /outside \/srv\/site|refusing/);
        }
        assert.strictEqual(relativePathProblem("a/b c/.d"), undefined);
        assert.strictEqual(remotePathOf("/srv/site", "a/b"), "/srv/site/a/b");
        assert.strictEqual(remotePathOf("/", "a"), "/a");
    });

    it("lists the remote folders of a manifest, outermost first", () => {
        assert.deepStrictEqual(foldersOfStored("/d", { "x/y/z.txt": e("1"), "x/w.txt": e("2"), "top.txt": e("3") }), [
            "/d/x",
            "/d/x/y",
        ]);
        assert.strictEqual(modeFor("bin/run", { "bin/*": "755" }, 0o644), "0755");
    });
});
