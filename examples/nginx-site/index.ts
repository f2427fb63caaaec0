// The config-drop story: an nginx site config and its TLS certificate and key put on a server over SFTP (verified,
// atomic), the whole configuration checked with `nginx -t` with the new file in place (the previous file is put
// back if the check fails), then nginx reloaded by @pulumi/command's remote.Command — only when the stack wrote a
// file (a change, or the repair of a hand edit by `pulumi up --refresh`).
// Destroy removes the site and reloads nginx after the files are gone.
//
// Stack config (pulumi config set …): host, port, user, privateKeyPath, certPath and keyPath (local PEM files),
// and optionally hostKey (the server's key line, as in /etc/ssh/ssh_host_ed25519_key.pub, or its SHA256:
// fingerprint; default: ~/.ssh/known_hosts), nginx (the nginx command line), confDir, tlsDir, site, listen,
// message (what the page says) and extraDirectives (lines added to the server block).
import * as fs from "node:fs";
import { remote } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { commandConnection, RemoteFile } from "pulumi-filedrop";

const config = new pulumi.Config();

const connection = {
    host: config.require("host"),
    port: config.getNumber("port") ?? 22,
    user: config.get("user") ?? "deploy",
    privateKey: pulumi.secret(fs.readFileSync(config.require("privateKeyPath"), "utf8")),
    hostKey: config.get("hostKey"),
};
// The same connection for @pulumi/command: only its fields, the host key as the key line it checks, a secret.
const commandConn = commandConnection(connection);

// On a server where the deploy user may reload nginx through sudo, this is e.g. "sudo /usr/sbin/nginx".
const nginx = config.get("nginx") ?? "/usr/sbin/nginx";
const confDir = config.get("confDir") ?? "/etc/nginx/conf.d";
const tlsDir = config.get("tlsDir") ?? "/etc/nginx/tls";
const site = config.get("site") ?? "app";
const listen = config.get("listen") ?? "443";
const message = config.get("message") ?? "hello from pulumi-filedrop";
const extra = config.get("extraDirectives") ?? "";

const cert = new RemoteFile("tls-cert", {
    connection,
    path: `${tlsDir}/${site}.crt`,
    source: config.require("certPath"),
    mode: "0644",
});

const key = new RemoteFile("tls-key", {
    connection,
    path: `${tlsDir}/${site}.key`,
    content: pulumi.secret(fs.readFileSync(config.require("keyPath"), "utf8")),
    mode: "0600",
});

// "Reload after the site is gone": Pulumi deletes dependents first, so a remote.Command's `delete` that the site
// depends on runs after the site's file was removed. Its `create` does nothing.
const reloadAfterRemoval = new remote.Command("reload-after-site-removed", {
    connection: commandConn,
    create: "true",
    delete: `${nginx} -s reload`,
});

const siteConf = new RemoteFile(
    "site-conf",
    {
        connection,
        path: `${confDir}/${site}.conf`,
        content: [
            "server {",
            `    listen ${listen} ssl;`,
            `    ssl_certificate ${tlsDir}/${site}.crt;`,
            `    ssl_certificate_key ${tlsDir}/${site}.key;`,
            ...extra
                .split("\n")
                .filter((l) => l.trim() !== "")
                .map((l) => `    ${l}`),
            `    location / { return 200 "${message}\\n"; }`,
            "}",
            "",
        ].join("\n"),
        mode: "0644",
        // A conf.d snippet is only valid inside the whole configuration: check that, with the new file in place.
        validateInPlace: `${nginx} -t`,
    },
    { dependsOn: [cert, key, reloadAfterRemoval] },
);

// Runs on create and again whenever a trigger changes: exactly when the stack wrote one of the three files,
// including when `pulumi up --refresh` put back a file edited by hand (sha256 would then be unchanged).
const reload = new remote.Command(
    "reload",
    {
        connection: commandConn,
        create: `${nginx} -s reload`,
        triggers: [siteConf.writeId, cert.writeId, key.writeId],
    },
    { dependsOn: [siteConf] },
);

export const siteSha256 = siteConf.sha256;
export const reloadedAt = reload.id;
