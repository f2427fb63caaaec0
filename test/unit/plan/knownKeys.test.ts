/** Unknown fields are refused by name with the closest known one (issue 8 item 8); pure, no network. */
import * as assert from "node:assert";
import { check as checkDir } from "../../../provider/handlers/remoteDirectory";
import { check as checkFile, type RemoteFileInputs } from "../../../provider/handlers/remoteFile";
import { checkConnection } from "../../../provider/plan/checkInputs";
import {
    argumentFailures,
    CONNECTION_FIELDS,
    closestField,
    connectionFieldFailures,
} from "../../../provider/plan/knownKeys";

describe("knownKeys", function () {
    it("suggests the same name in another case, else a near one, else none", function () {
        assert.strictEqual(closestField("hostkey", CONNECTION_FIELDS), "hostKey");
        assert.strictEqual(closestField("HOST", CONNECTION_FIELDS), "host");
        assert.strictEqual(closestField("privatKey", CONNECTION_FIELDS), "privateKey");
        assert.strictEqual(closestField("knownHost", CONNECTION_FIELDS), "knownHosts");
        assert.strictEqual(closestField("timeout", CONNECTION_FIELDS), undefined);
    });

    it("refuses an unknown connection field in either half of the SDK's split, naming it and the closest field", function () {
        const f = checkConnection({ host: "h", hostkey: "SHA256:x" } as never, { password: "p" });
        assert.deepStrictEqual(f, [
            { property: "connection.hostkey", reason: "is not a field of `connection`; did you mean `hostKey`?" },
        ]);
        // The SDK moves unknown fields to the secret half (a mistyped secret is never shown in clear).
        const g = checkConnection({ host: "h" }, { password: "p", privatekey: null } as never);
        assert.deepStrictEqual(g, [
            { property: "connection.privatekey", reason: "is not a field of `connection`; did you mean `privateKey`?" },
        ]);
        const h = connectionFieldFailures({ host: "h" }, { timeout: 3 });
        assert.match(
            h[0].reason,
            /^is not a field of `connection`; the known ones are `protocol`, `host`, .*`privateKeyPassword`$/,
        );
    });

    it("accepts @pulumi/command's proxy (issue 10) and refuses an unknown field inside it by name", function () {
        const proxy = {
            host: "bastion",
            port: 22,
            user: "jump",
            hostKey: `SHA256:${"A".repeat(43)}`,
            dialErrorLimit: 3,
        };
        assert.deepStrictEqual(
            checkConnection({ host: "h", proxy }, { password: "p", proxy: { privateKey: "k" } }),
            [],
        );
        const f = checkConnection({ host: "h", proxy: { host: "bastion" } }, {
            password: "p",
            proxy: { password: "q", privatekey: "k" },
        } as never);
        assert.deepStrictEqual(
            f.map((x) => [x.property, x.reason]),
            [["connection.proxy.privatekey", "is not a field of `connection.proxy`; did you mean `privateKey`?"]],
        );
    });

    it("accepts every documented field", function () {
        assert.deepStrictEqual(
            connectionFieldFailures(
                { host: "h", hostKey: "x", knownHosts: "y", servername: "s" },
                { password: "p", privateKey: "k", privateKeyPassword: "q" },
            ),
            [],
        );
    });

    it("refuses unknown resource arguments at check, with the closest argument", async function () {
        assert.deepStrictEqual(argumentFailures("RemoteFile", ["contents"]), [
            { property: "contents", reason: "is not an argument of this resource; did you mean `content`?" },
        ]);
        const file: RemoteFileInputs = {
            connection: { host: "h" },
            credentials: { password: "p" },
            path: "/x",
            content: "a",
            sha256: "aa",
            size: 1,
        };
        const r = await checkFile(file, { ...file, unknownArgs: ["ondelete"] });
        assert.deepStrictEqual(r.failures, [
            { property: "ondelete", reason: "is not an argument of this resource; did you mean `onDelete`?" },
        ]);
        assert.strictEqual((r.inputs as RemoteFileInputs).unknownArgs, undefined, "never handed on to the state");
        const d = await checkDir(
            { connection: { host: "h" }, credentials: { password: "p" }, path: "/x" },
            { connection: { host: "h" }, credentials: { password: "p" }, path: "/x", unknownArgs: ["recursive"] },
        );
        assert.deepStrictEqual(
            d.failures?.map((x) => x.property),
            ["recursive"],
        );
    });
});
