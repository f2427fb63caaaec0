/**
 * The lifecycle of the four resources from a program in another language than JavaScript (languages.yaml.test.ts,
 * languages.python.test.ts), through plain `pulumi` and the provider plugin of the packed package, on the real
 * OpenSSH and on vsftpd over explicit FTPS at once (languageSite.ts): preview, up, a preview of the unchanged stack
 * that opens no connection, refresh finding drift made by hand on the server, up of a change (config and a local
 * file), no secret in clear in the state or the output, destroy. One stack, as few CLI runs as prove these; the
 * steps build on each other, in order.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { countFtpConnections, worldFtpServers } from "./ftpServers";
import {
    ASSETS,
    CONF,
    GREETINGS,
    installedPluginFolder,
    MOTD,
    SITE_RESOURCES,
    type SiteServer,
    sitePaths,
    siteServers,
} from "./languageSite";
import { addPackage, pythonProgram } from "./pythonProgram";
import { TestStack } from "./stack";
import { getWorld, snapshot, sshConnectionCount, type World } from "./world";
import { yamlProgram } from "./yamlProgram";

export type Language = "yaml" | "python";

/** Makes the program of `language` for `servers` in a new stack, its package added and its config set. */
export async function languageStack(
    w: World,
    language: Language,
    name: string,
    servers: SiteServer[],
): Promise<TestStack> {
    const host = path.join(w.line.engineBin, `pulumi-language-${language}`);
    if (!fs.existsSync(host)) {
        throw new Error(`no ${language} language host at ${host}: scripts/engine.sh builds it (Pulumi 3.248.0 only)`);
    }
    const plugin = installedPluginFolder(w);
    const files = language === "yaml" ? yamlProgram(name, plugin, servers) : pythonProgram(name, servers);
    const stack = new TestStack(w, name, files);
    if (language === "python") {
        await addPackage(stack, w, plugin);
    }
    await stack.select();
    await setConfig(stack, "greeting", GREETINGS[0]);
    for (const s of servers) {
        await setConfig(stack, `${s.prefix}Secret`, s.secret, true);
    }
    return stack;
}

/** `pulumi config set [--secret] key -- value` (the value may start with a dash, as a PEM key does). */
export async function setConfig(stack: TestStack, key: string, value: string, secret = false): Promise<void> {
    const r = await stack.runPulumi(["config", "set", ...(secret ? ["--secret"] : []), key, "--", value]);
    if (r.code !== 0) {
        throw new Error(`pulumi config set ${key} failed (exit ${r.code}):\n${r.output}`);
    }
}

/** Declares the lifecycle suite of one language. */
export function describeLanguageLifecycle(language: Language): void {
    describe(`the four resources from a ${language === "yaml" ? "Pulumi YAML" : "Python"} program, over SFTP and FTPS`, function () {
        let w: World;
        let stack: TestStack;
        let servers: SiteServer[];
        let baselines: Record<string, string>[];
        const count = Object.keys(SITE_RESOURCES).length * 2 + 1; // both servers' resources and the stack
        const logins = () => [sshConnectionCount(w), countFtpConnections(worldFtpServers().vsftpdExplicit)];
        const assetsDir = () => path.join(stack.dir, "assets");

        before(async function () {
            w = await getWorld();
            servers = await siteServers(w, language);
            baselines = servers.map((s) => snapshot(s.root));
            stack = await languageStack(w, language, `languages-${language}`, servers);
        });

        it("preview lists every resource to create and writes nothing", async function () {
            const r = await stack.ok("preview", ["--diff"]);
            assert.strictEqual(r.summary.create, count, r.output);
            for (const [i, s] of servers.entries()) {
                assert.deepStrictEqual(snapshot(s.root), baselines[i], s.prefix);
            }
        });

        it("up deploys the folder, the page, the tree and the adopted file, and downloads the motd", async function () {
            const r = await stack.ok("up");
            assert.strictEqual(r.summary.create, count, r.output);
            for (const s of servers) {
                const p = sitePaths(s);
                assert.strictEqual(fs.readFileSync(p.page, "utf8"), GREETINGS[0], s.prefix);
                assert.strictEqual(fs.statSync(p.page).mode & 0o777, 0o644, s.prefix);
                for (const [rel, text] of Object.entries(ASSETS)) {
                    assert.strictEqual(fs.readFileSync(path.join(p.assets, rel), "utf8"), text, `${s.prefix} ${rel}`);
                }
                assert.strictEqual(fs.readFileSync(p.conf, "utf8"), CONF.managed, s.prefix);
            }
            const out = await stack.runPulumi(["stack", "output", "--json", "--show-secrets"]);
            const outputs = JSON.parse(out.output.slice(out.output.indexOf("{")));
            for (const s of servers) {
                assert.strictEqual(outputs[`${s.prefix}Motd`], MOTD, s.prefix);
            }
        });

        it("a preview of the unchanged stack reports no change and opens no connection", async function () {
            const before = logins();
            const r = await stack.ok("preview", ["--diff", "--expect-no-changes"]);
            assert.strictEqual(r.summary.same, count, r.output);
            assert.deepStrictEqual(logins(), before, "the preview logged in to a server");
        });

        it("refresh reports a page edited and an asset deleted by hand on the servers", async function () {
            const [sftp, ftps] = servers.map(sitePaths);
            fs.writeFileSync(sftp.page, "defaced\n");
            fs.unlinkSync(path.join(ftps.assets, "js", "app.js"));
            const r = await stack.ok("refresh");
            assert.strictEqual(r.summary.update, 2, r.output);
            assert.match(r.output, /~ +filedrop:index:RemoteFile +sftpPage /, r.output);
            assert.match(r.output, /~ +filedrop:index:RemoteTree +ftpsAssets /, r.output);
        });

        it("up of a changed config value and local file updates both servers and repairs the drift", async function () {
            await setConfig(stack, "greeting", GREETINGS[1]);
            fs.writeFileSync(path.join(assetsDir(), "app.css"), "body { color: #000 }\n");
            const r = await stack.ok("up");
            assert.strictEqual(r.summary.update, 4, r.output); // both pages, both trees
            for (const s of servers) {
                const p = sitePaths(s);
                assert.strictEqual(fs.readFileSync(p.page, "utf8"), GREETINGS[1], s.prefix);
                assert.strictEqual(fs.readFileSync(path.join(p.assets, "app.css"), "utf8"), "body { color: #000 }\n");
                assert.strictEqual(fs.readFileSync(path.join(p.assets, "js", "app.js"), "utf8"), ASSETS["js/app.js"]);
            }
        });

        it("never writes the private key or the FTPS password in clear text (state and CLI output)", async function () {
            const state = stack.stateText();
            const output = stack.outputs.join("\n");
            assert.ok(state.includes("filedrop:index:RemoteFile"), "state file not found");
            assert.ok(output.includes("sftpPage"), "the CLI output was not captured");
            for (const s of servers) {
                const probe = s.secret.includes("PRIVATE KEY") ? s.secret.split("\n")[1] : s.secret;
                assert.ok(!state.includes(probe), `the ${s.secretField} of ${s.prefix} appears in the state`);
                assert.ok(!output.includes(probe), `the ${s.secretField} of ${s.prefix} appears in the CLI output`);
            }
        });

        it("destroy removes what the stack made and restores the adopted file", async function () {
            const r = await stack.ok("destroy");
            assert.strictEqual(r.summary.delete, count, r.output);
            for (const [i, s] of servers.entries()) {
                assert.deepStrictEqual(snapshot(s.root), baselines[i], s.prefix);
                assert.strictEqual(fs.readFileSync(sitePaths(s).conf, "utf8"), CONF.before, s.prefix);
            }
        });
    });
}
