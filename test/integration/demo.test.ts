/**
 * The README's first quick-start command, as a newcomer runs it: `bash scripts/demo.sh` in a clean copy of the
 * repository (no node_modules, no dist/). It installs what it needs, starts a local sshd, runs plain `pulumi up` of
 * the root Pulumi.yaml program, shows the files, previews with no changes and destroys. The engine is the cached one.
 */
import * as assert from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { copyCleanTree } from "../harness/packedPackage";

describe("the quick-start demo (bash scripts/demo.sh in a clean copy)", function () {
    let dir: string;

    before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-demo-test-"));
        copyCleanTree(dir);
    });

    after(function () {
        if (process.env.FILEDROP_KEEP_TEST_DIR === undefined) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("installs, deploys the quick start with plain pulumi up, previews clean, and destroys to an empty server", function () {
        this.timeout(15 * 60 * 1000);
        const r = spawnSync("bash", ["scripts/demo.sh"], {
            cwd: dir,
            encoding: "utf8",
            timeout: 14 * 60 * 1000,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const output = `${r.stdout}\n${r.stderr}`;
        assert.strictEqual(r.status, 0, output.slice(-4000));
        assert.match(output, /\$ pulumi up --yes --non-interactive/);
        assert.match(output, /\+ 3 created/, output.slice(-4000));
        // The server listing after up names the config file and the site's files (the draft page is excluded).
        const afterUp = output.slice(output.indexOf("=== on the server ==="), output.indexOf("=== a second preview"));
        assert.match(afterUp, /-rw-r----- .*\/etc\/app\.conf/);
        assert.match(afterUp, /\/site\/index\.html/);
        assert.match(afterUp, /\/site\/css\/site\.css/);
        assert.doesNotMatch(afterUp, /draft/);
        assert.match(output, /3 unchanged/);
        assert.match(output, /- 3 deleted/);
        // After destroy only the scratch root itself is left.
        const afterDestroy = output
            .slice(output.indexOf("=== on the server after destroy ==="))
            .trim()
            .split("\n")
            .slice(1);
        assert.strictEqual(
            afterDestroy.filter((l) => l.includes("/tmp/filedrop-demo-")).length,
            1,
            afterDestroy.join("\n"),
        );
    });
});
