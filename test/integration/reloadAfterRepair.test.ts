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
import { exampleStack } from "../harness/examples";
import { ensureInstalled } from "../harness/servers/installed";
import { fetchPage, type Nginx, startNginx } from "../harness/servers/nginx";
import { type CertFiles, makeCa, makeServerCert } from "../harness/servers/tlsCerts";
import type { TestStack } from "../harness/stack";
import { getWorld, type World } from "../harness/world";

/** The page, polled until it says `text` (a reload is asynchronous in nginx), at most 10 s; the last body. */
async function pageSaying(port: number, ca: string, text: string): Promise<string> {
    const deadline = Date.now() + 10000;
    for (;;) {
        const p = await fetchPage(port, ca);
        if (p.body === `${text}\n` || Date.now() > deadline) {
            return p.error ?? p.body.trim();
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

describe("reload after a drift repair (examples/nginx-site, real nginx)", function () {
    let world: World;
    let nginx: Nginx;
    let ca: CertFiles;
    let stack: TestStack;

    before(async function () {
        world = await getWorld();
        const dir = path.join(world.dir, "servers", `nginx-repair-${Math.random().toString(36).slice(2, 8)}`);
        fs.mkdirSync(dir, { recursive: true });
        nginx = await startNginx(dir, ensureInstalled().user);
        const certs = path.join(dir, "certs");
        fs.mkdirSync(certs);
        ca = makeCa(certs, "ca", "filedrop nginx repair CA");
        const site = makeServerCert(certs, "site", ca);
        stack = await exampleStack(world, "nginx-site", {
            host: world.sshd.host,
            port: String(world.sshd.port),
            user: world.sshd.user,
            privateKeyPath: world.sshd.privateKeyPath,
            hostKey: world.sshd.hostPublicKey,
            nginx: nginx.command,
            confDir: nginx.confDir,
            tlsDir: nginx.tlsDir,
            listen: `127.0.0.1:${nginx.sitePort}`,
            message: "declared",
            certPath: site.certPath,
            keyPath: site.keyPath,
        });
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
