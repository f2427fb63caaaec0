// The quick start: a config file and a static site on a server over SFTP, verified and atomic.
// Settings come from stack config (or, for the demo, from the FILEDROP_DEMO_* variables scripts/demo.sh sets).
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { RemoteFile, RemoteTree } from "pulumi-filedrop";

const config = new pulumi.Config();
const host = config.get("host") ?? process.env.FILEDROP_DEMO_HOST ?? "127.0.0.1";
const port = config.getNumber("port") ?? Number(process.env.FILEDROP_DEMO_PORT ?? 22);
const user = config.get("user") ?? process.env.FILEDROP_DEMO_USER ?? "deploy";
const keyPath = config.get("privateKeyPath") ?? process.env.FILEDROP_DEMO_KEY ?? `${process.env.HOME}/.ssh/id_ed25519`;
const root = config.get("root") ?? process.env.FILEDROP_DEMO_ROOT ?? "/srv/app";

const connection = {
    host,
    port,
    user,
    privateKey: pulumi.secret(fs.readFileSync(keyPath, "utf8")),
    // Verified against this known_hosts file (default: ~/.ssh/known_hosts); or pin `hostKey: "SHA256:…"`.
    knownHosts: config.get("knownHosts") ?? process.env.FILEDROP_DEMO_KNOWN_HOSTS,
};

const appConfig = new RemoteFile("app-config", {
    connection,
    path: `${root}/etc/app.conf`,
    content: `listen ${port === 22 ? 8080 : 8081};\nroot ${root}/site;\n`,
    mode: "0640",
});

const site = new RemoteTree("site", {
    connection,
    source: path.join(__dirname, "site"),
    destination: `${root}/site`,
    exclude: ["**/*.draft.html"],
    prune: true,
});

export const configSha256 = appConfig.sha256;
export const configVerifiedBy = appConfig.verifiedBy;
export const siteFiles = site.files.apply((f) => Object.keys(f).sort());
