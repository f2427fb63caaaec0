/** modesOf: a tree's `modes` patterns compiled once, with modeFor's rules (plan/treeManifest.ts, issue 13). */
import * as assert from "node:assert";
import { modeFor, modesOf } from "../../../provider/plan/treeManifest";

describe("plan/treeManifest: modesOf", function () {
    it("the first matching pattern in the order given wins, else the local exec bit decides", function () {
        const modes = { "bin/**": "0750", "**/*.sh": "700", "**": "00640" };
        const m = modesOf(modes);
        for (const [rel, local, want] of [
            ["bin/run.sh", 0o644, "0750"],
            ["tools/x.sh", 0o644, "0700"],
            ["index.html", 0o755, "0640"],
            [".hidden/a", 0o644, "0640"],
        ] as const) {
            assert.strictEqual(m(rel, local), want, rel);
            assert.strictEqual(modeFor(rel, modes, local), want, rel);
        }
        assert.strictEqual(modesOf(undefined)("a", 0o755), "0755");
        assert.strictEqual(modesOf({})("a", 0o600), "0644");
    });

    it("a mode check refuses still gives what modeFor gave (check reports it before any upload)", function () {
        const modes = { "*.conf": "rwx", "**": "0644" };
        assert.strictEqual(modesOf(modes)("a.txt", 0o644), "0644");
        assert.strictEqual(modesOf(modes)("a.conf", 0o644), modeFor("a.conf", modes, 0o644));
    });
});
