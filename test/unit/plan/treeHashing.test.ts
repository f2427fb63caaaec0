/**
 * How the program hashes a tree's files (provider/progress/localHashing.ts hashCounted, with the size the walk saw):
 * small ones whole, large ones streamed.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildManifest } from "../../../provider/plan/treeSource";
import { hashCounted } from "../../../provider/progress/localHashing";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("plan/treeSource: hashing the files", () => {
    let dir: string;
    const small = randomBytes(4096);
    const large = randomBytes((1 << 20) + 5);
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "tree-hash-"));
        fs.writeFileSync(path.join(dir, "small.bin"), small);
        fs.writeFileSync(path.join(dir, "large.bin"), large);
        fs.writeFileSync(path.join(dir, "empty.bin"), "");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a small file is read whole, a large one streamed: both give the SHA-256 and size, and count every byte", async () => {
        for (const [name, bytes] of [
            ["small.bin", small],
            ["large.bin", large],
            ["empty.bin", Buffer.alloc(0)],
        ] as const) {
            let counted = 0;
            const r = await hashCounted(path.join(dir, name), (n) => (counted += n), bytes.length);
            assert.deepStrictEqual(r, { sha256: sha(bytes), size: bytes.length }, name);
            assert.strictEqual(counted, bytes.length, name);
        }
    });

    it("the size is what was read, not what the walk saw (a file that grew since)", async () => {
        const r = await hashCounted(path.join(dir, "small.bin"), () => undefined, 10);
        assert.strictEqual(r.size, small.length);
        const s = await hashCounted(path.join(dir, "small.bin"), () => undefined, 5 << 20);
        assert.deepStrictEqual(s, r, "streamed when the walk saw it large: same answer");
    });

    it("the manifest holds each file's SHA-256 and size", async () => {
        const { manifest } = await buildManifest(dir, {});
        assert.deepStrictEqual(Object.fromEntries(Object.entries(manifest).map(([k, e]) => [k, [e.sha256, e.size]])), {
            "empty.bin": [sha(Buffer.alloc(0)), 0],
            "large.bin": [sha(large), large.length],
            "small.bin": [sha(small), small.length],
        });
    });
});
