/**
 * Resumed uploads (issue 12 item 2) on the memory transport: a cut connection keeps the temporary named after the
 * content, and the next attempt (the pool's retry, or a later run) sends only the rest; a temporary that is not a
 * prefix of the file is discarded and the file is sent whole. The target always ends byte for byte right.
 */
import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { connectionLost, hasCode } from "../../../provider/errors";
import { resumableTemporaryFor } from "../../../provider/ops/temporaries";
import { verifiedUpload } from "../../../provider/ops/upload";
import type { Transport } from "../../../provider/transport/types";
import { freshServer, onServer, sha, temporaries } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

const SIZE = 4 << 20;
const chunks = (b: Buffer) => () =>
    Readable.from(Array.from({ length: b.length / 65536 }, (_, i) => b.subarray(i * 65536, (i + 1) * 65536)));

describe("ops/upload: resume an interrupted upload (memory transport)", function () {
    this.timeout(30_000); // 4 MiB through the memory transport; the machine is shared
    let server: MemoryServer;
    let run: <T>(op: (t: Transport) => Promise<T>) => Promise<T>;
    const data = randomBytes(SIZE);
    const path = "/srv/big.bin";
    const tmp = resumableTemporaryFor(path, sha(data));
    const up = () =>
        run((t) =>
            verifiedUpload(t, { path, open: chunks(data), expectedSha256: sha(data), size: SIZE, createParents: true }),
        );

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        run = (op) => onServer(f.connection, op);
    });
    afterEach(() => server.uninstall());

    it("a connection cut at half way: the pool's retry sends only the rest, and the file verifies whole", async function () {
        server.cutAfterBytes(SIZE / 2);
        const r = await up();
        assert.ok(server.fs.readFile(path).equals(data));
        assert.strictEqual(r.resumedFrom, SIZE / 2);
        assert.strictEqual(r.bytesSent, SIZE / 2);
        assert.strictEqual(server.bytesWritten, SIZE, "every byte crossed the wire once");
        assert.strictEqual(r.sha256, sha(data));
        assert.ok(server.connections >= 2, "the retry ran on a new connection");
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a prefix left by a killed run is continued by the next run; other temporaries of the file are swept", async function () {
        server.fs.mkdir("/srv");
        server.fs.writeFile(tmp, data.subarray(0, 1_000_000), 0o600);
        server.fs.writeFile("/srv/.big.bin.filedrop-0123456789ab", "stale", 0o600);
        const r = await up();
        assert.ok(server.fs.readFile(path).equals(data));
        assert.strictEqual(r.resumedFrom, 1_000_000);
        assert.strictEqual(server.bytesWritten, SIZE - 1_000_000);
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a temporary whose prefix is not what we send is discarded after verification, and the file is sent whole", async function () {
        server.fs.mkdir("/srv");
        const wrong = Buffer.from(data.subarray(0, 1_000_000));
        wrong[500] ^= 0xff;
        server.fs.writeFile(tmp, wrong, 0o600);
        const r = await up();
        assert.ok(server.fs.readFile(path).equals(data));
        assert.strictEqual(r.resumedFrom, 0);
        assert.strictEqual(server.bytesWritten, SIZE - 1_000_000 + SIZE);
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a temporary longer than the file cannot be its prefix: removed before a whole upload", async function () {
        server.fs.mkdir("/srv");
        server.fs.writeFile(tmp, Buffer.concat([data, Buffer.from("x")]), 0o600);
        const r = await up();
        assert.ok(server.fs.readFile(path).equals(data));
        assert.strictEqual(r.resumedFrom, 0);
        assert.strictEqual(server.bytesWritten, SIZE);
    });

    it("a server that cannot continue a file gets the whole file again on the retry", async function () {
        server.resumableWrites = false;
        server.cutAfterBytes(SIZE / 2);
        const r = await up();
        assert.ok(server.fs.readFile(path).equals(data));
        assert.strictEqual(r.resumedFrom, 0);
        assert.strictEqual(server.bytesWritten, SIZE + SIZE / 2);
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a cut on every attempt leaves the resumable temporary for the next run, which finishes it", async function () {
        server.failWhen(
            (c) => c.op === "write" && server.callsOf("write").length > 1,
            (c) => connectionLost("mem", c.op, c.path),
        );
        server.cutAfterBytes(SIZE / 4);
        await assert.rejects(up(), (e: unknown) => hasCode(e, "CONNECTION_LOST") || hasCode(e, "REMOTE_IO"));
        assert.deepStrictEqual(temporaries(server), [tmp.slice(1)]);
        assert.strictEqual(server.fs.readFile(tmp).length, SIZE / 4);
        server.clearFailures();
        const r = await up();
        assert.strictEqual(r.resumedFrom, SIZE / 4);
        assert.ok(server.fs.readFile(path).equals(data));
        assert.deepStrictEqual(temporaries(server), []);
    });

    it("a failure that is not a cut (the source changed) removes the temporary", async function () {
        const other = Buffer.from(data);
        other[SIZE - 1] ^= 0xff;
        await assert.rejects(
            run((t) =>
                verifiedUpload(t, {
                    path,
                    open: chunks(other),
                    expectedSha256: sha(data),
                    size: SIZE,
                    createParents: true,
                }),
            ),
            (e: unknown) => hasCode(e, "SOURCE_CHANGED"),
        );
        assert.deepStrictEqual(temporaries(server), []);
    });
});
