/** check's input rules: one sentence per problem, no network. */
import * as assert from "node:assert";
import { modeProblem } from "../../../provider/mode";
import { checkConnection, remotePathProblem } from "../../../provider/plan/checkInputs";
import { locationDiff } from "../../../provider/plan/fileDiff";

describe("checkInputs", function () {
    it("accepts absolute paths and refuses relative, .., NUL and absurd lengths", function () {
        assert.strictEqual(remotePathProblem("/etc/app/config.yaml"), undefined);
        assert.match(remotePathProblem("etc/x")!, /must be absolute/);
        assert.match(remotePathProblem("/a/../b")!, /must not contain "\.\." segments/);
        assert.match(remotePathProblem("/a\0b")!, /NUL byte/);
        assert.match(remotePathProblem("/a\r\nDELE /etc/passwd")!, /line break/);
        assert.match(remotePathProblem(`/${"a".repeat(5000)}`)!, /limit is 4096/);
        assert.match(remotePathProblem(`/${"a".repeat(300)}`)!, /longer than 255 bytes/);
    });

    it("accepts octal modes only", function () {
        for (const ok of ["0644", "644", "0o600", "4755"]) {
            assert.strictEqual(modeProblem(ok), undefined, ok);
        }
        for (const bad of ["rw-r--r--", "0888", "12", 644]) {
            assert.match(modeProblem(bad)!, /octal string/);
        }
    });

    it("requires a credential, refuses plaintext ftp unless allowed, and checks pins", function () {
        // Without one, SSH uses the agent in SSH_AUTH_SOCK (issue 10): this case is the one without an agent.
        const agent = process.env.SSH_AUTH_SOCK;
        delete process.env.SSH_AUTH_SOCK;
        try {
            assert.match(checkConnection({ host: "h" }, {})[0].reason, /no credential/);
        } finally {
            if (agent !== undefined) {
                process.env.SSH_AUTH_SOCK = agent;
            }
        }
        assert.deepStrictEqual(checkConnection({ host: "h" }, { password: "p" }), []);
        assert.match(checkConnection({ host: "h", protocol: "ftp" }, { password: "p" })[0].reason, /clear text/);
        assert.deepStrictEqual(
            checkConnection({ host: "h", protocol: "ftp", allowPlaintext: true }, { password: "p" }),
            [],
        );
        assert.match(
            checkConnection({ host: "h", hostKey: "nope" }, { password: "p" })[0].reason,
            /OpenSSH public key line/,
        );
    });

    it("replaces on host, port, protocol or path, deleting first when the remote file stays the same", function () {
        const a = { connection: { host: "h", port: 22 }, path: "/x" };
        assert.deepStrictEqual(locationDiff(a, { ...a }), { replaces: [], sameLocation: true });
        assert.deepStrictEqual(locationDiff(a, { ...a, path: "/y" }), { replaces: ["path"], sameLocation: false });
        // A renamed host may be an alias of the same server: same path, so delete first.
        assert.deepStrictEqual(locationDiff(a, { connection: { host: "h.example", port: 22 }, path: "/x" }), {
            replaces: ["connection.host"],
            sameLocation: true,
        });
        const proto = locationDiff(a, { connection: { host: "h", protocol: "ftps", port: 21 }, path: "/x" });
        assert.deepStrictEqual(proto.replaces, ["connection.port", "connection.protocol"]);
        assert.ok(proto.sameLocation);
        assert.deepStrictEqual(
            locationDiff(a, { connection: { host: "h" }, path: "/x" }).replaces,
            [],
            "default port 22 equals explicit 22",
        );
    });
});
