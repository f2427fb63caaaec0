/**
 * The pool's abort (provider/transport/pool.ts abortAll), which runs when the Pulumi engine is gone: an upload in
 * flight stops at once, no new connection is opened (not even by the pool's retry), and the resumable temporary
 * stays for the next `pulumi up`. Memory transport.
 */
import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { resumableTemporaryFor } from "../../../provider/ops/temporaries";
import { verifiedUpload } from "../../../provider/ops/upload";
import { abortAll } from "../../../provider/transport/pool";
import { freshServer, onServer, sha } from "../support/fixtures";

describe("transport/pool: abortAll stops every transfer for good", function () {
    this.timeout(20_000); // the machine is shared
    it("an upload in flight fails, nothing more is written, no connection is opened, the temporary stays", async function () {
        const f = freshServer();
        const data = randomBytes(4 << 20);
        let lift: (() => void) | undefined;
        try {
            const chunks = Array.from({ length: 64 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
            const slow = () =>
                Readable.from(
                    (async function* () {
                        for (const c of chunks) {
                            await new Promise((r) => setTimeout(r, 2));
                            yield c;
                        }
                    })(),
                );
            const path = "/srv/big.bin";
            const upload = onServer(f.connection, (t) =>
                verifiedUpload(t, {
                    path,
                    open: slow,
                    expectedSha256: sha(data),
                    size: data.length,
                    createParents: true,
                }),
            );
            while (f.server.bytesWritten < 1 << 20) {
                await new Promise((r) => setTimeout(r, 2));
            }
            lift = abortAll("the engine is gone");
            await assert.rejects(upload, (e: Error) => /the engine is gone/.test(e.message));
            const written = f.server.bytesWritten;
            await new Promise((r) => setTimeout(r, 50));
            assert.strictEqual(f.server.bytesWritten, written, "nothing written after the abort");
            assert.ok(written < data.length, `stopped part way (${written} of ${data.length})`);
            assert.strictEqual(f.server.connections, 1, "no new connection, not even the pool's retry");
            const kept = f.server.fs.lstat(resumableTemporaryFor(path, sha(data)));
            assert.ok(kept?.kind === "file" && kept.data.length === written, "the temporary stays for the next up");
            await assert.rejects(
                onServer(f.connection, async () => "ran"),
                /the engine is gone/,
            );
            lift();
            assert.strictEqual(await onServer(f.connection, async () => "ran"), "ran", "lifted again for other tests");
        } finally {
            lift?.();
            await f.server.uninstall();
        }
    });
});
