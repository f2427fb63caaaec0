/** The verified download (ops/download.ts) on the memory transport: verification, limits, files that change. */
import * as assert from "node:assert";
import { hasCode } from "../../../provider/errors";
import { verifiedDownload } from "../../../provider/ops/download";
import type { Transport } from "../../../provider/transport/types";
import { freshServer, onServer, sha } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

describe("verifiedDownload (memory transport)", function () {
    let server: MemoryServer;
    let connection: ReturnType<typeof freshServer>["connection"];

    beforeEach(function () {
        ({ server, connection } = freshServer());
        server.fs.mkdirp("/etc/k3s");
        server.fs.writeFile("/etc/k3s/k3s.yaml", "apiVersion: v1\n");
    });
    afterEach(() => server.uninstall());

    /** The transport, with `read` replaced (to change the file while it is read). */
    const withRead = (t: Transport, after: (path: string) => void): Transport =>
        Object.assign(Object.create(t), {
            read: async (p: string) => {
                const s = await t.read(p);
                after(p);
                return s;
            },
        });

    it("checks the bytes received against the size and the server's own SHA-256", async function () {
        const got = await onServer(connection, (t) => verifiedDownload(t, "/etc/k3s/k3s.yaml", 1024));
        assert.strictEqual(got?.bytes.toString(), "apiVersion: v1\n");
        assert.strictEqual(got?.sha256, sha("apiVersion: v1\n"));
        assert.strictEqual(got?.verifiedBy, "ssh exec: openssl dgst -sha256 + bytes received");
    });

    it("says so when the server cannot hash (the bytes received are still counted and hashed)", async function () {
        server.hashing = "none";
        const got = await onServer(connection, (t) => verifiedDownload(t, "/etc/k3s/k3s.yaml", 1024));
        assert.strictEqual(got?.verifiedBy, "size + SHA-256 of the bytes received (the server offers no hash)");
    });

    it("refuses a file above the limit before reading it, with what to do", async function () {
        await assert.rejects(
            onServer(connection, (t) => verifiedDownload(t, "/etc/k3s/k3s.yaml", 10)),
            (e: Error) =>
                hasCode(e, "TOO_LARGE") &&
                /k3s\.yaml is 15 bytes, above the RemoteDownload limit of 10 bytes; .*raise `maxSize`/.test(e.message),
        );
        assert.strictEqual(server.callsOf("read").length, 0);
    });

    it("reads again a file that changed while it was read, and gives up after a few attempts", async function () {
        let changes = 0;
        const once = await onServer(connection, (t) =>
            verifiedDownload(
                withRead(t, (p) => changes++ === 0 && server.fs.writeFile(p, "apiVersion: v2, longer\n")),
                "/etc/k3s/k3s.yaml",
                1024,
            ),
        );
        assert.strictEqual(once?.bytes.toString(), "apiVersion: v2, longer\n", "the second read is the new file");
        let n = 0;
        await assert.rejects(
            onServer(connection, (t) =>
                verifiedDownload(
                    withRead(t, (p) => server.fs.writeFile(p, `v${++n}, ${"x".repeat(n)}\n`)),
                    "/etc/k3s/k3s.yaml",
                    1024,
                ),
            ),
            (e: Error) => hasCode(e, "VERIFY_FAILED") && /in 3 attempts .*kept changing/.test(e.message),
        );
    });

    it("follows a symlink; nothing there is undefined; a folder is refused", async function () {
        server.fs.symlink("/etc/k3s/k3s.yaml", "/etc/kubeconfig");
        const got = await onServer(connection, (t) => verifiedDownload(t, "/etc/kubeconfig", 1024));
        assert.strictEqual(got?.bytes.toString(), "apiVersion: v1\n");
        assert.strictEqual(await onServer(connection, (t) => verifiedDownload(t, "/etc/none", 1024)), undefined);
        await assert.rejects(
            onServer(connection, (t) => verifiedDownload(t, "/etc/k3s", 1024)),
            /is a directory, not a file/,
        );
    });
});
