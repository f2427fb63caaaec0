/**
 * Issue 11: a preview a reviewer can read, through the real CLI (`pulumi preview --diff`) against the test sshd.
 * One stack with a 1000-file RemoteTree, text, binary and secret RemoteFiles and a RemoteDirectory, in order:
 * six tree changes, a text edit, a binary edit and two secret edits in one preview; the same stack previewed from a
 * second checkout folder; a key rotation (preview, then an `up` that uploads nothing); a preview without any
 * credential (and an `up` that refuses). Each preview's block is printed with its line count.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { previewProgram, resourceBlock } from "../harness/previewProgram";
import { type RunResult, TestStack } from "../harness/stack";
import { getWorld, REPO, remoteDir, sshConnection, type World } from "../harness/world";

/** The Markdown that examples/gitops-preview/summarize.js makes of a `pulumi preview --json` run's stdout. */
function gitopsSummary(run: RunResult): string {
    const json = /^\{[\s\S]*^\}$/m.exec(run.output);
    assert.ok(json, run.output.slice(0, 2000));
    const script = path.join(REPO, "examples", "gitops-preview", "summarize.js");
    return execFileSync(process.execPath, [script], { input: json[0], encoding: "utf8" });
}

function show(title: string, lines: string[]): void {
    console.log(`      --- ${title}: ${lines.length} lines`);
    for (const l of lines) {
        console.log(`      | ${l}`);
    }
}

describe("preview for a reviewer", function () {
    let w: World;
    let stack: TestStack;
    let dest: string;
    let src: string;
    let settings: Record<string, unknown>;
    const edited = ["d0/f000.txt", "d1/f101.txt", "d2/f202.txt"];
    const added = ["d3/new-a.txt", "fresh/new-b.txt"];
    const deleted = "d4/f404.txt";
    const confLines = (ten: string) =>
        `${Array.from({ length: 30 }, (_, i) => (i === 10 ? ten : `setting_${i} = ${i}`)).join("\n")}\n`;
    const inode = (rel: string) => fs.statSync(path.join(dest, rel)).ino;

    before(async function () {
        w = await getWorld();
        dest = remoteDir(w, "preview");
        stack = new TestStack(w, "preview", previewProgram);
        src = path.join(stack.dir, "src");
        for (let d = 0; d < 10; d++) {
            fs.mkdirSync(path.join(src, "site", `d${d}`), { recursive: true });
            for (let f = 0; f < 100; f++) {
                const n = d * 100 + f;
                const name = `f${String(n).padStart(3, "0")}.txt`;
                fs.writeFileSync(path.join(src, "site", `d${d}`, name), `file ${n}\n`.repeat(1 + (n % 7)));
            }
        }
        fs.writeFileSync(path.join(src, "app.conf"), confLines("listen = 8080"));
        fs.writeFileSync(path.join(src, "logo.bin"), Buffer.from([0, 1, 2, 3, 0, 255, 254]));
        fs.writeFileSync(path.join(src, "app.env"), "DB_PASSWORD=first-hunter2\n");
        settings = { connection: sshConnection(w), dest, token: "token-one-s3cret" };
        stack.setSettings(settings);
        await stack.ok("up");
    });

    it("one preview: 6 changes in a 1000-file tree, a text edit, a binary edit, two secrets", async function () {
        for (const rel of edited) {
            fs.appendFileSync(path.join(src, "site", rel), "edited\n");
        }
        fs.writeFileSync(path.join(src, "site", added[0]), "new a\n");
        fs.mkdirSync(path.join(src, "site", "fresh"));
        fs.writeFileSync(path.join(src, "site", added[1]), "new b\n");
        fs.unlinkSync(path.join(src, "site", deleted));
        fs.writeFileSync(path.join(src, "app.conf"), confLines("listen = 9090"));
        fs.writeFileSync(path.join(src, "logo.bin"), Buffer.from([0, 1, 2, 3, 0, 255, 254, 253]));
        fs.writeFileSync(path.join(src, "app.env"), "DB_PASSWORD=second-hunter3\n");
        settings = { ...settings, token: "token-two-s3cret" };
        stack.setSettings(settings);
        const r = await stack.ok("preview", ["--diff"]);
        assert.deepStrictEqual(r.summary, { same: 2, update: 5 }, r.output);
        console.log(`      whole preview --diff: ${r.output.trimEnd().split("\n").length} lines`);

        const tree = resourceBlock(r.output, "site");
        show("RemoteTree, 6 changes in 1000 files", tree);
        const text = tree.join("\n");
        assert.ok(tree.length <= 40, text);
        assert.ok(/~ manifest \(hidden\)/.test(text), text);
        // No unchanged file: no other path of the tree, and no per-file hash at all.
        assert.ok(!/f00[1-9]\.txt|sha256/.test(text), text);
        const entries = [...text.matchAll(/\[\d+\]: "(.*)"/g)].map((m) => m[1]);
        assert.deepStrictEqual(entries, [
            "d3/new-a.txt (6 B)",
            "fresh/new-b.txt (6 B)",
            "d0/f000.txt (7 → 14 B)",
            "d1/f101.txt (36 → 43 B)",
            "d2/f202.txt (63 → 70 B)",
            "d4/f404.txt (54 B)",
        ]);
        assert.match(text, /summary: "3 changed, 2 added, 1 removed"/);

        const conf = resourceBlock(r.output, "conf");
        show("RemoteFile, changed text source", conf);
        const confText = conf.join("\n");
        assert.match(confText, /^\s+- listen = 8080$/m);
        assert.match(confText, /^\s+\+ listen = 9090$/m);
        assert.match(confText, /summary\s*: "content: 1 line added, 1 removed \(30 → 30 lines\)"/);
        assert.match(confText, /linesAdded\s*: 1/);
        assert.ok(!/setting_0 = 0|setting_20 = 20/.test(confText), "only lines near the change are shown");
        assert.ok(!/sourcePath\s*:\s*"\//.test(confText), "sourcePath is relative");

        const logo = resourceBlock(r.output, "logo");
        show("RemoteFile, changed binary source", logo);
        assert.match(logo.join("\n"), /content changed: 7 → 8 bytes, sha256 [0-9a-f]{12}… → [0-9a-f]{12}…/);
        assert.ok(!/sourceText/.test(logo.join("\n")));

        for (const name of ["token", "env"]) {
            const b = resourceBlock(r.output, name);
            show(`RemoteFile, changed secret (${name})`, b);
            assert.match(b.join("\n"), /\+ changes\s*: \{\n\s+\+ summary: "content changed \(secret: not shown\)"/);
        }
        for (const secret of ["token-one-s3cret", "token-two-s3cret", "hunter2", "hunter3"]) {
            assert.ok(!r.output.includes(secret), `${secret} shown`);
        }
        assert.strictEqual(resourceBlock(r.output, "logs").length, 0, "the directory does not change");
        const markdown = gitopsSummary(await stack.ok("preview", ["--json"]));
        show("examples/gitops-preview summary of the same preview (pulumi preview --json)", markdown.split("\n"));
        assert.match(markdown, /^### pulumi-filedrop preview: 5 to update$/m);
        assert.match(
            markdown,
            /^\| ~ \| RemoteTree `site` \| sftp:\/\/filedrop@127\.0\.0\.1:\d+ \| `[^`]*\/site` \| 3 changed, 2 added, 1 removed \|/m,
        );
        assert.match(
            markdown,
            /^\| ~ \| RemoteFile `conf` \| .* \| content: 1 line added, 1 removed \(30 → 30 lines\) \| \+1 −1 \|$/m,
        );
        assert.match(markdown, /^\| ~ \| RemoteFile `token` \| .* \| content changed \(secret: not shown\) \|/m);
        assert.match(markdown, /^- `~ d1\/f101\.txt \(36 → 43 B\)`$/m);
        assert.strictEqual(markdown.match(/^- `[-+~] /gm)?.length, 6);
        assert.ok(!/hunter|s3cret|logs/.test(markdown), markdown);
        await stack.ok("up");
        assert.ok(!stack.stateText().includes("hunter3"), "the secret file's text is encrypted in the state");
        assert.strictEqual(fs.readFileSync(path.join(dest, "app.conf"), "utf8"), confLines("listen = 9090"));
    });

    it("the same stack previewed from a second checkout folder shows no change", async function () {
        const other = new TestStack(w, "preview-second-checkout", previewProgram);
        fs.writeFileSync(path.join(other.dir, "Pulumi.yaml"), fs.readFileSync(path.join(stack.dir, "Pulumi.yaml")));
        fs.cpSync(src, path.join(other.dir, "src"), { recursive: true });
        fs.cpSync(stack.stateDir, other.stateDir, { recursive: true });
        other.setSettings(settings);
        const r = await other.ok("preview", ["--diff", "--expect-no-changes"]);
        const lines = r.output.trimEnd().split("\n");
        show("second checkout", lines);
        assert.deepStrictEqual(r.summary, { same: 7 }, r.output);
        assert.ok(!r.output.includes(`${stack.dir}/`), "no path of the first checkout");
    });

    it("a key rotation previews as a credentials change, and up uploads nothing", async function () {
        const before = [inode("app.conf"), inode("site/d5/f555.txt"), inode("token")];
        settings = {
            ...settings,
            connection: sshConnection(w, {
                privateKey: fs.readFileSync(w.sshd.encryptedKeyPath, "utf8"),
                privateKeyPassword: w.sshd.encryptedKeyPassphrase,
            }),
        };
        stack.setSettings(settings);
        const r = await stack.ok("preview", ["--diff"]);
        assert.deepStrictEqual(r.summary, { same: 1, update: 6 }, r.output);
        const conf = resourceBlock(r.output, "conf");
        show("key rotation (one RemoteFile)", conf);
        console.log(`      whole key rotation preview --diff: ${r.output.trimEnd().split("\n").length} lines`);
        for (const name of ["logs", "site", "conf", "logo", "token", "env"]) {
            assert.match(
                resourceBlock(r.output, name).join("\n"),
                /summary\s*: "credentials changed(; nothing is uploaded)?"/,
                name,
            );
        }
        assert.ok(!/ [-+~] (sha256|content|sourceText)/.test(r.output), r.output);
        assert.deepStrictEqual((await stack.ok("up")).summary, { same: 1, update: 6 });
        assert.deepStrictEqual([inode("app.conf"), inode("site/d5/f555.txt"), inode("token")], before);
    });

    it("without any credential, preview works and says so once; up refuses", async function () {
        const {
            privateKey: _k,
            privateKeyPassword: _p,
            ...noCredential
        } = settings.connection as Record<string, unknown>;
        fs.writeFileSync(path.join(src, "app.conf"), confLines("listen = 7070"));
        stack.setSettings({ ...settings, connection: noCredential });
        const r = await stack.ok("preview", ["--diff"]);
        const lines = r.output.trimEnd().split("\n");
        show("credential-free preview", lines);
        assert.deepStrictEqual(r.summary, { same: 6, update: 1 }, r.output);
        assert.strictEqual(r.output.match(/no credential is given/g)?.length, 1, r.output);
        assert.match(resourceBlock(r.output, "conf").join("\n"), /content: 1 line added, 1 removed/);
        const up = await stack.run("up");
        assert.notStrictEqual(up.code, 0, up.output);
        assert.match(up.output, /has no credential/);
        assert.strictEqual(fs.readFileSync(path.join(dest, "app.conf"), "utf8"), confLines("listen = 9090"));
    });
});
