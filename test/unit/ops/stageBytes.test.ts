/**
 * Issue 22, the 50,000-file first up: a tree's small files are sent as the buffers read (no stream pipeline per
 * file), and a file that lands as planned is recorded by the plan's own entry (no second object per file). Same
 * upload as ever: an exclusive 0600 temporary, the SHA-256 checked, then the rename.
 */
import * as assert from "node:assert";
import { Readable } from "node:stream";
import { stageUpload } from "../../../provider/ops/stage";
import { landedEntry } from "../../../provider/ops/treeUpload";
import { verifyStaged } from "../../../provider/ops/verify";
import { freshServer, onServer, sha } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

describe("ops/stage: a small file held in memory (issue 22)", function () {
    let f: ReturnType<typeof freshServer>;
    let server: MemoryServer;

    beforeEach(function () {
        f = freshServer();
        server = f.server;
        server.fs.mkdir("/srv");
    });
    afterEach(() => server.uninstall());

    /** A spec of `bytes` held in memory, counting the streams opened and the bytes counted. */
    function heldSpec(path: string, bytes: Buffer, planned: boolean) {
        const seen = { opened: 0, counted: 0 };
        const spec = {
            path,
            open: () => {
                seen.opened++;
                return Readable.from([bytes]);
            },
            bytes,
            expectedSha256: planned ? sha(bytes) : undefined,
            counted: (n: number) => {
                seen.counted += n;
            },
        };
        return { spec, seen };
    }

    it("is written whole to an exclusive 0600 temporary without opening a stream, counted, and verifies", async function () {
        const bytes = Buffer.from("hello, tree\n");
        const { spec, seen } = heldSpec("/srv/a.txt", bytes, true);
        const staged = await onServer(f.connection, (t) => stageUpload(t, spec));
        assert.strictEqual(seen.opened, 0, "no stream was opened for bytes already in memory");
        assert.strictEqual(seen.counted, bytes.length);
        assert.strictEqual(staged.size, bytes.length);
        assert.ok(server.fs.readFile(staged.tmp).equals(bytes));
        assert.strictEqual(server.fs.lstat(staged.tmp)?.mode, 0o600);
        const write = server.callsOf("write").find((c) => c.path === staged.tmp);
        assert.ok(write !== undefined, "written by the transport's write");
        const verdicts = await onServer(f.connection, (t) => verifyStaged(t, [staged]));
        assert.strictEqual(typeof verdicts[0], "string", "the server's SHA-256 is the plan's");
    });

    it("without the plan's SHA-256 it is streamed and hashed on the way, as any upload", async function () {
        const bytes = Buffer.from("no plan\n");
        const { spec, seen } = heldSpec("/srv/b.txt", bytes, false);
        const staged = await onServer(f.connection, (t) => stageUpload(t, spec));
        assert.strictEqual(seen.opened, 1);
        assert.strictEqual(seen.counted, bytes.length);
        assert.strictEqual(staged.sha256, sha(bytes));
    });
});

describe("ops/treeUpload: landedEntry", function () {
    it("is the plan's entry object when the file landed as planned, else a new entry with what landed", function () {
        const planned = { sha256: "a".repeat(64), size: 3, mode: "0640" };
        assert.strictEqual(landedEntry(planned, "a".repeat(64), 3), planned);
        assert.deepStrictEqual(landedEntry(planned, "b".repeat(64), 3), {
            sha256: "b".repeat(64),
            size: 3,
            mode: "0640",
        });
        assert.deepStrictEqual(landedEntry(planned, "a".repeat(64), 4), {
            sha256: "a".repeat(64),
            size: 4,
            mode: "0640",
        });
    });
});
