/**
 * `pulumi import filedrop:index:RemoteFile <name> <id>` of a file already on the server, from a Pulumi YAML program
 * (the plugin folder of the packed package under `packages:`), through plain `pulumi` against the real sshd: the
 * code it prints, pasted into the program with the credential added (the import reads it from the environment, the
 * code never holds it), gives a clean preview; an up of a new content writes it, and destroy puts the file back as
 * it was before the import instead of deleting it. The steps build on each other, in order.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { setConfig } from "../harness/languageLifecycle";
import { installedPluginFolder } from "../harness/languageSite";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, type World } from "../harness/world";

describe("pulumi import of an existing remote file, from a Pulumi YAML program", function () {
    let w: World;
    let stack: TestStack;
    let file: string;
    let code: string;
    const original = "worker_processes 2;\n";

    before(async function () {
        w = await getWorld();
        file = path.join(remoteDir(w, "import"), "nginx.conf");
        fs.writeFileSync(file, original);
        fs.chownSync(file, w.uid, w.gid);
        const program = [
            "name: languages-import",
            "runtime: yaml",
            "packages:",
            `  filedrop: ${installedPluginFolder(w)}`,
            "config:",
            "  sshKey:",
            "    type: string",
            "    secret: true",
            "",
        ].join("\n");
        stack = new TestStack(w, "languages-import", { "Pulumi.yaml": program });
        await stack.select();
        await setConfig(stack, "sshKey", fs.readFileSync(w.sshd.privateKeyPath, "utf8"), true);
    });

    it("prints code that adopts the file; with the credential added, the program previews clean", async function () {
        const id = `sftp://${w.sshd.user}@${w.sshd.host}:${w.sshd.port}${file}`;
        // The credential and the pinned host key come from the importer's environment (docs/plugin.md), for this
        // command only: later commands must find what they need in the program and the state.
        Object.assign(stack.env, {
            FILEDROP_PRIVATE_KEY_FILE: w.sshd.privateKeyPath,
            FILEDROP_HOST_KEY: w.sshd.hostKeyFingerprint,
        });
        const r = await stack.runPulumi([
            "import",
            "filedrop:index:RemoteFile",
            "conf",
            id,
            "--yes",
            "--stack",
            "test",
        ]);
        delete stack.env.FILEDROP_PRIVATE_KEY_FILE;
        delete stack.env.FILEDROP_HOST_KEY;
        assert.strictEqual(r.code, 0, r.output);
        assert.ok(r.output.includes("= 1 imported"), r.output);
        assert.strictEqual(fs.readFileSync(file, "utf8"), original, "the import changed the file");
        const at = r.output.search(/^resources:$/m);
        assert.ok(at >= 0, `no code printed:\n${r.output}`);
        code = r.output.slice(at).trimEnd();
        assert.match(code, /type: filedrop:(index:)?RemoteFile/, code);
        assert.ok(code.includes(w.sshd.hostKeyFingerprint), code);
        assert.ok(!code.includes("PRIVATE KEY"), "the generated code holds the private key");
        // As the user does: paste the code, give the connection its credential from the secret config value.
        const pasted = code.replace(
            /^( *)connection:\n/m,
            (line, indent) => `${line}${indent}  privateKey: \${sshKey}\n`,
        );
        fs.appendFileSync(path.join(stack.dir, "Pulumi.yaml"), `${pasted}\n`);
        const p = await stack.ok("preview", ["--diff", "--expect-no-changes"]);
        assert.strictEqual(p.summary.same, 2, p.output);
    });

    it("an up of new content writes it, and destroy puts the file back as it was before the import", async function () {
        const yaml = path.join(stack.dir, "Pulumi.yaml");
        const text = fs.readFileSync(yaml, "utf8");
        const edited = text
            .replace(/^( *)content: \|\n *worker_processes 2;\n/m, '$1content: "worker_processes 4;\\n"\n')
            .replace(/^ *options:\n *protect: true\n?/m, "");
        assert.notStrictEqual(edited, text, "the pasted code has no content or protect line to edit");
        fs.writeFileSync(yaml, edited);
        const u = await stack.ok("up");
        assert.strictEqual(u.summary.update, 1, u.output);
        assert.strictEqual(fs.readFileSync(file, "utf8"), "worker_processes 4;\n");
        const d = await stack.ok("destroy");
        assert.strictEqual(d.summary.delete, 2, d.output);
        assert.strictEqual(fs.readFileSync(file, "utf8"), original, "destroy did not put the imported file back");
        const key = fs.readFileSync(w.sshd.privateKeyPath, "utf8").split("\n")[1];
        assert.ok(!stack.stateText().includes(key), "the private key appears in the state");
        assert.ok(!stack.outputs.join("\n").includes(key), "the private key appears in the CLI output");
    });
});
