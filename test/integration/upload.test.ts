/**
 * The verified atomic upload (provider/upload.ts) against the real sshd, without the engine, under faults:
 * a corrupted transfer, a dropped connection, a full disk, a failing `validate`, and a reader watching the target.
 * In every case the target holds either its old or its new complete content, and no temporary is left behind.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { hasCode } from "../../provider/errors";
import { verifiedUpload } from "../../provider/ops/upload";
import { closeAll, poolStats, withTransport } from "../../provider/transport/pool";
import { openSftp } from "../../provider/transport/ssh/sftp";
import { corrupting } from "../harness/corrupting";
import { DropProxy } from "../harness/dropProxy";
import { getServers, remoteDir, type Servers } from "../harness/world";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const temporaries = (dir: string) => fs.readdirSync(dir).filter((n) => n.includes(".filedrop-"));

describe("verified atomic upload under faults (sftp)", function () {
    let w: Servers;
    let creds: { privateKey: string };
    const conn = (extra: Record<string, unknown> = {}) => ({
        host: w.sshd.host,
        port: w.sshd.port,
        user: w.sshd.user,
        knownHosts: w.sshd.knownHostsPath,
        ...extra,
    });

    before(async function () {
        w = await getServers();
        creds = { privateKey: fs.readFileSync(w.sshd.privateKeyPath, "utf8") };
    });

    after(async function () {
        await closeAll();
    });

    function seed(dir: string, name: string, content: Buffer): string {
        const p = path.join(dir, name);
        fs.writeFileSync(p, content);
        fs.chownSync(p, w.uid, w.gid);
        return p;
    }

    it("a digest mismatch fails with VERIFY_FAILED and leaves the old file and no temporary", async function () {
        const dir = remoteDir(w, "corrupt");
        const target = seed(dir, "f.bin", Buffer.from("old content"));
        const t = await openSftp(conn(), creds);
        try {
            // The server receives one flipped byte: what a broken proxy or a bad disk would do. Once hashed on the
            // way (no plan), once against the plan's SHA-256 (RemoteFile's path), whose local source is unchanged.
            const bytes = randomBytes(300_000);
            for (const expectedSha256 of [undefined, createHash("sha256").update(bytes).digest("hex")]) {
                await assert.rejects(
                    verifiedUpload(corrupting(t), {
                        path: target,
                        open: () => Readable.from([bytes]),
                        expectedSha256,
                        createParents: true,
                    }),
                    (e: Error) =>
                        hasCode(e, "VERIFY_FAILED") &&
                        /is corrupt: SHA-256 on the server .* the target was left untouched/.test(e.message),
                );
            }
        } finally {
            t.close();
        }
        assert.strictEqual(fs.readFileSync(target, "utf8"), "old content");
        assert.deepStrictEqual(temporaries(dir), []);
    });

    it("readers of the target only ever see the old or the new complete file", async function () {
        const dir = remoteDir(w, "readers");
        const oldBytes = randomBytes(4 << 20);
        const newBytes = randomBytes(24 << 20);
        const target = seed(dir, "f.bin", oldBytes);
        const allowed = new Set([sha(oldBytes), sha(newBytes)]);
        let observations = 0;
        let done = false;
        const watcher = (async () => {
            while (!done) {
                const seen = sha(fs.readFileSync(target));
                assert.ok(allowed.has(seen), "a reader saw a partial or foreign file at the target");
                observations++;
                await new Promise((r) => setTimeout(r, 1));
            }
        })();
        await withTransport(conn(), creds, (t) =>
            verifiedUpload(t, { path: target, open: () => Readable.from([newBytes]), createParents: true }),
        );
        done = true;
        await watcher;
        assert.ok(observations > 3, `only ${observations} observations`);
        assert.strictEqual(sha(fs.readFileSync(target)), sha(newBytes));
        assert.deepStrictEqual(temporaries(dir), []);
        process.stderr.write(`      (reader observed the target ${observations} times during the upload)\n`);
    });

    it("a connection cut mid-upload leaves the target intact, and the next upload sweeps the temporary", async function () {
        const dir = remoteDir(w, "cut");
        const target = seed(dir, "f.bin", Buffer.from("old content"));
        const proxy = await new DropProxy(w.sshd.port, [2 << 20]).start();
        const viaProxy = conn({ port: proxy.port, knownHosts: undefined, hostKey: w.sshd.hostKeyFingerprint });
        const payload = randomBytes(8 << 20);
        try {
            const t = await openSftp(viaProxy, creds);
            await assert.rejects(
                verifiedUpload(t, { path: target, open: () => Readable.from([payload]), createParents: true }),
                (e: Error) => hasCode(e, "CONNECTION_LOST") && /was lost .*run the deployment again/.test(e.message),
            );
            assert.strictEqual(fs.readFileSync(target, "utf8"), "old content");
            // The dead connection could not remove its temporary; the next run sweeps it.
            await withTransport(conn(), creds, (t2) =>
                verifiedUpload(t2, { path: target, open: () => Readable.from([payload]), createParents: true }),
            );
            assert.strictEqual(sha(fs.readFileSync(target)), sha(payload));
            assert.deepStrictEqual(temporaries(dir), []);
        } finally {
            await proxy.stop();
        }
    });

    it("the pool retries an upload whose connection dropped, at several points, and completes", async function () {
        const dir = remoteDir(w, "retry");
        const target = seed(dir, "f.bin", Buffer.from("old content"));
        // First connection cut after 300 KiB, second after 3 MiB, third goes through.
        const proxy = await new DropProxy(w.sshd.port, [300 << 10, 3 << 20]).start();
        const viaProxy = conn({ port: proxy.port, knownHosts: undefined, hostKey: w.sshd.hostKeyFingerprint });
        const payload = randomBytes(6 << 20);
        const retriesBefore = poolStats.operationRetries;
        try {
            const r = await withTransport(viaProxy, creds, (t) =>
                verifiedUpload(t, { path: target, open: () => Readable.from([payload]), createParents: true }),
            );
            assert.strictEqual(r.sha256, sha(payload));
        } finally {
            await proxy.stop();
        }
        assert.strictEqual(poolStats.operationRetries - retriesBefore, 2);
        assert.strictEqual(proxy.connections, 3);
        assert.strictEqual(sha(fs.readFileSync(target)), sha(payload));
        assert.deepStrictEqual(temporaries(dir), []);
    });

    it("a full disk fails with a clear error, keeps the old content, and leaves no temporary", async function () {
        const dir = remoteDir(w, "full");
        execFileSync("mount", ["-t", "tmpfs", "-o", `size=1m,uid=${w.uid},gid=${w.gid},mode=0755`, "tmpfs", dir]);
        try {
            const target = seed(dir, "f.bin", Buffer.from("old content"));
            await assert.rejects(
                withTransport(conn(), creds, (t) =>
                    verifiedUpload(t, {
                        path: target,
                        open: () => Readable.from([randomBytes(3 << 20)]),
                        createParents: true,
                    }),
                ),
                (e: Error) => hasCode(e, "REMOTE_IO") && /the server's disk may be full/.test(e.message),
            );
            assert.strictEqual(fs.readFileSync(target, "utf8"), "old content");
            assert.deepStrictEqual(temporaries(dir), []);
        } finally {
            execFileSync("umount", [dir]);
        }
    });

    it("a failing validate leaves the target untouched and reports the command's output", async function () {
        const dir = remoteDir(w, "validate");
        const target = seed(dir, "app.conf", Buffer.from("ok = 1\n"));
        await assert.rejects(
            withTransport(conn(), creds, (t) =>
                verifiedUpload(t, {
                    path: target,
                    open: () => Readable.from([Buffer.from("broken\n")]),
                    createParents: true,
                    validate: "grep -q '^ok' {path} || { echo 'syntax error in config' >&2; exit 3; }",
                }),
            ),
            (e: Error) =>
                hasCode(e, "VALIDATE_FAILED") &&
                /exited 3\); the target was left untouched\. Output:\nsyntax error in config/.test(e.message),
        );
        assert.strictEqual(fs.readFileSync(target, "utf8"), "ok = 1\n");
        assert.deepStrictEqual(temporaries(dir), []);
        await withTransport(conn(), creds, (t) =>
            verifiedUpload(t, {
                path: target,
                open: () => Readable.from([Buffer.from("ok = 2\n")]),
                createParents: true,
                validate: "grep -q '^ok' {path}",
            }),
        );
        assert.strictEqual(fs.readFileSync(target, "utf8"), "ok = 2\n");
    });
});
