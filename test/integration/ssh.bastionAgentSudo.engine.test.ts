/**
 * A bastion, the ssh-agent and sudo through the engine, as a user runs them (one stack, plain `pulumi`, the packed package):
 * a RemoteDirectory and a RemoteFile on a target sshd reachable only through a bastion, logging in to the target
 * with the ssh-agent in SSH_AUTH_SOCK (no credential in the program) and to the bastion with a password written
 * without `pulumi.secret`, as a deploy user with `sudo: true`, owner and group by name. Then an owner-only change
 * (an update that chowns) and destroy.
 */
import * as assert from "node:assert";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Bastion, startBastion } from "../harness/servers/bastion";
import { type Sshd, startSshd } from "../harness/servers/sshd";
import { TestStack } from "../harness/stack";
import { getWorld, scratchDir, type World } from "../harness/world";

/** A RemoteDirectory and a RemoteFile in it, as settings.json says; nothing wrapped in pulumi.secret. */
const program = `
const fs = require("fs");
const path = require("path");
const { RemoteDirectory, RemoteFile } = require("pulumi-filedrop");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const dir = new RemoteDirectory("site", { connection: s.connection, path: s.dir, owner: s.owner, group: s.group });
const conf = new RemoteFile("conf", {
    connection: s.connection, path: s.dir + "/site.conf", content: s.content, mode: "0640", owner: s.owner, group: s.group,
}, { dependsOn: [dir] });
module.exports = { sha256: conf.sha256, verifiedBy: conf.verifiedBy };
`;

describe("ssh through the engine: bastion + agent + sudo + owner by name (one stack)", function () {
    let w: World;
    let target: Sshd;
    let bastion: Bastion;
    let agent: ChildProcess;
    const saved = process.env.SSH_AUTH_SOCK;

    before(async function () {
        w = await getWorld();
        const dir = path.join(scratchDir(), "servers", `ssh-bastion-agent-sudo-${Date.now()}`);
        target = await startSshd(path.join(dir, "target"), { isolatedNetwork: true });
        bastion = await startBastion(path.join(dir, "bastion"), target);
        const sock = path.join(dir, "agent.sock");
        agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
        for (let i = 0; i < 100 && !fs.existsSync(sock); i++) {
            await new Promise((r) => setTimeout(r, 50));
        }
        execFileSync("ssh-add", [target.privateKeyPath], {
            env: { ...process.env, SSH_AUTH_SOCK: sock },
            stdio: "pipe",
        });
        // The CLI and its provider inherit this, as they inherit a user's shell.
        process.env.SSH_AUTH_SOCK = sock;
    });

    after(async function () {
        agent?.kill();
        if (saved === undefined) {
            delete process.env.SSH_AUTH_SOCK;
        } else {
            process.env.SSH_AUTH_SOCK = saved;
        }
        await bastion?.stop();
        await target?.stop();
    });

    it("up writes root-owned files through the bastion as the deploy user; an owner change chowns; destroy removes; no secret in the state", async function () {
        const parent = fs.mkdtempSync(path.join(w.remoteRoot, "etc-"));
        fs.chownSync(parent, 0, 0); // root-owned, like /etc/nginx
        const siteDir = path.join(parent, "sites");
        const bastionPassword = target.password;
        const other = target.otherUser;
        const stack = new TestStack(w, "ssh-bastion-agent-sudo", program);
        const settings = (owner: string) => ({
            connection: {
                host: "127.0.0.1",
                port: target.port,
                user: target.user,
                knownHosts: target.knownHostsPath,
                sudo: true,
                proxy: {
                    host: bastion.host,
                    port: bastion.port,
                    user: target.user,
                    password: bastionPassword,
                    hostKey: bastion.hostKey.publicKey,
                },
            },
            dir: siteDir,
            content: "server { listen 8080; }\n",
            owner,
            group: "root",
        });
        stack.setSettings(settings("root"));
        const up = await stack.ok("up");
        assert.deepStrictEqual(up.summary, { create: 3 }, up.output);
        const conf = path.join(siteDir, "site.conf");
        assert.strictEqual(fs.readFileSync(conf, "utf8"), "server { listen 8080; }\n");
        assert.deepStrictEqual([fs.statSync(conf).uid, fs.statSync(conf).gid, fs.statSync(siteDir).uid], [0, 0, 0]);
        assert.strictEqual(fs.statSync(conf).mode & 0o777, 0o640);
        const forwards = fs
            .readFileSync(bastion.logFile, "utf8")
            .split("\n")
            .filter((l) => /server_request_direct_tcpip: .* target 127\.0\.0\.1 port (\d+)/.test(l));
        assert.ok(
            forwards.every((l) => l.trimEnd().endsWith(`port ${target.port}`)) && forwards.length >= 1,
            `every forward goes to the target's port ${target.port}:\n${forwards.join("\n")}`,
        );
        assert.match(fs.readFileSync(target.logFile, "utf8"), new RegExp(`Accepted publickey for ${target.user}`));
        assert.ok(!stack.stateText().includes(bastionPassword), "the bastion's password is in the state in clear");
        assert.ok(!stack.outputs.join("\n").includes(bastionPassword), "the bastion's password was printed");

        stack.setSettings(settings(other.name));
        const owner = await stack.ok("up");
        assert.deepStrictEqual(owner.summary, { same: 1, update: 2 }, owner.output);
        assert.deepStrictEqual([fs.statSync(conf).uid, fs.statSync(siteDir).uid], [other.uid, other.uid]);
        const again = await stack.ok("up");
        assert.deepStrictEqual(again.summary, { same: 3 }, "names in the state are stable: no change on a second up");

        await stack.ok("destroy");
        assert.ok(!fs.existsSync(siteDir), "destroy removes the file and the folder it created");
        console.log(`      bastion log: ${forwards[0].trim()}`);
        console.log(`      ${conf}: created uid 0 gid 0 by ${target.user} with sudo, via the bastion, agent login`);
    });
});
