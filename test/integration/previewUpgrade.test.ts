/**
 * Issue 11 item 2: a state written by the release before issue 11 (absolute source paths, no kept source text)
 * previews clean after the upgrade. The program is deployed with that release's package, then the current package
 * is installed over it in the same folder, as a user upgrades, and `pulumi preview --expect-no-changes` must pass;
 * a later edit previews as itself alone and deploys.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { lineEnv } from "../harness/engine";
import { packFromCleanTree } from "../harness/packedPackage";
import { previewProgram, resourceBlock } from "../harness/previewProgram";
import { npmInstall, packCommit } from "../harness/releasePackage";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

/** The last commit of main before issue 11: the layout of the state users have today. */
const RELEASE_BEFORE_ISSUE_11 = "ef6a5fca9cc98117b25e570e57baf2eef0695433";

describe("upgrade from a release that kept absolute source paths and no source text (preview)", function () {
    let w: World;
    let stack: TestStack;
    let programs: string;
    let dest: string;
    let settings: Record<string, unknown>;

    before(async function () {
        w = await getWorld();
        programs = path.join(w.dir, "upgrade-programs");
        const env = lineEnv(w.line);
        npmInstall(programs, [packCommit(RELEASE_BEFORE_ISSUE_11), `@pulumi/pulumi@${w.line.pulumiVersion}`], env);
        stack = new TestStack({ ...w, programsDir: programs }, "upgrade", previewProgram);
        const src = path.join(stack.dir, "src");
        fs.mkdirSync(path.join(src, "site", "css"), { recursive: true });
        for (let i = 0; i < 20; i++) {
            fs.writeFileSync(path.join(src, "site", `page${i}.html`), `<p>page ${i}</p>\n`);
        }
        fs.writeFileSync(path.join(src, "site", "css", "site.css"), "p { margin: 0 }\n");
        fs.writeFileSync(path.join(src, "app.conf"), "listen = 8080\nworkers = 4\n");
        fs.writeFileSync(path.join(src, "logo.bin"), Buffer.from([0, 1, 2, 255]));
        dest = remoteDir(w, "upgrade");
        settings = { connection: sshConnection(w), dest, token: "upgrade-token", secretSource: false };
        stack.setSettings(settings);
    });

    it("a state written by the earlier release previews clean with the current package", async function () {
        assert.deepStrictEqual((await stack.ok("up")).summary, { create: 6 });
        const conf = stack.resources("pulumi-nodejs:dynamic/filedrop:RemoteFile").find((r) => r.urn.endsWith("::conf"));
        assert.ok(path.isAbsolute(String(conf?.outputs.sourcePath)), "the earlier release kept absolute paths");
        npmInstall(programs, [packFromCleanTree().tarball], lineEnv(w.line));
        const r = await stack.ok("preview", ["--diff", "--expect-no-changes"]);
        assert.deepStrictEqual(r.summary, { same: 6 }, r.output);
        console.log(`      preview after the upgrade: ${r.output.trimEnd().split("\n").length} lines, no change`);
    });

    it("after the upgrade an edit previews as itself alone, and deploys", async function () {
        fs.writeFileSync(path.join(stack.dir, "src", "app.conf"), "listen = 8080\nworkers = 8\n");
        const r = await stack.ok("preview", ["--diff"]);
        assert.deepStrictEqual(r.summary, { same: 5, update: 1 }, r.output);
        const conf = resourceBlock(r.output, "conf").join("\n");
        assert.match(conf, /summary: "content changed: 26 → 26 bytes/, conf);
        assert.deepStrictEqual((await stack.ok("up")).summary, { same: 5, update: 1 });
        assert.strictEqual(fs.readFileSync(path.join(dest, "app.conf"), "utf8"), "listen = 8080\nworkers = 8\n");
    });

    it("after the upgrade a tree edit previews as itself alone, deploys, and the tree's state is packed (issue 22)", async function () {
        const [before] = stack.resources("pulumi-nodejs:dynamic/filedrop:RemoteTree");
        assert.strictEqual(typeof before.outputs.files, "object", "the earlier release kept the files as a map");
        fs.writeFileSync(path.join(stack.dir, "src", "site", "page3.html"), "<p>page 3, edited</p>\n");
        const r = await stack.ok("preview", ["--diff"]);
        assert.deepStrictEqual(r.summary, { same: 5, update: 1 }, r.output);
        const site = resourceBlock(r.output, "site").join("\n");
        assert.deepStrictEqual(
            [...site.matchAll(/\[\d+\]: "(.*)"/g)].map((m) => m[1]),
            ["page3.html (14 → 22 B)"],
            site,
        );
        assert.match(site, /summary: "1 changed"/, site);
        assert.deepStrictEqual((await stack.ok("up")).summary, { same: 5, update: 1 });
        assert.strictEqual(fs.readFileSync(path.join(dest, "site", "page3.html"), "utf8"), "<p>page 3, edited</p>\n");
        const [after] = stack.resources("pulumi-nodejs:dynamic/filedrop:RemoteTree");
        assert.match(String(after.outputs.files), /^fdm1:/, "what the tree owns is kept packed");
        assert.ok(!("manifest" in after.outputs), "once: the tree owns just what the program wants");
        assert.deepStrictEqual((await stack.ok("preview", ["--expect-no-changes"])).summary, { same: 6 });
    });
});
