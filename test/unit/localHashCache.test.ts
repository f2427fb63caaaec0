/**
 * The local hash cache of tree sources (issue 22): a hit only for the very same stamp, never for a file written
 * in the instant of the walk (a same-size edit within the time granularity), dropped entries, damaged files, off.
 */
import * as assert from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cacheDir, LocalHashCache, RACY_MS, stampOf } from "../../provider/localHashCache";
import { buildManifest } from "../../provider/plan/treeSource";
import { localTree } from "./support/localTree";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("local hash cache", function () {
    let src: ReturnType<typeof localTree>;
    let dir: string;
    /** A walk that began well after the files were written (their times are older than the racy margin). */
    const later = () => Date.now() + RACY_MS + 1000;

    beforeEach(function () {
        src = localTree({ "a.txt": "aaaa", "b/c.txt": "cccc" });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-hash-cache-"));
    });
    afterEach(function () {
        src.remove();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const keep = (rel: string, content: string, walk = later()) => {
        const c = LocalHashCache.open(src.dir, walk, dir);
        c.put(rel, stampOf(path.join(src.dir, rel)), sha(content), content.length);
        c.save();
    };
    const lookup = (rel: string) =>
        LocalHashCache.open(src.dir, later(), dir).get(rel, stampOf(path.join(src.dir, rel)));

    it("gives back the hash of a file whose stamp is unchanged, in one file per source folder", function () {
        keep("a.txt", "aaaa");
        assert.strictEqual(lookup("a.txt"), sha("aaaa"));
        assert.strictEqual(lookup("b/c.txt"), undefined, "never hashed: not there");
        assert.strictEqual(fs.readdirSync(dir).length, 1);
        assert.strictEqual(fs.statSync(path.join(dir, fs.readdirSync(dir)[0])).mode & 0o777, 0o600);
    });

    it("a same-size edit that sets the old modification time back is a miss (the status-change time moved)", async function () {
        const abs = path.join(src.dir, "a.txt");
        const t = Math.floor(Date.now() / 1000) - 60; // whole seconds: utimes sets them exactly
        fs.utimesSync(abs, t, t);
        keep("a.txt", "aaaa");
        const before = fs.statSync(abs, { bigint: true });
        await new Promise((r) => setTimeout(r, 30)); // past the kernel's timestamp tick
        fs.writeFileSync(abs, "AAAA");
        fs.utimesSync(abs, t, t);
        const now = fs.statSync(abs, { bigint: true });
        assert.deepStrictEqual([now.size, now.mtimeNs, now.ino], [before.size, before.mtimeNs, before.ino]);
        assert.strictEqual(lookup("a.txt"), undefined);
    });

    it("a file written in the instant of the walk is not kept: a same-size edit in the same tick cannot hit", function () {
        keep("a.txt", "aaaa", Date.now()); // the walk began now; the file is as new as that
        assert.strictEqual(lookup("a.txt"), undefined);
        keep("a.txt", "aaaa", Date.now() + RACY_MS - 500); // still inside the margin
        assert.strictEqual(lookup("a.txt"), undefined);
    });

    it("a replaced file (another inode) or another size is a miss", function () {
        keep("a.txt", "aaaa");
        const abs = path.join(src.dir, "a.txt");
        fs.writeFileSync(`${abs}.new`, "aaaa");
        fs.renameSync(`${abs}.new`, abs);
        assert.strictEqual(lookup("a.txt"), undefined);
        const c = LocalHashCache.open(src.dir, later(), dir);
        c.put("b/c.txt", stampOf(path.join(src.dir, "b/c.txt")), sha("cccc"), 3); // read 3 bytes, stamp says 4
        c.save();
        assert.strictEqual(lookup("b/c.txt"), undefined);
    });

    it("entries of files the walk no longer saw drop out; a damaged cache is an empty one", function () {
        keep("a.txt", "aaaa");
        const c = LocalHashCache.open(src.dir, later(), dir);
        c.put("b/c.txt", stampOf(path.join(src.dir, "b/c.txt")), sha("cccc"), 4);
        c.save();
        assert.strictEqual(lookup("a.txt"), undefined, "a.txt was not looked up by that walk");
        assert.strictEqual(lookup("b/c.txt"), sha("cccc"));
        const file = path.join(dir, fs.readdirSync(dir)[0]);
        fs.writeFileSync(file, "{ not json");
        assert.strictEqual(lookup("b/c.txt"), undefined);
        fs.writeFileSync(file, JSON.stringify({ v: 1, root: "/elsewhere", entries: {} }));
        assert.strictEqual(lookup("b/c.txt"), undefined);
    });

    it("FILEDROP_HASH_CACHE names the folder or turns the cache off", function () {
        assert.strictEqual(cacheDir({ FILEDROP_HASH_CACHE: "off" }), undefined);
        assert.strictEqual(cacheDir({ FILEDROP_HASH_CACHE: "/x/y" }), "/x/y");
        assert.strictEqual(cacheDir({ XDG_CACHE_HOME: "/c" }), "/c/pulumi-filedrop/hashes");
        const off = LocalHashCache.open(src.dir, later(), undefined);
        off.put("a.txt", stampOf(path.join(src.dir, "a.txt")), sha("aaaa"), 4);
        off.save();
        assert.deepStrictEqual(fs.readdirSync(dir), []);
    });

    it("buildManifest hashes an edited file again and takes the others from the cache", async function () {
        const saved = process.env.FILEDROP_HASH_CACHE;
        process.env.FILEDROP_HASH_CACHE = dir;
        try {
            // Files older than the racy margin, as in a checkout made before the run.
            keep("a.txt", "aaaa");
            const c = LocalHashCache.open(src.dir, later(), dir);
            c.get("a.txt", stampOf(path.join(src.dir, "a.txt")));
            c.put("b/c.txt", stampOf(path.join(src.dir, "b/c.txt")), "f".repeat(64), 4); // a hash only the cache knows
            c.save();
            const first = (await buildManifest(src.dir, {})).manifest;
            assert.strictEqual(first["b/c.txt"].sha256, "f".repeat(64), "taken from the cache");
            assert.strictEqual(first["a.txt"].sha256, sha("aaaa"));
            await new Promise((r) => setTimeout(r, 30));
            src.write("b/c.txt", "CCCC");
            const second = (await buildManifest(src.dir, {})).manifest;
            assert.strictEqual(second["b/c.txt"].sha256, sha("CCCC"), "the edit is hashed");
        } finally {
            if (saved === undefined) {
                delete process.env.FILEDROP_HASH_CACHE;
            } else {
                process.env.FILEDROP_HASH_CACHE = saved;
            }
        }
    });
});
