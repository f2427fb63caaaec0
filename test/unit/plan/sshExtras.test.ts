/** Check of issue 10's SSH settings: the agent by default, `proxy` (bastion) and `sudo`; FTPS refuses both. */
import * as assert from "node:assert";
import { endpointKey } from "../../../provider/connection";
import { checkConnection } from "../../../provider/plan/checkInputs";
import { agentFor } from "../../../provider/transport/ssh/sshAuth";

describe("ssh extras at check: agent by default, proxy and sudo", function () {
    const saved = process.env.SSH_AUTH_SOCK;
    afterEach(() => {
        if (saved === undefined) {
            delete process.env.SSH_AUTH_SOCK;
        } else {
            process.env.SSH_AUTH_SOCK = saved;
        }
    });

    it("a credential-less SSH connection is refused only when no agent is announced in SSH_AUTH_SOCK", function () {
        delete process.env.SSH_AUTH_SOCK;
        assert.deepStrictEqual(
            checkConnection({ host: "h" }, {}).map((f) => f.property),
            ["connection"],
        );
        assert.match(checkConnection({ host: "h" }, {})[0].reason, /or start an ssh-agent \(SSH_AUTH_SOCK\)/);
        process.env.SSH_AUTH_SOCK = "/tmp/agent.sock";
        assert.deepStrictEqual(checkConnection({ host: "h" }, {}), []);
        // FTPS has no agent: still refused.
        assert.deepStrictEqual(
            checkConnection({ host: "h", protocol: "ftps" }, {}).map((f) => f.property),
            ["connection.password"],
        );
    });

    it("the agent is used when no password, key or socket is given, the given socket otherwise, never beside a credential", function () {
        const env = { SSH_AUTH_SOCK: "/run/a.sock" };
        assert.strictEqual(agentFor({ user: "u" }, env), "/run/a.sock");
        assert.strictEqual(agentFor({ user: "u", agentSocketPath: "/x" }, env), "/x");
        assert.strictEqual(agentFor({ user: "u", password: "p" }, env), undefined);
        assert.strictEqual(agentFor({ user: "u", privateKey: "k" }, env), undefined);
        assert.strictEqual(agentFor({ user: "u" }, {}), undefined);
    });

    it("proxy and sudo are refused for FTPS with a sentence each; a bad proxy or sudo value is named", function () {
        const ftps = checkConnection(
            { host: "h", protocol: "ftps", proxy: { host: "b" }, sudo: true },
            { password: "p" },
        );
        assert.deepStrictEqual(
            ftps.map((f) => f.property),
            ["connection.sudo", "connection.proxy"],
        );
        assert.match(ftps[0].reason, /works only with protocol "sftp"/);
        assert.match(ftps[1].reason, /works only with protocol "sftp"/);
        const bad = checkConnection(
            { host: "h", sudo: "  " as never, proxy: { host: "", port: 70000, hostKey: "nope" } },
            { password: "p", proxy: { password: "q" } },
        );
        assert.deepStrictEqual(
            bad.map((f) => f.property),
            ["connection.sudo", "connection.proxy.host", "connection.proxy.port", "connection.proxy.hostKey"],
        );
    });

    it("a bastion without credential is refused unless an agent is announced", function () {
        delete process.env.SSH_AUTH_SOCK;
        const f = checkConnection({ host: "h", proxy: { host: "b" } }, { password: "p" });
        assert.deepStrictEqual(
            f.map((x) => x.property),
            ["connection.proxy"],
        );
        assert.match(f[0].reason, /has no credential for the bastion/);
        process.env.SSH_AUTH_SOCK = "/tmp/agent.sock";
        assert.deepStrictEqual(checkConnection({ host: "h", proxy: { host: "b" } }, { password: "p" }), []);
    });

    it("the pool key tells routes, sudo and bastion credentials apart without holding a secret", function () {
        const base = endpointKey({ host: "h" }, { password: "p" });
        const viaA = endpointKey({ host: "h", proxy: { host: "a" } }, { password: "p", proxy: { password: "s3cr3t" } });
        const viaB = endpointKey({ host: "h", proxy: { host: "b" } }, { password: "p", proxy: { password: "s3cr3t" } });
        const viaA2 = endpointKey({ host: "h", proxy: { host: "a" } }, { password: "p", proxy: { password: "other" } });
        const sudo = endpointKey({ host: "h", sudo: true }, { password: "p" });
        assert.strictEqual(new Set([base, viaA, viaB, viaA2, sudo]).size, 5);
        assert.ok(!viaA.includes("s3cr3t"));
    });
});
