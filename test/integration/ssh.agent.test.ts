/**
 * The ssh-agent in SSH_AUTH_SOCK by default, against real OpenSSH without the engine: a real ssh-agent (ssh-agent +
 * ssh-add) is used when no credential is given; a failed login names the agent's keys by fingerprint and comment.
 */
import * as assert from "node:assert";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConnectionInputs } from "../../provider/connection";
import { isFiledropError } from "../../provider/errors";
import { verifiedUpload } from "../../provider/ops/upload";
import { closeAll, withTransport } from "../../provider/transport/pool";
import { openSftp } from "../../provider/transport/ssh/sftp";
import { makeKeyPair } from "../harness/servers/sshKeys";
import { textUpload as upload } from "../harness/textUpload";
import { getServers, remoteDir, type Servers, scratchDir } from "../harness/world";

describe("ssh: the ssh-agent in SSH_AUTH_SOCK by default (real ssh-agent)", function () {
    let w: Servers;
    let agent: ChildProcess;
    let sock: string;
    const saved = process.env.SSH_AUTH_SOCK;
    const conn = (): ConnectionInputs => ({
        host: w.sshd.host,
        port: w.sshd.port,
        user: w.sshd.user,
        knownHosts: w.sshd.knownHostsPath,
        dialErrorLimit: 1,
    });

    before(async function () {
        w = await getServers();
        const dir = fs.mkdtempSync(path.join(scratchDir(), "agent-"));
        sock = path.join(dir, "agent.sock");
        // -D: foreground, so the test owns (and ends) exactly this agent.
        agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
        for (let i = 0; i < 100 && !fs.existsSync(sock); i++) {
            await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(fs.existsSync(sock), "ssh-agent did not create its socket within 5 s");
    });

    after(async function () {
        await closeAll();
        agent?.kill();
        if (saved === undefined) {
            delete process.env.SSH_AUTH_SOCK;
        } else {
            process.env.SSH_AUTH_SOCK = saved;
        }
    });

    const ssh_add = (...args: string[]) =>
        execFileSync("ssh-add", args, { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "pipe" });

    it("a key the server does not accept: the failure names the agent's key by fingerprint and comment", async function () {
        const stranger = makeKeyPair(path.dirname(sock), "stranger", "ed25519", "", "stranger@laptop");
        ssh_add(stranger.privatePath);
        process.env.SSH_AUTH_SOCK = sock;
        await assert.rejects(
            openSftp(conn(), {}),
            (e: Error) =>
                isFiledropError(e) &&
                e.code === "AUTH_FAILED" &&
                e.message.includes(`agent keys ${stranger.fingerprint} (stranger@laptop)`) &&
                /ssh-add -l/.test(e.message),
        );
    });

    it("with no password, key or agentSocketPath, the agent's authorised key logs in", async function () {
        ssh_add(w.sshd.privateKeyPath);
        process.env.SSH_AUTH_SOCK = sock;
        const dir = remoteDir(w, "agent");
        const r = await withTransport(conn(), {}, (t) => verifiedUpload(t, upload(path.join(dir, "f"), "by agent\n")));
        assert.strictEqual(fs.readFileSync(path.join(dir, "f"), "utf8"), "by agent\n");
        assert.strictEqual(r.size, 9);
    });
});
