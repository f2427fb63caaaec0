/**
 * A RemoteFile upload interrupted by a lost connection (issue 19 item 8), on the memory transport: the failure says
 * to run `pulumi up` again (not `pulumi refresh`), a refresh in between keeps the partial upload, and the next
 * create continues it.
 */
import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connectionLost } from "../../../provider/errors";
import {
    check,
    create,
    type RemoteFileInputs,
    type RemoteFileOutputs,
    read,
    update,
} from "../../../provider/handlers/remoteFile";
import { resumableTemporaryFor } from "../../../provider/ops/temporaries";
import { RESUME_ADVICE } from "../../../provider/resumeAdvice";
import { checkedBy, createdBy, freshServer, remoteFileInputs, sha } from "../support/fixtures";

describe("RemoteFile: an interrupted upload (memory transport)", function () {
    this.timeout(30_000); // the machine is shared
    it("fails saying to run `pulumi up` again; a refresh keeps the partial upload; the next up continues it", async function () {
        const f = freshServer();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-interrupted-"));
        try {
            const old = "old\n";
            const target = "/srv/big.bin";
            const first = await createdBy<RemoteFileInputs, RemoteFileOutputs>(
                create,
                await checkedBy(check, remoteFileInputs(f, target, old)),
            );
            const data = randomBytes(4 << 20);
            const file = path.join(dir, "big.bin");
            fs.writeFileSync(file, data);
            const news: RemoteFileInputs = await checkedBy(check, {
                connection: f.connection,
                credentials: f.credentials,
                path: target,
                sourcePath: file,
                sha256: sha(data),
                size: data.length,
            });
            // The connection drops after 1 MB, and every later connection at once (the network is down).
            f.server.cutAfterBytes(1_000_000);
            const base = f.server.bytesWritten;
            f.server.failWhen(
                () => f.server.bytesWritten >= base + 1_000_000,
                (c) => connectionLost(`sftp://deploy@${f.connection.host}:22`, c.op, c.path),
            );
            await assert.rejects(update(first.id, first.outs, news), (e: Error) => {
                assert.ok(e.message.endsWith(RESUME_ADVICE), e.message);
                assert.ok(!/run the deployment again/.test(e.message), e.message);
                return true;
            });
            f.server.clearFailures();
            const tmp = resumableTemporaryFor(target, sha(data));
            assert.strictEqual(f.server.fs.readFile(tmp).length, 1_000_000, "the partial upload is kept");

            await read(first.id, first.outs); // `pulumi refresh`, with the state of the first up
            assert.strictEqual(f.server.fs.readFile(tmp).length, 1_000_000, "the refresh kept it");

            const written = f.server.bytesWritten;
            await update(first.id, first.outs, news);
            assert.ok(f.server.fs.readFile(target).equals(data));
            assert.strictEqual(f.server.bytesWritten - written, data.length - 1_000_000, "only the rest was sent");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
            await f.server.uninstall();
        }
    });
});
