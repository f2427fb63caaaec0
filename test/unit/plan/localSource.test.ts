/** One read of a RemoteFile `source` for the plan (plan/sourceText.ts readLocalSource) and the tree's hashCounted. */
import * as assert from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SOURCE_TEXT_HEADER, TEXT_DIFF_MAX_BYTES } from "../../../provider/defaults";
import { readLocalSource } from "../../../provider/plan/sourceText";
import { hashCounted } from "../../../provider/progress/localHashing";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("readLocalSource", function () {
    let dir: string;
    const write = (name: string, bytes: Buffer) => {
        const p = path.join(dir, name);
        fs.writeFileSync(p, bytes);
        return p;
    };
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-localsource-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("hashes a small text file and keeps its text behind the header", async function () {
        const bytes = Buffer.from("listen = 8080\nname = ü\n");
        const r = await readLocalSource(write("a.conf", bytes), "Hashing a.conf");
        assert.deepStrictEqual(r, {
            sha256: sha(bytes),
            size: bytes.length,
            text: SOURCE_TEXT_HEADER + bytes.toString(),
        });
    });

    it("keeps no text of a binary file, of one that is not UTF-8, or of one above the limit", async function () {
        for (const [name, bytes] of [
            ["nul.bin", Buffer.from([0x61, 0x00, 0x62])],
            ["latin1.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9])],
            ["big.txt", Buffer.alloc(TEXT_DIFF_MAX_BYTES + 1, "x")],
            ["huge.txt", Buffer.alloc(3 << 20, "y")], // streamed in 1 MiB chunks
        ] as const) {
            const r = await readLocalSource(write(name, bytes), `Hashing ${name}`);
            assert.deepStrictEqual(
                { ...r, text: r.text },
                { sha256: sha(bytes), size: bytes.length, text: undefined },
                name,
            );
        }
    });

    it("gives an empty SHA-256 for a file that cannot be read (check says why)", async function () {
        assert.deepStrictEqual(await readLocalSource(path.join(dir, "missing"), "x"), { sha256: "", size: 0 });
        assert.deepStrictEqual(await readLocalSource(dir, "x"), { sha256: "", size: 0 });
    });
});

describe("hashCounted", function () {
    it("hashes small files whole and large ones in chunks, counting every byte", async function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-hashcounted-"));
        try {
            for (const size of [0, 1024, 1 << 20, (1 << 20) + 1, 5 << 20]) {
                const bytes = Buffer.alloc(size, size % 251);
                const p = path.join(dir, `f${size}`);
                fs.writeFileSync(p, bytes);
                let counted = 0;
                const r = await hashCounted(p, (n) => (counted += n));
                assert.deepStrictEqual(r, { sha256: sha(bytes), size }, `size ${size}`);
                assert.strictEqual(counted, size, `bytes counted for size ${size}`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
