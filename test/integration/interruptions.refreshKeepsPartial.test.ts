/**
 * What to run after an interrupted upload (issue 19 item 8), through the real CLI, the packed package and OpenSSH.
 * Pulumi's advice after an interruption is `pulumi refresh`; for a RemoteFile the upload's own failure says to run
 * `pulumi up` again, and a refresh in between keeps the partial upload that `up` then continues (it used to sweep
 * it, so the next `up` sent the whole file again). The connection goes through the dropping proxy, which also
 * counts the bytes the client sent.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DropProxy } from "../harness/dropProxy";
import { killMidUpload, uploadTemporary } from "../harness/processTree";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

const SIZE = 128 << 20;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("interruptions: pulumi up again, and a refresh in between keeps the partial upload (sftp, real CLI)", function () {
    let w: World;
    let payload: Buffer;
    let big: string;

    before(async function () {
        w = await getWorld();
        payload = randomBytes(SIZE);
        big = path.join(fs.mkdtempSync(path.join(w.dir, "interrupted-src-")), "big.bin");
        fs.writeFileSync(big, payload);
    });
    after(() => fs.rmSync(path.dirname(big), { recursive: true, force: true }));

    /** A stack whose file is small, about to become `big`, through `proxy`. */
    async function stackVia(proxy: DropProxy, name: string) {
        const root = remoteDir(w, name);
        const target = path.join(root, "big.bin");
        const connection = sshConnection(w, {
            port: proxy.port,
            knownHosts: undefined,
            hostKey: w.sshd.hostKeyFingerprint,
            dialErrorLimit: 1,
        });
        const s = new TestStack(w, name, remoteFilesProgram);
        s.setSettings({ connection, files: [{ name: "big", path: target, content: "small first\n" }] });
        await s.ok("up");
        s.setSettings({ connection, files: [{ name: "big", path: target, sourceAsset: big }] });
        const kept = () => {
            const t = uploadTemporary(root, "big.bin");
            return t === undefined ? 0 : fs.statSync(path.join(root, t)).size;
        };
        return { s, root, target, kept };
    }

    /** Runs `refresh`, then `up`; the up must finish the file byte for byte, sending far less than the file. */
    async function refreshThenUp(proxy: DropProxy, x: Awaited<ReturnType<typeof stackVia>>) {
        const before = x.kept();
        assert.ok(before > 0 && before < SIZE, `the interrupted upload left part of the file (${before} B)`);
        const refresh = await x.s.run("refresh");
        assert.strictEqual(refresh.code, 0, refresh.output);
        assert.strictEqual(x.kept(), before, "the refresh kept the partial upload");
        const sentBefore = proxy.clientBytes;
        const up = await x.s.run("up");
        const sent = proxy.clientBytes - sentBefore;
        assert.strictEqual(up.code, 0, up.output);
        assert.strictEqual(sha(fs.readFileSync(x.target)), sha(payload));
        assert.ok(sent < SIZE - before / 2, `the up after the refresh sent ${sent} B of ${SIZE}; ${before} were kept`);
        assert.deepStrictEqual(
            fs.readdirSync(x.root).filter((f) => f.includes(".filedrop-")),
            [],
            "no temporary left",
        );
    }

    it("a cut the retries cannot get past: up fails saying to run `pulumi up` again; refresh keeps the partial upload; up continues it", async function () {
        // Connection 0: the first up. 1: cut after 32 MiB. 2: the pool's retry, cut at once. Later ones pass.
        const proxy = await new DropProxy(w.sshd.port, [1e12, 32 << 20, 0]).start();
        try {
            const x = await stackVia(proxy, "interrupted-cut");
            const failed = await x.s.run("up");
            assert.notStrictEqual(failed.code, 0, failed.output);
            const error = failed.output.split("\n").find((l) => /^\s+error: Cannot connect/.test(l)) ?? failed.output;
            assert.match(error, /run `pulumi up` again to continue the upload where it stopped/);
            assert.doesNotMatch(error, /run the deployment again/);
            await refreshThenUp(proxy, x);
        } finally {
            await proxy.stop();
        }
    });

    it("the CLI killed mid-upload, pulumi cancel, then Pulumi's advice (pulumi refresh), then pulumi up: the upload continues", async function () {
        const proxy = await new DropProxy(w.sshd.port, []).start();
        try {
            const x = await stackVia(proxy, "interrupted-kill");
            const killed = await killMidUpload(x.s.start("up"), x.root, "big.bin", SIZE / 3);
            assert.ok(killed.length >= 3, `killed the CLI, the language host and the provider (${killed.length})`);
            await x.s.runPulumi(["cancel", "--stack", "test", "--yes", "--non-interactive"]);
            await refreshThenUp(proxy, x);
        } finally {
            await proxy.stop();
        }
    });
});
