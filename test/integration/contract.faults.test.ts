/**
 * The transport contract, fault half: what a real server and network can do to an upload, on every transport and
 * server of contract/subjects.ts, through the provider's verified upload. Faults: a corrupted transfer, a connection
 * cut through a dropping proxy (FTP: control and passive data connections both pass through it), a full disk (a
 * small tmpfs), and rename over an existing file refused by the server's configuration. Outcomes asserted are the
 * ones users care about: the typed error code, the target never partial or lost, temporaries removed or swept.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { hasCode, isFiledropError } from "../../provider/errors";
import { verifiedUpload } from "../../provider/ops/upload";
import { closeAll, withTransport } from "../../provider/transport/pool";
import type { Transport } from "../../provider/transport/types";
import { contractIt, declared, PENDING } from "../harness/contract/pending";
import { open, SUBJECTS, scratchRemote } from "../harness/contract/subjects";
import { corrupting } from "../harness/corrupting";
import { scratchDir } from "../harness/world";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const temporaries = (dir: string) => fs.readdirSync(dir).filter((n) => n.includes(".filedrop-"));
const upload = (t: Transport, target: string, body: Buffer) =>
    verifiedUpload(t, { path: target, open: () => Readable.from([body]), createParents: true });

function seed(dir: string, name: string, content: string, owner: { uid: number; gid: number }): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    fs.chownSync(p, owner.uid, owner.gid);
    return p;
}

let serverDirs = 0;
const serverDir = (name: string) => path.join(scratchDir(), "servers", `contract-${name}-${serverDirs++}`);

for (const subject of SUBJECTS) {
    describe(`transport contract under faults: ${subject.name}`, function () {
        const test = (title: string, fn: Mocha.AsyncFunc) => contractIt(subject.name, title, fn);
        after(() => closeAll());

        test("a corrupted transfer fails with VERIFY_FAILED, leaves the old target and no temporary", async function () {
            const { w, dir } = await scratchRemote("c-corrupt");
            const target = seed(dir, "f.bin", "old content", w);
            const t = await open(await subject.endpoint());
            try {
                await assert.rejects(upload(corrupting(t), target, randomBytes(300_000)), (e: unknown) =>
                    hasCode(e, "VERIFY_FAILED"),
                );
            } finally {
                await t.close();
            }
            assert.strictEqual(fs.readFileSync(target, "utf8"), "old content");
            assert.deepStrictEqual(temporaries(dir), []);
        });

        test("readers of the target only ever see the old or the new complete file", async function () {
            const { w, dir } = await scratchRemote("c-readers");
            const oldBytes = randomBytes(4 << 20);
            const newBytes = randomBytes(16 << 20);
            const target = path.join(dir, "f.bin");
            fs.writeFileSync(target, oldBytes);
            fs.chownSync(target, w.uid, w.gid);
            const allowed = new Set([sha(oldBytes), sha(newBytes)]);
            const seen: string[] = [];
            let done = false;
            const watcher = (async () => {
                while (!done) {
                    seen.push(sha(fs.readFileSync(target)));
                    await new Promise((r) => setTimeout(r, 1));
                }
            })();
            const t = await open(await subject.endpoint());
            try {
                await upload(t, target, newBytes);
            } finally {
                done = true;
                await watcher;
                await t.close();
            }
            assert.deepStrictEqual(
                seen.filter((h) => !allowed.has(h)),
                [],
                "a reader saw a partial or foreign file at the target",
            );
            assert.strictEqual(sha(fs.readFileSync(target)), sha(newBytes));
            assert.deepStrictEqual(temporaries(dir), []);
        });

        test("a connection cut mid-upload fails with CONNECTION_LOST and keeps the old target; the next upload sweeps the temporary", async function () {
            const { w, dir } = await scratchRemote("c-cut");
            const target = seed(dir, "f.bin", "old content", w);
            const payload = randomBytes(8 << 20);
            const proxied = await subject.behindProxy(serverDir("cut"), [2 << 20]);
            try {
                const t = await open(proxied.endpoint);
                try {
                    await assert.rejects(upload(t, target, payload), (e: unknown) => hasCode(e, "CONNECTION_LOST"));
                } finally {
                    await t.close();
                }
                assert.strictEqual(proxied.proxy.cutsMade, 1);
                assert.strictEqual(fs.readFileSync(target, "utf8"), "old content");
            } finally {
                await proxied.stop();
            }
            const t2 = await open(await subject.endpoint());
            try {
                await upload(t2, target, payload);
            } finally {
                await t2.close();
            }
            assert.strictEqual(sha(fs.readFileSync(target)), sha(payload));
            assert.deepStrictEqual(temporaries(dir), []);
        });

        test("the pool retries an upload whose connection was cut twice, and completes", async function () {
            const { w, dir } = await scratchRemote("c-retry");
            const target = seed(dir, "f.bin", "old content", w);
            const payload = randomBytes(6 << 20);
            // First connection cut after 300 KiB, the second after 3 MiB, the third goes through.
            const proxied = await subject.behindProxy(serverDir("retry"), [300 << 10, 3 << 20]);
            try {
                const r = await withTransport(proxied.endpoint.connection, proxied.endpoint.creds, (t) =>
                    upload(t, target, payload),
                );
                assert.strictEqual(r.sha256, sha(payload));
                assert.strictEqual(proxied.proxy.cutsMade, 2);
            } finally {
                await closeAll();
                await proxied.stop();
            }
            assert.strictEqual(sha(fs.readFileSync(target)), sha(payload));
            assert.deepStrictEqual(temporaries(dir), []);
        });

        test("a full disk fails with REMOTE_IO and the disk-full hint, keeps the old target, leaves no temporary", async function () {
            const { w, dir } = await scratchRemote("c-full");
            execFileSync("mount", ["-t", "tmpfs", "-o", `size=1m,uid=${w.uid},gid=${w.gid},mode=0755`, "tmpfs", dir]);
            try {
                const target = seed(dir, "f.bin", "old content", w);
                const t = await open(await subject.endpoint());
                let failure: unknown;
                try {
                    failure = await upload(t, target, randomBytes(3 << 20)).then(
                        () => undefined,
                        (e: unknown) => e,
                    );
                } finally {
                    await t.close();
                }
                assert.strictEqual(fs.readFileSync(target, "utf8"), "old content");
                assert.deepStrictEqual(temporaries(dir), []);
                assert.ok(hasCode(failure, "REMOTE_IO"), `expected REMOTE_IO, got ${String(failure)}`);
                assert.match((failure as Error).message, /the server's disk may be full/);
            } finally {
                execFileSync("umount", [dir]);
            }
        });

        for (const variant of subject.renameRefusals) {
            if (variant.overwriteOnly) {
                test(`with ${variant.name}: declares atomicOverwrite false before the first rename`, async function () {
                    const { dir } = await scratchRemote("c-cap");
                    const s = await variant.start(serverDir("cap"), dir);
                    try {
                        const t = await open(s.endpoint);
                        try {
                            assert.strictEqual(t.capabilities.atomicOverwrite, false);
                        } finally {
                            await t.close();
                        }
                    } finally {
                        await s.stop();
                    }
                });
            }

            test(`with ${variant.name}: an upload over an existing file never loses it, and leaves no temporary`, async function () {
                const { w, dir } = await scratchRemote("c-rename");
                const target = seed(dir, "f.txt", "old content\n", w);
                const body = Buffer.from("new content\n");
                const s = await variant.start(serverDir("rename"), dir);
                try {
                    const t = await open(s.endpoint);
                    let outcome: unknown;
                    try {
                        outcome = await upload(t, target, body).catch((e: unknown) => e);
                    } finally {
                        await t.close();
                    }
                    if (variant.overwriteOnly && !isFiledropError(outcome)) {
                        // Replacing the file another way is fine, if the result says it was not atomic.
                        assert.strictEqual(fs.readFileSync(target, "utf8"), "new content\n");
                        assert.strictEqual((outcome as { atomic: boolean }).atomic, false);
                    } else {
                        assert.ok(isFiledropError(outcome), `expected a FiledropError, got ${String(outcome)}`);
                        assert.ok(
                            fs.existsSync(target),
                            `the target was deleted; the error said: ${(outcome as Error).message}`,
                        );
                        assert.strictEqual(fs.readFileSync(target, "utf8"), "old content\n");
                    }
                    assert.deepStrictEqual(temporaries(dir), []);
                } finally {
                    await s.stop();
                }
            });
        }
    });
}

describe("transport contract: the pending list", function () {
    it("names only contract tests that exist (a renamed test must not stay pending by accident)", function () {
        assert.deepStrictEqual(
            Object.keys(PENDING).filter((k) => !declared.has(k)),
            [],
        );
    });
});
