/** Error wordings that depend on the situation (issue 8 item 7); pure, and through the memory transport. */
import * as assert from "node:assert";
import { FiledropError, permissionDenied, withStateConnectionAdvice } from "../../provider/errors";
import { check, create, type RemoteFileInputs } from "../../provider/handlers/remoteFile";
import { freshServer, sha } from "./support/fixtures";

describe("errors", function () {
    it("a permission refusal on one of our temporaries names the folder and says it must be writable", function () {
        const e = permissionDenied(
            "sftp://u@h:22",
            "write",
            "/etc/app/.x.conf.filedrop-0123456789ab",
            "Permission denied",
        );
        assert.strictEqual(e.code, "PERMISSION_DENIED");
        assert.match(
            e.message,
            /^Permission denied to write a temporary file in folder sftp:\/\/u@h:22\/etc\/app: the server said "Permission denied"; the folder must be writable by the remote user, not only the file/,
        );
        const copy = permissionDenied("sftp://u@h:22", "write", "/etc/app/.x.conf.filedrop-backup-0123456789ab");
        assert.match(
            copy.message,
            /^Permission denied to write a copy of the earlier file in folder sftp:\/\/u@h:22\/etc\/app; the folder must be writable by the remote user/,
        );
        const plain = permissionDenied("sftp://u@h:22", "write", "/etc/app/x.conf");
        assert.match(
            plain.message,
            /^Permission denied to write sftp:\/\/u@h:22\/etc\/app\/x.conf; check the remote user's rights/,
        );
    });

    it("an upload into a folder that refuses new files reports the folder (memory transport)", async function () {
        const { server, connection, credentials } = freshServer();
        try {
            server.fs.mkdirp("/etc/app");
            server.fs.writeFile("/etc/app/x.conf", Buffer.from("old"));
            // What both real transports raise when the folder is read-only: permissionDenied on the temporary.
            server.failWhen(
                (c) => c.op === "write" && /\.filedrop-[0-9a-f]{12}$/.test(c.path),
                (c) => permissionDenied(`sftp://deploy@${connection.host}:22`, "write", c.path, "Permission denied"),
            );
            const i: RemoteFileInputs = {
                connection,
                credentials,
                path: "/etc/app/x.conf",
                content: "new",
                sha256: sha("new"),
                size: 3,
            };
            const checked = (await check(i, i)).inputs!;
            await assert.rejects(create(checked), (e: FiledropError) => {
                assert.strictEqual(e.code, "PERMISSION_DENIED");
                assert.match(
                    e.message,
                    new RegExp(`folder sftp://deploy@${connection.host}:22/etc/app: .*must be writable`),
                );
                return true;
            });
            assert.strictEqual(server.fs.text("/etc/app/x.conf"), "old");
        } finally {
            server.uninstall();
        }
    });

    it("host-key refusals on refresh/destroy say to run up first; other errors are unchanged", function () {
        const hk = new FiledropError(
            "HOST_KEY_MISMATCH",
            "Host key for sftp://u@h:22 is SHA256:new, which does not match the pinned `hostKey`; set `hostKey`.",
        );
        const e = withStateConnectionAdvice(hk, "destroy") as FiledropError;
        assert.strictEqual(e.code, "HOST_KEY_MISMATCH");
        assert.match(
            e.message,
            /destroy connects with the connection kept in the state, not the one in your program; .*run `pulumi up` first .*then destroy again; .*`pulumi state delete <urn>`/,
        );
        const other = new FiledropError("AUTH_FAILED", "x");
        assert.strictEqual(withStateConnectionAdvice(other, "refresh"), other);
    });
});
