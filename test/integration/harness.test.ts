/**
 * The test harness itself: servers start with the options asked for, accept the logins tests rely on, and stop
 * without leaving a process behind (listener and sessions alike). Config templates and their callers cannot drift.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { openTransport } from "../../provider/transport/open";
import { ftpServers } from "../harness/ftpServers";
import { startFtpServer } from "../harness/servers/ftpServer";
import { descendants, isRunning } from "../harness/servers/processes";
import { startSshd } from "../harness/servers/sshd";
import { writeTemplate } from "../harness/servers/templates";
import { getServers, remoteDir, scratchDir } from "../harness/world";

/** Pids of processes whose command line mentions `text` (e.g. a server's private folder). */
function processesMentioning(text: string): number[] {
    return fs
        .readdirSync("/proc")
        .filter((e) => /^\d+$/.test(e))
        .filter((e) => {
            try {
                return fs.readFileSync(`/proc/${e}/cmdline`, "utf8").includes(text);
            } catch {
                return false;
            }
        })
        .map(Number)
        .filter(isRunning);
}

describe("test harness", function () {
    let n = 0;
    const dir = (name: string) => path.join(scratchDir(), "servers", `harness-${name}-${n++}`);

    it("an sshd variant: MaxSessions 2, RSA host key only, the second user logs in; stop leaves no process", async function () {
        const d = dir("sshd");
        const sshd = await startSshd(d, { maxSessions: 2, hostKeyTypes: ["rsa"] });
        let sessions: number[] = [];
        try {
            assert.match(fs.readFileSync(sshd.configFile, "utf8"), /^MaxSessions 2$/m);
            assert.ok(
                processesMentioning(d).includes(sshd.pid),
                "the listener names its folder (so the check below can see it)",
            );
            assert.deepStrictEqual(
                fs
                    .readFileSync(sshd.knownHostsPath, "utf8")
                    .trim()
                    .split("\n")
                    .map((l) => l.split(" ")[1]),
                ["ssh-rsa"],
            );
            const w = await getServers();
            const target = path.join(remoteDir(w, "harness"), "by-other-user");
            fs.chmodSync(path.dirname(target), 0o777);
            const t = await openTransport(
                {
                    host: sshd.host,
                    port: sshd.port,
                    user: sshd.otherUser.name,
                    knownHosts: sshd.knownHostsPath,
                } as never,
                { privateKey: fs.readFileSync(sshd.privateKeyPath, "utf8") },
            );
            try {
                await t.write(target, Readable.from([Buffer.from("hi\n")]));
                assert.strictEqual(fs.statSync(target).uid, sshd.otherUser.uid);
                sessions = descendants(sshd.pid);
                assert.ok(sessions.length > 0, "an open connection has a session process");
            } finally {
                // Stop with the connection still open: its session processes must go too.
                await sshd.stop();
                await t.close();
            }
        } finally {
            await sshd.stop();
        }
        assert.deepStrictEqual([sshd.pid, ...sessions].filter(isRunning), []);
        assert.deepStrictEqual(processesMentioning(d), []);
    });

    it("an encrypted key, a password and ssh-agent log in to the stock sshd", async function () {
        const { sshd } = await getServers();
        // A real ssh-agent holding the test key, on a socket of its own; stopped at the end of the test.
        const agentSock = path.join(scratchDir(), `harness-agent-${n++}.sock`);
        const agentPid = Number(
            /SSH_AGENT_PID=(\d+)/.exec(execFileSync("ssh-agent", ["-a", agentSock], { encoding: "utf8" }))![1],
        );
        try {
            execFileSync("ssh-add", [sshd.privateKeyPath], {
                env: { ...process.env, SSH_AUTH_SOCK: agentSock },
                stdio: "ignore",
            });
            const logins: [Record<string, unknown>, Record<string, unknown>][] = [
                [
                    {},
                    {
                        privateKey: fs.readFileSync(sshd.encryptedKeyPath, "utf8"),
                        privateKeyPassword: sshd.encryptedKeyPassphrase,
                    },
                ],
                [{}, { password: sshd.password }],
                [{ agentSocketPath: agentSock }, {}],
            ];
            for (const [extra, creds] of logins) {
                const t = await openTransport(
                    {
                        host: sshd.host,
                        port: sshd.port,
                        user: sshd.user,
                        knownHosts: sshd.knownHostsPath,
                        ...extra,
                    } as never,
                    creds as never,
                );
                assert.strictEqual((await t.exec("id -un")).stdout.trim(), sshd.user);
                await t.close();
            }
        } finally {
            process.kill(agentPid);
        }
    });

    it("FTP servers stop without leaving a process, sessions included", async function () {
        const servers = await ftpServers();
        for (const software of ["vsftpd", "proftpd"] as const) {
            const d = dir(software);
            const s = await startFtpServer(d, software, {
                software,
                tls: "explicit",
                cert: { server: servers.pki.server, ca: servers.pki.ca },
            });
            const t = await openTransport(
                {
                    protocol: "ftps",
                    host: s.host,
                    port: s.port,
                    user: servers.user,
                    ca: fs.readFileSync(servers.caCertPath, "utf8"),
                } as never,
                { password: servers.password },
            );
            await t.stat("/");
            const running = [s.pid, ...descendants(s.pid)];
            assert.ok(running.length > 1, `${software}: an open connection has a session process`);
            if (software === "vsftpd") {
                assert.ok(
                    processesMentioning(d).includes(s.pid),
                    "the listener names its config (so the check below can see it)",
                );
            }
            await s.stop();
            await t.close();
            assert.deepStrictEqual(running.filter(isRunning), [], software);
            assert.deepStrictEqual(processesMentioning(d), [], software);
        }
    });

    it("a template refuses an unknown placeholder and a value it has no placeholder for", function () {
        const out = path.join(scratchDir(), "template-check");
        assert.throws(() => writeTemplate("sshd_config", out, {}), /needs \$\{PORT\}/);
        const full = {
            PORT: 1,
            LISTEN: "127.0.0.1",
            HOST_KEYS: "",
            AUTHORIZED_KEYS: "x",
            USERS: "u",
            SFTP_SUBSYSTEM: "internal-sftp",
            LIMITS: "",
            LOG_LEVEL: "VERBOSE",
        };
        assert.throws(() => writeTemplate("sshd_config", out, { ...full, EXTRA: 1 }), /no placeholder for EXTRA/);
        writeTemplate("sshd_config", out, full);
        assert.strictEqual(fs.statSync(out).mode & 0o777, 0o600);
    });
});
