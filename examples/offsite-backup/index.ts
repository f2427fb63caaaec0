// The off-site copy of a 3-2-1 backup: each night's backup file goes into a dated folder on another machine,
// verified by size and SHA-256 on the server, and only the newest N nights are kept there.
//
// Rotation, declaratively: the stack declares one RemoteFile per backup file of the newest `keep` nights found in
// the local backup folder (files named YYYY-MM-DD…, e.g. 2026-11-24.tar.zst). When a new night arrives, the oldest
// night falls out of that set, so it leaves the program and the next `pulumi up` deletes its file and its dated
// folder (the folder was created by that file and goes when empty; a file changed on the server since it was
// written is left, with a warning). Nothing rotates between deployments: run `pulumi up` after each night's
// backup (cron, CI). Keep at least `keep` nights locally: a night removed locally while still among the newest is
// removed off-site at the next `up` (preview shows it as a delete). An empty or missing local folder is refused,
// so a lost local disk never empties the off-site copy.
//
// Stack config: host, port, user, privateKeyPath, knownHosts (path; default ~/.ssh/known_hosts) or hostKey,
// backupDir (local folder), remoteRoot (e.g. /backups/web1), keep (default 7).
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { RemoteDirectory, RemoteFile } from "pulumi-filedrop";

const config = new pulumi.Config();
const connection = {
    host: config.require("host"),
    port: config.getNumber("port") ?? 22,
    user: config.get("user") ?? "backup",
    privateKey: pulumi.secret(fs.readFileSync(config.require("privateKeyPath"), "utf8")),
    knownHosts: config.get("knownHosts"),
    hostKey: config.get("hostKey"),
};
const backupDir = config.require("backupDir");
const remoteRoot = config.require("remoteRoot");
const keep = config.getNumber("keep") ?? 7;

/** The local backup files by night (YYYY-MM-DD at the start of the name), newest night first. */
function nights(dir: string): [string, string[]][] {
    const byNight = new Map<string, string[]>();
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
        const night = /^(\d{4}-\d{2}-\d{2})/.exec(name)?.[1];
        if (night !== undefined && fs.statSync(path.join(dir, name)).isFile()) {
            byNight.set(night, [...(byNight.get(night) ?? []), name]);
        }
    }
    return [...byNight.entries()].sort(([a], [b]) => b.localeCompare(a));
}

const kept = nights(backupDir).slice(0, keep);
if (kept.length === 0) {
    throw new Error(
        `No backup files named YYYY-MM-DD… in ${backupDir}; refusing to deploy, which would delete every off-site night. Check the local backup job.`,
    );
}

// The root exists for the life of the stack; each dated folder is created by its night's files.
const root = new RemoteDirectory("backup-root", { connection, path: remoteRoot, mode: "0700" });

for (const [night, files] of kept) {
    for (const name of files) {
        new RemoteFile(
            `${night}/${name}`,
            {
                connection,
                path: `${remoteRoot}/${night}/${name}`,
                source: path.join(backupDir, name),
                mode: "0600",
            },
            { dependsOn: [root] },
        );
    }
}

export const nightsKept = kept.map(([night]) => night);
