/**
 * examples/nginx-site deployed as a user would, to a fresh Debian nginx reached over the test sshd (servers/nginx.ts),
 * with a throwaway CA and the site's certificate; and the page it serves, polled while nginx reloads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { exampleStack } from "./examples";
import { ensureInstalled } from "./servers/installed";
import { fetchPage, type Nginx, startNginx } from "./servers/nginx";
import { type CertFiles, makeCa, makeServerCert } from "./servers/tlsCerts";
import type { TestStack } from "./stack";
import type { World } from "./world";

/** A running nginx, the CA its site certificate comes from, that certificate, and the example's stack. */
export interface NginxSite {
    readonly nginx: Nginx;
    readonly ca: CertFiles;
    readonly site: CertFiles;
    readonly stack: TestStack;
}

/** Starts nginx in a folder of its own named after `name`, and prepares the example to serve `message`. */
export async function nginxSiteStack(world: World, name: string, message: string): Promise<NginxSite> {
    const dir = path.join(world.dir, "servers", `${name}-${Math.random().toString(36).slice(2, 8)}`);
    fs.mkdirSync(dir, { recursive: true });
    const nginx = await startNginx(dir, ensureInstalled().user);
    const certs = path.join(dir, "certs");
    fs.mkdirSync(certs);
    const ca = makeCa(certs, "ca", `filedrop ${name} CA`);
    const site = makeServerCert(certs, "site", ca);
    const stack = await exampleStack(
        world,
        "nginx-site",
        {
            host: world.sshd.host,
            port: String(world.sshd.port),
            user: world.sshd.user,
            privateKeyPath: world.sshd.privateKeyPath,
            hostKey: world.sshd.hostPublicKey,
            nginx: nginx.command,
            confDir: nginx.confDir,
            tlsDir: nginx.tlsDir,
            listen: `127.0.0.1:${nginx.sitePort}`,
            message,
            certPath: site.certPath,
            keyPath: site.keyPath,
        },
        {},
        `example-${name}`,
    );
    return { nginx, ca, site, stack };
}

/** A page as fetched: its status and body, or the connection's error. */
export type Page = { status?: number; body: string; error?: string };

/** The page, polled until `until` accepts it (a reload is asynchronous in nginx), at most 10 s; the last one. */
export async function pageWhen(port: number, ca: string, until: (p: Page) => boolean): Promise<Page> {
    const deadline = Date.now() + 10000;
    for (;;) {
        const p = await fetchPage(port, ca);
        if (until(p) || Date.now() > deadline) {
            return p;
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** Accepts a page whose body is `text` (and a newline). */
export const says = (text: string) => (p: Page) => p.body === `${text}\n`;
