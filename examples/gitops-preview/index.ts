// A program for GitOps: the deploy key comes from stack config when the job has it, and a pull request job that
// does not have it still previews (pulumi-filedrop says once that the credential is missing; `up` refuses).
import * as pulumi from "@pulumi/pulumi";
import { RemoteFile, RemoteTree } from "pulumi-filedrop";

const config = new pulumi.Config();
const connection = {
    host: config.require("host"),
    user: config.get("user") ?? "deploy",
    // Set with `pulumi config set --secret privateKey "$(cat deploy_ed25519)"` where deployments run; absent in PRs.
    privateKey: config.getSecret("privateKey"),
    knownHosts: config.get("knownHosts"),
};

// Paths below this folder are kept relative to it in the state: every CI checkout previews the same.
new RemoteFile("nginx-conf", { connection, path: "/etc/nginx/conf.d/app.conf", source: "nginx/app.conf" });
new RemoteTree("site", { connection, source: "site", destination: "/srv/www", prune: true });
