/**
 * examples/nginx-site as a user runs it (issue 10 items 1-3): a real nginx (Debian's nginx-light), reached over the
 * test sshd; the site config and a TLS certificate/key pair put there by pulumi-filedrop, the whole configuration
 * checked with `nginx -t` in place, nginx reloaded by @pulumi/command's remote.Command (its plugin built beside the
 * CLI) only when a file changed, a broken config refused with the old site still serving, and destroy removing
 * the site and reloading. The evidence (pages, reload counts, the refusal) is printed as the test goes.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { setConfig } from "../harness/examples";
import { nginxSiteStack, pageWhen, says } from "../harness/nginxSite";
import { fetchPage, type Nginx } from "../harness/servers/nginx";
import type { CertFiles } from "../harness/servers/tlsCerts";
import type { TestStack } from "../harness/stack";
import { getWorld, type World } from "../harness/world";

function show(what: string): void {
    process.stdout.write(`      [nginx-site] ${what}\n`);
}

describe("examples/nginx-site with a real nginx and @pulumi/command", function () {
    let world: World;
    let nginx: Nginx;
    let ca: CertFiles;
    let site: CertFiles;
    let stack: TestStack;

    before(async function () {
        world = await getWorld();
        ({ nginx, ca, site, stack } = await nginxSiteStack(world, "nginx", "site v1"));
    });

    after(async function () {
        await nginx?.stop();
    });

    it("serves the site after up, reloads only on change, refuses a broken config, and destroy removes the site and reloads", async function () {
        const caPem = fs.readFileSync(ca.certPath, "utf8");
        const conf = path.join(nginx.confDir, "app.conf");
        const before = await fetchPage(nginx.sitePort, caPem);
        show(`before up: https://127.0.0.1:${nginx.sitePort}/ -> ${before.error ?? before.body.trim()}`);
        assert.strictEqual(before.error, "ECONNREFUSED");
        const r0 = nginx.reloads();

        const up1 = await stack.ok("up");
        const page1 = await pageWhen(nginx.sitePort, caPem, says("site v1"));
        show(
            `up 1 (create): ${JSON.stringify(up1.summary)}; page -> ${page1.body.trim()}; reloads ${nginx.reloads() - r0}`,
        );
        assert.deepStrictEqual(up1.summary, { create: 6 });
        assert.strictEqual(page1.body, "site v1\n");
        assert.strictEqual(nginx.reloads() - r0, 1, "one reload after the files landed");
        assert.strictEqual(fs.statSync(path.join(nginx.tlsDir, "app.key")).mode & 0o777, 0o600);
        assert.strictEqual(
            fs.readFileSync(path.join(nginx.tlsDir, "app.key"), "utf8"),
            fs.readFileSync(site.keyPath, "utf8"),
        );

        const up2 = await stack.ok("up");
        show(`up 2 (nothing changed): ${JSON.stringify(up2.summary)}; reloads ${nginx.reloads() - r0}`);
        assert.deepStrictEqual(up2.summary, { same: 6 });
        assert.strictEqual(nginx.reloads() - r0, 1, "no reload when no file changed");

        await setConfig(stack, { message: "site v2" });
        const up3 = await stack.ok("up");
        const page3 = await pageWhen(nginx.sitePort, caPem, says("site v2"));
        show(
            `up 3 (message changed): ${JSON.stringify(up3.summary)}; page -> ${page3.body.trim()}; reloads ${nginx.reloads() - r0}`,
        );
        assert.strictEqual(page3.body, "site v2\n");
        assert.strictEqual(up3.summary.update, 1, "the site config updated in place");
        assert.strictEqual(up3.summary.replace, 1, "the reload command re-ran (its triggers changed)");
        assert.strictEqual(nginx.reloads() - r0, 2, "exactly one more reload, for the one change");
        const v2 = fs.readFileSync(conf, "utf8");

        // A directive nginx does not know: `validate` alone could not see it is wrong in this configuration's
        // context; `validateInPlace: nginx -t` does, and the previous file is put back before anything reloads.
        await setConfig(stack, { message: "site v3", extraDirectives: "bogus_directive on;" });
        const broken = await stack.run("up");
        const refusal = [
            ...new Set(
                broken.output
                    // biome-ignore lint/suspicious/noControlCharactersInRegex: the CLI's colour codes
                    .replace(/\x1b\[[0-9;]*m/g, "")
                    .split("\n")
                    .filter((l) => /in-place check|\[emerg\]/.test(l))
                    .map((l) => l.replace(/^.*?(error: The in-place|nginx: \[emerg\])/, "$1")),
            ),
        ];
        show(
            `up 4 (broken config): exit ${broken.code}; refusal:\n${refusal.map((l) => `        ${l.trim()}`).join("\n")}`,
        );
        assert.notStrictEqual(broken.code, 0);
        assert.match(broken.output, /The in-place check of sftp:\/\/.*app\.conf failed \(`.*nginx .* -t` exited 1/);
        assert.match(broken.output, /the previous file was put back/);
        assert.match(broken.output, /unknown directive "bogus_directive"/);
        assert.strictEqual(fs.readFileSync(conf, "utf8"), v2, "the previous config is back in place");
        assert.strictEqual(nginx.reloads() - r0, 2, "no reload after the refusal");
        const page4 = await fetchPage(nginx.sitePort, caPem);
        show(`after the refusal: page -> ${page4.body.trim()}`);
        assert.strictEqual(page4.body, "site v2\n", "the old site keeps serving");

        const destroy = await stack.ok("destroy");
        const gone = await pageWhen(nginx.sitePort, caPem, (p) => p.error === "ECONNREFUSED");
        const base = await fetchPage(nginx.basePort);
        show(
            `destroy: ${JSON.stringify(destroy.summary)}; page -> ${gone.error ?? gone.body.trim()}; reloads ${nginx.reloads() - r0}; nginx's default server -> ${base.body.trim()}`,
        );
        assert.deepStrictEqual(destroy.summary, { delete: 6 });
        assert.strictEqual(gone.error, "ECONNREFUSED", "the site is no longer served");
        assert.strictEqual(nginx.reloads() - r0, 3, "one reload, after the site's files were removed");
        assert.deepStrictEqual(fs.readdirSync(nginx.confDir), []);
        assert.deepStrictEqual(fs.readdirSync(nginx.tlsDir), []);
        assert.strictEqual(base.body, "default\n", "nginx itself still runs");

        const keyBody = fs.readFileSync(site.keyPath, "utf8").split("\n")[1];
        assert.ok(!stack.outputs.join("\n").includes(keyBody), "the TLS key never appears in the CLI's output");
        assert.ok(!stack.stateText().includes(keyBody), "the TLS key is not in the state in clear");
    });
});
