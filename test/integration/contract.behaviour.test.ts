/**
 * The transport contract, behaviour half: the same tests over the `Transport` interface (opened as the provider
 * opens it) on every real transport and server of contract/subjects.ts — OpenSSH sftp, vsftpd explicit and implicit
 * FTPS, ProFTPD explicit FTPS. What one transport does, every transport does, or declares it cannot.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { hasCode, isFiledropError } from "../../provider/errors";
import type { Transport } from "../../provider/transport/types";
import { contractIt } from "../harness/contract/pending";
import { open, SUBJECTS, scratchRemote } from "../harness/contract/subjects";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function readAll(r: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of r) {
        chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
}

for (const subject of SUBJECTS) {
    describe(`transport contract: ${subject.name}`, function () {
        let t: Transport;
        let root: string;
        let uid: number;
        let gid: number;
        const test = (title: string, fn: Mocha.AsyncFunc) => contractIt(subject.name, title, fn);

        before(async function () {
            const r = await scratchRemote("contract");
            root = r.dir;
            uid = r.w.uid;
            gid = r.w.gid;
            t = await open(await subject.endpoint());
        });
        after(async () => t?.close());

        test("declares its capabilities", async function () {
            assert.deepStrictEqual({ ...t.capabilities }, subject.capabilities);
        });

        test("stats nothing as undefined, makes, lists and removes a folder", async function () {
            const d = path.join(root, "a folder");
            assert.strictEqual(await t.stat(d), undefined);
            await t.mkdir(d);
            assert.strictEqual((await t.stat(d))?.kind, "directory");
            assert.ok(fs.statSync(d).isDirectory());
            await assert.rejects(t.mkdir(d), (e: unknown) => isFiledropError(e));
            const listed = (await t.list(root)).find((e) => e.name === "a folder");
            assert.strictEqual(listed?.stat.kind, "directory");
            await t.rmdir(d);
            assert.ok(!fs.existsSync(d));
            assert.strictEqual(await t.stat(d), undefined);
        });

        test("writes and reads back a zero-byte file", async function () {
            const p = path.join(root, "empty");
            assert.strictEqual(await t.write(p, Readable.from([])), 0);
            assert.strictEqual(fs.statSync(p).size, 0);
            assert.strictEqual((await t.stat(p))?.size, 0);
            assert.strictEqual((await readAll(await t.read(p))).length, 0);
        });

        test("an exclusive write creates only: a file, a link or a dangling link at the path refuses it, nothing is written through (issue 19)", async function () {
            const victim = path.join(root, "victim");
            fs.writeFileSync(victim, "untouched");
            const fresh = path.join(root, "side-new");
            assert.strictEqual(await t.write(fresh, Readable.from([Buffer.from("ok")]), 0o600, { exclusive: true }), 2);
            assert.strictEqual(fs.readFileSync(fresh, "utf8"), "ok");
            const listed = (await t.list(root)).find((e) => e.name === "side-new")?.stat;
            // Where a listing tells no link count (ProFTPD's MLSD), side files found there are never continued.
            assert.ok(listed?.nlink === 1 || listed?.nlink === undefined, `link count ${listed?.nlink}`);
            const planted = [
                ["side-file", () => fs.writeFileSync(path.join(root, "side-file"), "theirs")],
                ["side-link", () => fs.symlinkSync(victim, path.join(root, "side-link"))],
                ["side-dangling", () => fs.symlinkSync(path.join(root, "nowhere"), path.join(root, "side-dangling"))],
            ] as const;
            for (const [name, plant] of planted) {
                plant();
                await assert.rejects(
                    t.write(path.join(root, name), Readable.from([Buffer.from("ours")]), 0o600, { exclusive: true }),
                    (e: unknown) => hasCode(e, "ALREADY_EXISTS"),
                    name,
                );
            }
            assert.strictEqual(fs.readFileSync(victim, "utf8"), "untouched");
            assert.strictEqual(fs.readFileSync(path.join(root, "side-file"), "utf8"), "theirs");
            assert.ok(!fs.existsSync(path.join(root, "nowhere")), "the dangling link was not followed");
        });

        test("writes and reads back a multi-MB file, byte for byte", async function () {
            const body = randomBytes(9 << 20);
            const p = path.join(root, "big.bin");
            assert.strictEqual(
                await t.write(p, Readable.from([body.subarray(0, 1 << 20), body.subarray(1 << 20)])),
                body.length,
            );
            assert.strictEqual(sha(fs.readFileSync(p)), sha(body));
            const st = await t.stat(p);
            assert.strictEqual(st?.kind, "file");
            assert.strictEqual(st?.size, body.length);
            assert.strictEqual(sha(await readAll(await t.read(p))), sha(body));
            const listed = (await t.list(root)).find((e) => e.name === "big.bin");
            assert.strictEqual(listed?.stat.kind, "file");
            assert.strictEqual(listed?.stat.size, body.length);
        });

        test("writes with a mode from the first byte and changes it", async function () {
            const p = path.join(root, "private");
            await t.write(p, Readable.from([Buffer.from("secret\n")]), 0o600);
            assert.strictEqual(fs.statSync(p).mode & 0o777, 0o600);
            assert.strictEqual((await t.stat(p))?.mode, 0o600);
            await t.chmod(p, 0o640);
            assert.strictEqual(fs.statSync(p).mode & 0o777, 0o640);
            assert.strictEqual((await t.stat(p))?.mode, 0o640);
        });

        test("renames over an existing file", async function () {
            const from = path.join(root, "new.tmp");
            const to = path.join(root, "target.txt");
            await t.write(to, Readable.from([Buffer.from("old\n")]));
            await t.write(from, Readable.from([Buffer.from("new\n")]));
            await t.rename(from, to);
            assert.strictEqual(fs.readFileSync(to, "utf8"), "new\n");
            assert.ok(!fs.existsSync(from));
            assert.strictEqual(t.capabilities.atomicOverwrite, subject.capabilities.atomicOverwrite);
        });

        test("removes a file, and one that is already gone", async function () {
            const p = path.join(root, "doomed");
            await t.write(p, Readable.from([Buffer.from("x")]));
            await t.remove(p);
            assert.ok(!fs.existsSync(p));
            await t.remove(p);
        });

        test("reading a missing file is a REMOTE_IO error, never an empty file", async function () {
            await assert.rejects((async () => readAll(await t.read(path.join(root, "missing"))))(), (e: unknown) =>
                hasCode(e, "REMOTE_IO"),
            );
        });

        test("computes SHA-256 on the server where it offers a way, and says how", async function () {
            const body = randomBytes(300_000);
            const p = path.join(root, "hashed.bin");
            await t.write(p, Readable.from([body]));
            const r = await t.remoteSha256(p);
            if (subject.hashMethod === undefined) {
                assert.strictEqual(r, undefined);
            } else {
                assert.strictEqual(r?.sha256, sha(body));
                assert.match(r!.method, subject.hashMethod);
            }
        });

        test("does what it declares for exec and chown, and refuses the rest as UNSUPPORTED", async function () {
            const p = path.join(root, "owned");
            await t.write(p, Readable.from([Buffer.from("x")]));
            if (subject.capabilities.exec) {
                assert.strictEqual((await t.exec("printf ok")).stdout, "ok");
            } else {
                await assert.rejects(t.exec("true"), (e: unknown) => hasCode(e, "UNSUPPORTED"));
            }
            if (subject.capabilities.chown) {
                await t.chown(p, uid, gid);
                assert.strictEqual(fs.statSync(p).uid, uid);
            } else {
                await assert.rejects(t.chown(p, uid, gid), (e: unknown) => hasCode(e, "UNSUPPORTED"));
            }
        });
    });
}
