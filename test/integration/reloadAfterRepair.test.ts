/**
 * Issue 19 item 7: examples/nginx-site against a real nginx (Debian's nginx-light over the test sshd), where
 * someone edits the site config by hand and reloads nginx, so nginx serves the hand edit. `pulumi up --refresh`
 * puts the declared file back; the reload (a @pulumi/command remote.Command with `triggers` on the files' `writeId`)
 * must run too, so that nginx serves the declared content again. With `triggers` on `sha256` it did not: the
 * hash is back to the value the reload last saw.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { nginxSiteStack, pageWhen, says } from "../harness/nginxSite";
import type { Nginx } from "../harness/servers/nginx";
import type { CertFiles } from "../harness/servers/tlsCerts";
import type { TestStack } from "../harness/stack";
import { getWorld, type World } from "../harness/world";

/** The page, polled until it says `text` (a reload is asynchronous in nginx), at most 10 s; the last body. */
async function pageSaying(port: number, ca: string, text: string): Promise<string> {
    const p = await pageWhen(port, ca, says(text));
    return p.error ?? p.body.trim();
}

describe("reload after a drift repair (examples/nginx-site, real nginx)", function () {
    let world: World;
    let nginx: Nginx;
    let ca: CertFiles;
    let stack: TestStack;

    before(async function () {
        world = await getWorld();
        ({ nginx, ca, stack } = await nginxSiteStack(world, "nginx-repair", "declared"));
    });

    after(async function () {
        await nginx?.stop();
    });

    it("a hand edit that nginx loaded is put back by up --refresh, and nginx is reloaded to serve the declared site", async function () {
        const caPem = fs.readFileSync(ca.certPath, "utf8");
        const conf = path.join(nginx.confDir, "app.conf");
        const show = (what: string) => process.stdout.write(`      [repair] ${what}\n`);

        assert.deepStrictEqual((await stack.ok("up")).summary, { create: 6 });
        assert.strictEqual(await pageSaying(nginx.sitePort, caPem, "declared"), "declared");

        // Someone edits the file on the server and reloads nginx by hand (SIGHUP to the master, as `nginx -s reload`).
        fs.writeFileSync(conf, fs.readFileSync(conf, "utf8").replace('"declared', '"hand edit'));
        process.kill(Number(fs.readFileSync(path.join(nginx.prefix, "logs", "nginx.pid"), "utf8")), "SIGHUP");
        assert.strictEqual(await pageSaying(nginx.sitePort, caPem, "hand edit"), "hand edit");
        const r0 = nginx.reloads();

        const repair = await stack.ok("up", ["--refresh"]);
        const page = await pageSaying(nginx.sitePort, caPem, "declared");
        show(
            `up --refresh after the hand edit: ${JSON.stringify(repair.summary)}; reloads ${nginx.reloads() - r0}; page -> ${page}`,
        );
        assert.match(fs.readFileSync(conf, "utf8"), /return 200 "declared\\n"/, "the declared file is back");
        assert.strictEqual(page, "declared", "nginx serves the declared site again");
        assert.strictEqual(nginx.reloads() - r0, 1, "one reload, after the repair");
        assert.deepStrictEqual(repair.summary, { same: 4, update: 1, replace: 1 });

        const quiet = await stack.ok("up", ["--refresh"]);
        show(`up --refresh with no drift: ${JSON.stringify(quiet.summary)}; reloads ${nginx.reloads() - r0}`);
        assert.deepStrictEqual(quiet.summary, { same: 6 });
        assert.strictEqual(nginx.reloads() - r0, 1, "no reload when nothing was written");

        await stack.ok("destroy");
    });
});
