/** The protocol registry drives check, ports and capabilities: one row per protocol. */
import * as assert from "node:assert";
import { defaultPort } from "../../provider/connection";
import { check } from "../../provider/handlers/remoteFile";
import { checkConnection } from "../../provider/plan/checkInputs";
import { PROTOCOL_NAMES, PROTOCOLS } from "../../provider/protocols";

describe("protocol registry", function () {
    // Without a credential, SSH falls back to the agent in SSH_AUTH_SOCK (issue 10): these checks assume none.
    const agent = process.env.SSH_AUTH_SOCK;
    before(() => {
        delete process.env.SSH_AUTH_SOCK;
    });
    after(() => {
        if (agent !== undefined) {
            process.env.SSH_AUTH_SOCK = agent;
        }
    });
    it("gives each protocol its default port", function () {
        assert.deepStrictEqual(
            PROTOCOL_NAMES.map((p) => [p, defaultPort(p)]),
            [
                ["sftp", 22],
                ["ftps", 21],
                ["ftps-implicit", 990],
                ["ftp", 21],
            ],
        );
    });

    it("check names the registry's protocols and the credentials each one needs", function () {
        assert.match(
            checkConnection({ host: "h", protocol: "scp" as never }, { password: "p" })[0].reason,
            /must be one of sftp, ftps, ftps-implicit, ftp; got "scp"/,
        );
        assert.match(
            checkConnection({ host: "h" }, {})[0].reason,
            /has no credential: set `password`, `privateKey` or `agentSocketPath`/,
        );
        const ftps = checkConnection({ host: "h", protocol: "ftps" }, { privateKey: "k" });
        assert.deepStrictEqual(
            ftps.map((f) => f.property),
            ["connection.password"],
        );
        assert.deepStrictEqual(checkConnection({ host: "h", agentSocketPath: "/run/agent" }, {}), []);
    });

    it("check refuses what a protocol cannot do, from the registry's exec/chown", async function () {
        const base = {
            connection: { host: "h" },
            credentials: { password: "p" },
            path: "/x",
            content: "a",
            sha256: "",
            size: 1,
            validate: "true",
            uid: 0,
        };
        for (const p of PROTOCOL_NAMES) {
            const r = await check(base, { ...base, connection: { host: "h", protocol: p, allowPlaintext: true } });
            const refused = (r.failures ?? []).map((f) => f.property);
            assert.strictEqual(refused.includes("validate"), !PROTOCOLS[p].can.exec, p);
            assert.strictEqual(refused.includes("uid"), !PROTOCOLS[p].can.chown, p);
        }
    });
});
