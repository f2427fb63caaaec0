/**
 * Bad trust, bad credentials and bad input, through the real CLI and sshd: each is refused with one clear sentence,
 * writes nothing, and leaks no secret into the output.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, snapshot, sshConnection, sshConnectionCount, type World } from "../harness/world";

describe("RemoteFile refusals over sftp", function () {
    let w: World;
    let n = 0;

    before(async function () {
        w = await getWorld();
    });

    /** Runs `up` of one file with the given connection; expects failure; returns the output. */
    async function failingUp(
        connection: Record<string, unknown>,
        file: Record<string, unknown> = {},
    ): Promise<{ output: string; root: string }> {
        const root = remoteDir(w, "refuse");
        const stack = new TestStack(w, `refuse-${++n}`, remoteFilesProgram);
        stack.setSettings({
            connection,
            files: [{ name: "f", path: path.join(root, "sub", "f.txt"), content: "x", ...file }],
        });
        const r = await stack.run("up");
        assert.notStrictEqual(r.code, 0, `up should fail:\n${r.output}`);
        assert.deepStrictEqual(snapshot(root), {}, "something was written");
        return { output: r.output, root };
    }

    it("refuses a host key that does not match the pin, naming the presented fingerprint", async function () {
        const wrong = `SHA256:${"A".repeat(43)}`;
        const { output } = await failingUp(sshConnection(w, { hostKey: wrong, knownHosts: undefined }));
        assert.match(
            output,
            /Host key for sftp:\/\/filedrop@127\.0\.0\.1:\d+ is SHA256:\S+, which does not match the pinned `hostKey`/,
        );
        assert.ok(output.includes(w.sshd.hostKeyFingerprint), output);
    });

    it("refuses a key that does not match known_hosts", async function () {
        const other = path.join(w.dir, "other_known_hosts");
        fs.writeFileSync(
            other,
            `[127.0.0.1]:${w.sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7J2Ue1YzWOVf0y2fnvA8lgzUO/MSzcuYHHVBMOLRyJ\n`,
        );
        const { output } = await failingUp(sshConnection(w, { knownHosts: other }));
        assert.match(output, /does not match the key recorded for \[127\.0\.0\.1\]:\d+ in .*other_known_hosts/);
    });

    it("refuses an unknown host and says how to pin it", async function () {
        const empty = path.join(w.dir, "empty_known_hosts");
        fs.writeFileSync(empty, "");
        const { output } = await failingUp(sshConnection(w, { knownHosts: empty }));
        assert.match(
            output,
            /Host \[127\.0\.0\.1\]:\d+ is not in .*empty_known_hosts; the server presented host key SHA256:/,
        );
        assert.ok(output.includes(`set \`hostKey\` to "${w.sshd.hostKeyFingerprint}"`), output);
    });

    it("accepts a hashed known_hosts entry and a pinned key line", async function () {
        const hashed = path.join(w.dir, "hashed_known_hosts");
        fs.copyFileSync(w.sshd.knownHostsPath, hashed);
        require("node:child_process").execFileSync("ssh-keygen", ["-H", "-f", hashed], { stdio: "ignore" });
        assert.match(fs.readFileSync(hashed, "utf8"), /^\|1\|/);
        for (const conn of [
            sshConnection(w, { knownHosts: hashed }),
            sshConnection(w, { knownHosts: undefined, hostKey: w.sshd.hostPublicKey }),
        ]) {
            const root = remoteDir(w, "accept");
            const stack = new TestStack(w, `accept-${++n}`, remoteFilesProgram);
            stack.setSettings({
                connection: conn,
                files: [{ name: "f", path: path.join(root, "f.txt"), content: "ok" }],
            });
            await stack.ok("up");
            assert.strictEqual(fs.readFileSync(path.join(root, "f.txt"), "utf8"), "ok");
            await stack.ok("destroy");
        }
    });

    it("refuses a wrong password without retrying and without printing it", async function () {
        const password = `wrong-${Math.random().toString(36).slice(2)}`;
        const { output } = await failingUp({
            host: w.sshd.host,
            port: w.sshd.port,
            user: w.sshd.user,
            password,
            knownHosts: w.sshd.knownHostsPath,
        });
        assert.match(
            output,
            /Authentication as filedrop to sftp:\/\/filedrop@127\.0\.0\.1:\d+ failed \(tried: password\)/,
        );
        assert.ok(!output.includes(password), "the password appears in the output");
    });

    it("logs in with the right password, with an encrypted key and its passphrase, and through ssh-agent", async function () {
        // A real ssh-agent holding the test key, on a socket of its own; stopped at the end of the test.
        const agentSock = path.join(w.dir, `agent-${n}.sock`);
        const agentOut = execFileSync("ssh-agent", ["-a", agentSock], { encoding: "utf8" });
        const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agentOut)![1]);
        execFileSync("ssh-add", [w.sshd.privateKeyPath], {
            env: { ...process.env, SSH_AUTH_SOCK: agentSock },
            stdio: "ignore",
        });
        const conns = [
            {
                host: w.sshd.host,
                port: w.sshd.port,
                user: w.sshd.user,
                agentSocketPath: agentSock,
                knownHosts: w.sshd.knownHostsPath,
            },
            {
                host: w.sshd.host,
                port: w.sshd.port,
                user: w.sshd.user,
                password: w.sshd.password,
                knownHosts: w.sshd.knownHostsPath,
            },
            {
                host: w.sshd.host,
                port: w.sshd.port,
                user: w.sshd.user,
                privateKey: fs.readFileSync(w.sshd.encryptedKeyPath, "utf8"),
                privateKeyPassword: w.sshd.encryptedKeyPassphrase,
                knownHosts: w.sshd.knownHostsPath,
            },
        ];
        try {
            for (const conn of conns) {
                const root = remoteDir(w, "login");
                const stack = new TestStack(w, `login-${++n}`, remoteFilesProgram);
                stack.setSettings({
                    connection: conn,
                    files: [{ name: "f", path: path.join(root, "f.txt"), content: "ok" }],
                });
                const r = await stack.ok("up");
                assert.strictEqual(fs.readFileSync(path.join(root, "f.txt"), "utf8"), "ok");
                for (const secret of [
                    (conn as { password?: string }).password,
                    (conn as { privateKeyPassword?: string }).privateKeyPassword,
                ].filter((s): s is string => !!s)) {
                    assert.ok(!r.output.includes(secret) && !stack.stateText().includes(secret), "a secret leaked");
                }
                await stack.ok("destroy");
            }
        } finally {
            process.kill(agentPid);
        }
    });

    it("refuses a private key it cannot parse, with a clear sentence", async function () {
        const { output } = await failingUp({
            host: w.sshd.host,
            port: w.sshd.port,
            user: w.sshd.user,
            privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n",
            knownHosts: w.sshd.knownHostsPath,
        });
        assert.match(
            output,
            /The private key for sftp:\/\/filedrop@127\.0\.0\.1:\d+ cannot be used: .*; check `privateKey` and `privateKeyPassword`/,
        );
    });

    it("rejects bad paths and content at preview, before connecting", async function () {
        const cases: [Record<string, unknown>, RegExp][] = [
            [{ path: "relative/f.txt" }, /path.*must be absolute/],
            [{ path: "/tmp/../etc/passwd" }, /path.*must not contain "\.\." segments/],
            [{ path: "/tmp/a\u0000b" }, /path.*must not contain a NUL byte/],
            [{ path: `/${"x".repeat(5000)}` }, /path.*the limit is 4096/],
            [{ content: undefined }, /give exactly one of `content` and `source`/],
            [
                { content: undefined, source: "/nonexistent/file.txt" },
                /"\/nonexistent\/file\.txt" does not exist on this machine/,
            ],
            [{ mode: "rwxr-xr-x" }, /mode.*must be an octal string such as "0644"/],
        ];
        for (const [file, pattern] of cases) {
            const stack = new TestStack(w, `check-${++n}`, remoteFilesProgram);
            stack.setSettings({
                connection: sshConnection(w),
                files: [{ name: "f", path: "/tmp/ok.txt", content: "x", ...file }],
            });
            const before = sshConnectionCount(w);
            const r = await stack.run("preview");
            assert.notStrictEqual(r.code, 0, r.output);
            assert.match(r.output, pattern);
            assert.strictEqual(sshConnectionCount(w), before, "check connected to the server");
        }
    });
});
