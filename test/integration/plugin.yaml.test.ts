/**
 * The `filedrop` plugin from a Pulumi YAML program, through the packed package, against the real sshd (issue 21):
 * `packages:` names ./node_modules/pulumi-filedrop/plugin, a RemoteFile is created with a secret content and a
 * password, the state holds neither in clear, an unchanged preview is clean, destroy removes the file; then
 * `pulumi import` adopts an existing file (the credential from the environment), the generated code is usable as it
 * is, and destroy puts the file back as it was. The full YAML/Python lifecycle suites are the i21-langs tests.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnectionCount, type World } from "../harness/world";

/** The plugin folder as a user names it, from a program folder below the world's programs folder. */
const PLUGIN = "../node_modules/pulumi-filedrop/plugin";

describe("the filedrop plugin from a YAML program (packed package, sshd)", function () {
    let w: World;
    let stack: TestStack;
    let dest: string;
    const secretText = "db_password = s3cr3t-yaml-content\n";

    before(async function () {
        w = await getWorld();
        const host = path.join(w.line.engineBin, "pulumi-language-yaml");
        assert.ok(fs.existsSync(host), `no YAML language host at ${host}: scripts/engine.sh builds it`);
        stack = new TestStack(w, "pluginyaml", "");
        fs.rmSync(path.join(stack.dir, "index.js"));
        dest = remoteDir(w, "pluginyaml");
    });

    /** The program: one RemoteFile with a secret content, logged in with the password from the stack's config. */
    function writeProgram(resources: string): void {
        fs.writeFileSync(
            path.join(stack.dir, "Pulumi.yaml"),
            [
                "name: pluginyaml",
                "runtime: yaml",
                "packages:",
                `  filedrop: ${PLUGIN}`,
                "config:",
                "  pw:",
                "    type: string",
                "    secret: true",
                "resources:",
                resources,
            ].join("\n"),
        );
    }

    const connection = () =>
        [
            "      connection:",
            `        host: ${w.sshd.host}`,
            `        port: ${w.sshd.port}`,
            `        user: ${w.sshd.user}`,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a YAML interpolation of the stack's config
            "        password: ${pw}",
            `        knownHosts: ${w.sshd.knownHostsPath}`,
        ].join("\n");

    it("creates a RemoteFile, keeps its secrets out of the state, previews clean and destroys it", async function () {
        writeProgram(
            [
                "  secretConf:",
                "    type: filedrop:index:RemoteFile",
                "    properties:",
                connection(),
                `      path: ${dest}/app.conf`,
                "      mode: '0600'",
                "      content:",
                `        fn::secret: ${JSON.stringify(secretText)}`,
            ].join("\n"),
        );
        await stack.select();
        const set = await stack.runPulumi(["config", "set", "--secret", "pw", w.sshd.password, "--stack", "test"]);
        assert.strictEqual(set.code, 0, set.output);
        const up = await stack.ok("up");
        assert.deepStrictEqual(up.summary, { create: 2 }, up.output);
        assert.strictEqual(fs.readFileSync(path.join(dest, "app.conf"), "utf8"), secretText);
        assert.strictEqual(fs.statSync(path.join(dest, "app.conf")).mode & 0o777, 0o600);

        const state = stack.stateText();
        for (const secret of [w.sshd.password, "s3cr3t-yaml-content"]) {
            assert.ok(!state.includes(secret), `the state holds ${secret.slice(0, 6)}… in clear`);
            assert.ok(!stack.outputs.join("\n").includes(secret), `the output shows ${secret.slice(0, 6)}…`);
        }
        const [file] = stack.resources("filedrop:index:RemoteFile");
        for (const key of ["credentials", "content", "sha256", "writtenSha256"]) {
            const v = file.outputs[key] as Record<string, unknown> | undefined;
            assert.ok(
                v !== undefined && "ciphertext" in v,
                `${key} is not a secret in the state: ${JSON.stringify(v)}`,
            );
        }
        console.log(`      state: ${state.length} bytes, no password, no content in clear`);

        const connections = sshConnectionCount(w);
        const again = await stack.ok("preview", ["--expect-no-changes"]);
        assert.deepStrictEqual(again.summary, { same: 2 }, again.output);
        assert.strictEqual(sshConnectionCount(w), connections, "the preview of an unchanged stack connected");

        const down = await stack.ok("destroy");
        assert.deepStrictEqual(down.summary, { delete: 2 }, down.output);
        assert.ok(!fs.existsSync(path.join(dest, "app.conf")), "destroy left the file");
    });

    it("`pulumi import` adopts an existing file; the generated code deploys; destroy puts the file back", async function () {
        const existing = path.join(dest, "existing.conf");
        const before = "server = existing\nport = 80\n";
        fs.writeFileSync(existing, before);
        fs.chownSync(existing, w.uid, w.gid);
        writeProgram("  {}");
        const id = `sftp://${w.sshd.user}@${w.sshd.host}:${w.sshd.port}${existing}`;
        const gen = path.join(stack.dir, "generated.yaml");
        process.env.FILEDROP_PASSWORD = w.sshd.password;
        process.env.FILEDROP_HOST_KEY = w.sshd.hostKeyFingerprint; // pinned in the generated code
        let imported: { code: number; output: string };
        try {
            imported = await stack.runPulumi([
                "import",
                "filedrop:index:RemoteFile",
                "existing",
                id,
                "--yes",
                "--non-interactive",
                "--stack",
                "test",
                "--out",
                gen,
            ]);
        } finally {
            delete process.env.FILEDROP_PASSWORD;
            delete process.env.FILEDROP_HOST_KEY;
        }
        assert.strictEqual(imported.code, 0, imported.output);
        // The adoption's warning reaches the user (through the engine's log: a plugin's stderr is not shown).
        assert.match(imported.output, /warning: filedrop: .*existing\.conf already existed; this stack now manages it/);
        const code = fs.readFileSync(gen, "utf8");
        console.log(`      generated:\n${code.replace(/^/gm, "        ")}`);
        assert.match(code, /content: \|\n\s+server = existing\n\s+port = 80\n/);
        assert.ok(!code.includes(w.sshd.password), "the generated code holds the password");
        assert.ok(code.includes(`hostKey: ${w.sshd.hostKeyFingerprint}`), "the pinned host key is not in the code");

        // The generated resource with the program's credential, unprotected, and a change of content.
        const resource = code
            .replace(/^resources:\n/, "")
            .replace(/protect: true/, "protect: false")
            .replace(`user: ${w.sshd.user}`, `user: ${w.sshd.user}\n        password: \${pw}`);
        writeProgram(resource);
        const clean = await stack.ok("preview", ["--expect-no-changes"]);
        assert.deepStrictEqual(clean.summary, { same: 2 }, clean.output);
        writeProgram(resource.replace("port = 80", "port = 8080"));
        const up = await stack.ok("up");
        assert.deepStrictEqual(up.summary, { same: 1, update: 1 }, up.output);
        assert.strictEqual(fs.readFileSync(existing, "utf8"), "server = existing\nport = 8080\n");
        await stack.ok("destroy");
        assert.strictEqual(fs.readFileSync(existing, "utf8"), before, "destroy did not put the imported file back");
    });
});
