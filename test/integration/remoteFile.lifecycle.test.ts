/**
 * The RemoteFile lifecycle through the real Pulumi CLI against real servers, once per target (targets.ts):
 * preview, up, no-op preview without a connection, update in place, metadata-only update, drift on refresh and its
 * repair, replace on path change, adoption with restore, destroy back to the original server state.
 * The steps build on each other, in order.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { targets } from "../harness/targets";
import { getWorld, remoteDir, snapshot, type World } from "../harness/world";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

for (const target of targets()) {
    describe(`RemoteFile lifecycle over ${target.name}`, function () {
        let w: World;
        let stack: TestStack;
        let root: string;
        let baseline: Record<string, string>;
        let files: Record<string, unknown>[];
        let bigSource: string;
        const secretText = `secret-${randomBytes(8).toString("hex")}`;
        const adopted = () => path.join(root, "etc", "adopted.conf");

        const settings = () => ({ connection: target.connection(w), files });
        const find = (name: string) => files.find((f) => f.name === name)!;

        before(async function () {
            w = await getWorld();
            await target.prepare();
            root = remoteDir(w, target.name.replace(/\W+/g, "-"));
            // A file that exists before the stack: the stack adopts it and must put it back on destroy.
            fs.mkdirSync(path.join(root, "etc"));
            fs.writeFileSync(adopted(), "original content\n");
            fs.chownSync(path.join(root, "etc"), w.uid, w.gid);
            fs.chownSync(adopted(), w.uid, w.gid);
            baseline = snapshot(root);
            const localDir = fs.mkdtempSync(path.join(w.dir, "src-"));
            bigSource = path.join(localDir, "big.bin");
            fs.writeFileSync(bigSource, randomBytes(8 << 20));
            files = [
                { name: "text", path: path.join(root, "a", "b", "hello.txt"), content: "hello world\n", mode: "0640" },
                { name: "empty", path: path.join(root, "empty.txt"), content: "" },
                { name: "big", path: path.join(root, "data", "big.bin"), sourceAsset: bigSource },
                {
                    name: "secret",
                    path: path.join(root, "secret.env"),
                    content: `TOKEN=${secretText}\n`,
                    secret: true,
                    mode: "0600",
                },
                { name: "adopt", path: adopted(), content: "managed content\n", onDelete: "restore" },
            ];
            stack = new TestStack(w, `lifecycle-${target.name.replace(/\W+/g, "-").toLowerCase()}`, remoteFilesProgram);
            stack.setSettings(settings());
        });

        it("previews a new stack as creates and writes nothing", async function () {
            const r = await stack.ok("preview");
            assert.strictEqual(r.summary.create, files.length + 1, r.output);
            assert.deepStrictEqual(snapshot(root), baseline);
        });

        it("up writes the exact bytes, the mode, and verifies them", async function () {
            const r = await stack.ok("up");
            assert.strictEqual(r.summary.create, files.length + 1, r.output);
            assert.strictEqual(fs.readFileSync(find("text").path as string, "utf8"), "hello world\n");
            assert.strictEqual(fs.statSync(find("empty").path as string).size, 0);
            assert.strictEqual(sha(fs.readFileSync(find("big").path as string)), sha(fs.readFileSync(bigSource)));
            assert.strictEqual(fs.readFileSync(adopted(), "utf8"), "managed content\n");
            if (target.supportsMode) {
                assert.strictEqual(fs.statSync(find("text").path as string).mode & 0o777, 0o640);
                assert.strictEqual(fs.statSync(find("secret").path as string).mode & 0o777, 0o600);
            }
            const outs = stack.resources("pulumi-nodejs:dynamic/filedrop:RemoteFile");
            const adoptOuts = outs.find((o) => o.urn.endsWith("::adopt"))!.outputs;
            assert.strictEqual(adoptOuts.existedBefore, true);
            assert.strictEqual(adoptOuts.previousSha256, sha("original content\n"));
            const text = outs.find((o) => o.urn.endsWith("::text"))!.outputs;
            assert.strictEqual(text.sha256, sha("hello world\n"));
            assert.match(String(text.verifiedBy), /ssh exec|HASH|read-back/);
            // The provider is stored as one require of its module (provider/providers/), not as its methods' text.
            assert.match(
                String(text.__provider),
                /require\("pulumi-filedrop\/dist\/provider\/providers\/remoteFile(\.js)?"\)/,
            );
            assert.ok(String(text.__provider).length < 1000, `__provider is ${String(text.__provider).length} chars`);
            // No temporary is left next to any target.
            for (const f of files) {
                const leftovers = fs
                    .readdirSync(path.dirname(f.path as string))
                    .filter((n) => /\.filedrop-[0-9a-f]+$/.test(n));
                assert.deepStrictEqual(leftovers, [], `temporaries left in ${path.dirname(f.path as string)}`);
            }
        });

        it("a second preview reports no changes and opens no connection (server frozen)", async function () {
            const pid = target.serverPid(w);
            process.kill(pid, "SIGSTOP");
            try {
                const r = await stack.ok("preview", ["--expect-no-changes"]);
                assert.strictEqual(r.summary.same, files.length + 1, r.output);
            } finally {
                process.kill(pid, "SIGCONT");
            }
        });

        it("never writes the password, the private key or secret content in clear text (state and CLI output)", async function () {
            await stack.ok("preview", ["--diff"]);
            const conn = target.connection(w);
            const state = stack.stateText();
            const output = stack.outputs.join("\n");
            assert.ok(state.length > 1000, "state file not found");
            assert.ok(output.includes("filedrop:RemoteFile"), "the CLI output was not captured");
            for (const secret of [conn.password, conn.privateKey, secretText].filter(
                (s): s is string => typeof s === "string",
            )) {
                const probe = secret.includes("PRIVATE KEY") ? secret.split("\n")[1] : secret;
                assert.ok(!state.includes(probe), "a secret appears in the state file");
                assert.ok(!output.includes(probe), "a secret appears in the CLI output");
            }
        });

        it("a content change is an in-place update of that file only", async function () {
            find("text").content = "hello again\n";
            stack.setSettings(settings());
            const ino = fs.statSync(find("big").path as string).ino;
            const r = await stack.ok("up");
            assert.strictEqual(r.summary.update, 1, r.output);
            assert.ok(!r.summary.replace, r.output);
            assert.strictEqual(fs.readFileSync(find("text").path as string, "utf8"), "hello again\n");
            assert.strictEqual(
                fs.statSync(find("big").path as string).ino,
                ino,
                "an unchanged file was uploaded again",
            );
        });

        it("a mode-only change updates without uploading again", async function () {
            if (!target.supportsMode) {
                return this.skip();
            }
            const p = find("text").path as string;
            const ino = fs.statSync(p).ino;
            find("text").mode = "0604";
            stack.setSettings(settings());
            const r = await stack.ok("up");
            assert.strictEqual(r.summary.update, 1, r.output);
            assert.strictEqual(fs.statSync(p).mode & 0o777, 0o604);
            assert.strictEqual(fs.statSync(p).ino, ino, "the file was uploaded again for a mode change");
        });

        it("refresh reports a file edited or deleted out of band, and up repairs both", async function () {
            fs.writeFileSync(find("text").path as string, "tampered\n");
            fs.unlinkSync(find("empty").path as string);
            const r = await stack.ok("refresh");
            assert.strictEqual(r.summary.update, 2, r.output);
            const p = await stack.ok("preview");
            assert.strictEqual(p.summary.update, 2, p.output);
            await stack.ok("up");
            assert.strictEqual(fs.readFileSync(find("text").path as string, "utf8"), "hello again\n");
            assert.ok(fs.existsSync(find("empty").path as string));
            await stack.ok("preview", ["--expect-no-changes"]);
        });

        it("a path change replaces the file and removes the old one", async function () {
            const old = find("secret").path as string;
            find("secret").path = path.join(root, "moved", "secret.env");
            stack.setSettings(settings());
            const r = await stack.ok("up");
            assert.strictEqual(r.summary.replace, 1, r.output);
            assert.ok(!fs.existsSync(old), "old file left behind");
            assert.strictEqual(fs.readFileSync(find("secret").path as string, "utf8"), `TOKEN=${secretText}\n`);
        });

        it("destroy removes what the stack made, restores the adopted file, and tolerates a file already gone", async function () {
            fs.unlinkSync(find("big").path as string);
            const r = await stack.ok("destroy");
            assert.strictEqual(r.summary.delete, files.length + 1, r.output);
            assert.deepStrictEqual(snapshot(root), baseline);
            assert.strictEqual(fs.readFileSync(adopted(), "utf8"), "original content\n");
        });
    });
}
