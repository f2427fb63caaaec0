/**
 * Resumed uploads on real servers (issue 12 item 2): OpenSSH's sftp-server (write at the offset), vsftpd and
 * ProFTPD (APPE), each behind the dropping proxy. A cut upload keeps its content-named temporary; the pool's retry,
 * or a later run on a new connection, sends only the rest, and the file verifies whole by SHA-256. Stock ProFTPD
 * refuses APPE and REST+STOR ("451 Append/Restart not permitted" without `AllowStoreRestart on`): there the whole
 * file is sent again, over the kept temporary.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { hasCode } from "../../provider/errors";
import { resumableTemporaryFor } from "../../provider/ops/temporaries";
import { verifiedUpload } from "../../provider/ops/upload";
import { closeAll, withTransport } from "../../provider/transport/pool";
import type { Transport } from "../../provider/transport/types";
import { open, SUBJECTS, scratchRemote } from "../harness/contract/subjects";
import { scratchDir } from "../harness/world";

const SIZE = 16 << 20;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const temporaries = (dir: string) => fs.readdirSync(dir).filter((n) => n.includes(".filedrop-"));
/** The payload in 1 MiB chunks, as a file stream would give it. */
const chunks = (b: Buffer) => () =>
    Readable.from(
        Array.from({ length: Math.ceil(b.length / (1 << 20)) }, (_, i) => b.subarray(i << 20, (i + 1) << 20)),
    );
const upload = (t: Transport, target: string, body: Buffer) =>
    verifiedUpload(t, {
        path: target,
        open: chunks(body),
        expectedSha256: sha(body),
        size: body.length,
        createParents: true,
    });

/** The size of `file` once it holds still (a server may still be writing what it received before a cut); bounded. */
async function settledSize(file: string): Promise<number> {
    let size = fs.statSync(file).size;
    for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 250));
        const now = fs.statSync(file).size;
        if (now === size) {
            break;
        }
        size = now;
    }
    return size;
}

let serverDirs = 0;
const serverDir = (name: string) => path.join(scratchDir(), "servers", `resume-${name}-${serverDirs++}`);

for (const subject of SUBJECTS) {
    describe(`resume of a cut upload: ${subject.name}`, function () {
        after(() => closeAll());

        it("the pool's retry after a cut at half way sends only the rest; a run after a cut that was not retried continues the temporary", async function () {
            const { dir } = await scratchRemote("resume");
            const payload = randomBytes(SIZE);
            const target = path.join(dir, "big.bin");
            const next = Buffer.concat([payload.subarray(0, SIZE / 2), randomBytes(SIZE / 2)]);
            const tmp = resumableTemporaryFor(target, sha(next));
            let kept = 0;
            const sftp = subject.name.startsWith("sftp");
            const resumes = !subject.name.includes("ProFTPD");
            // SSH: a cut per connection (the first, then the retry's never, then the third at a quarter); FTP: one count
            // over all connections, armed again for step 2.
            const cuts = sftp ? [SIZE / 2, 1e12, SIZE / 4] : [SIZE / 2];
            const proxied = await subject.behindProxy(serverDir("cut"), cuts);
            try {
                // 1. Cut at ~50 % of the bytes; the pool runs the upload again on a new connection.
                const r = await withTransport(proxied.endpoint.connection, proxied.endpoint.creds, (t) =>
                    upload(t, target, payload),
                );
                assert.strictEqual(proxied.proxy.cutsMade, 1);
                assert.strictEqual(sha(fs.readFileSync(target)), sha(payload));
                // What the server kept of the cut attempt depends on socket buffers (loopback's are megabytes); the
                // bench (bench/resume.ts) measures the share on a 1 GiB file.
                assert.strictEqual(r.resumedFrom! + r.bytesSent!, SIZE);
                if (resumes) {
                    assert.ok(r.resumedFrom! > 0, `resumed from ${r.resumedFrom}`);
                } else {
                    assert.strictEqual(r.resumedFrom, 0);
                }
                assert.deepStrictEqual(temporaries(dir), []);
                await closeAll();

                // 2. A cut part way through with nobody retrying (as when the run is killed): the temporary stays.
                if (!sftp) {
                    proxied.proxy.armCut(SIZE / 4);
                }
                const t = await open(proxied.endpoint);
                try {
                    await assert.rejects(upload(t, target, next), (e: unknown) => hasCode(e, "CONNECTION_LOST"));
                } finally {
                    await t.close();
                }
                assert.strictEqual(proxied.proxy.cutsMade, 2);
                assert.deepStrictEqual(temporaries(dir), [path.basename(tmp)]);
                kept = await settledSize(tmp);
                assert.ok(kept > 0 && kept < SIZE, `kept ${kept} bytes`);
            } finally {
                await proxied.stop();
            }
            // 3. The next run, on a new connection to the server, continues it and sends only the rest.
            const t2 = await open(await subject.endpoint());
            try {
                const r2 = await upload(t2, target, next);
                assert.strictEqual(r2.resumedFrom, resumes ? kept : 0);
                assert.strictEqual(r2.bytesSent, resumes ? SIZE - kept : SIZE);
            } finally {
                await t2.close();
            }
            assert.strictEqual(sha(fs.readFileSync(target)), sha(next));
            assert.deepStrictEqual(temporaries(dir), []);
        });
    });
}
