/**
 * The provider process after the CLI is gone (issue 19 item 8), through the real CLI, the packed package and
 * OpenSSH: Pulumi starts the dynamic provider in a process group of its own, so killing `pulumi` (a CI runner's
 * timeout, `kill -9`) leaves it behind. It used to go on uploading for nobody and then live on forever; now it stops
 * its transfers and exits within seconds, and the next `pulumi up` continues the upload. Only the CLI is killed
 * here (not its tree, as processTree's killMidUpload does); whatever the run left is killed by the test at the end.
 */
import * as assert from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { stagedBigUpload } from "../harness/bigUpload";
import { DropProxy } from "../harness/dropProxy";
import { TreeWatch, waitGone } from "../harness/orphans";
import { uploadTemporary } from "../harness/processTree";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

const SIZE = 256 << 20;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two RemoteFiles, the second registered `pauseMs` after the first: the provider idles in between. */
const pausingProgram = `
const fs = require("fs");
const path = require("path");
const { RemoteFile } = require("pulumi-filedrop");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
new RemoteFile("first", { connection: s.connection, path: s.first, content: s.content });
module.exports = new Promise((r) => setTimeout(r, s.pauseMs)).then(() => {
    new RemoteFile("second", { connection: s.connection, path: s.second, content: s.content });
    return {};
});
`;

describe("interruptions: the provider after the CLI is killed (sftp, real CLI)", function () {
    let w: World;
    const watches: TreeWatch[] = [];

    before(async function () {
        w = await getWorld();
    });
    after(function () {
        for (const watch of watches) {
            const left = watch.killLeftovers();
            if (left.length > 0) {
                process.stderr.write(`      (killed what the killed CLI left: ${watch.describe(left)})\n`);
            }
        }
    });

    it("SIGKILL of the CLI mid-upload: the provider stops writing and exits within 10 s; the next up continues the upload", async function () {
        const proxy = await new DropProxy(w.sshd.port, []).start();
        try {
            const {
                stack: s,
                root,
                target,
                payload,
                source: big,
            } = await stagedBigUpload(w, "orphan-upload", proxy.port, SIZE);

            const run = s.start("up");
            const watch = new TreeWatch(run.pid);
            watches.push(watch);
            const deadline = Date.now() + 120_000;
            const tempSize = () => {
                const t = uploadTemporary(root, "big.bin");
                return t === undefined ? -1 : fs.statSync(path.join(root, t)).size;
            };
            while (tempSize() < 16 << 20 && Date.now() < deadline) {
                await sleep(20);
            }
            watch.look();
            process.kill(run.pid, "SIGKILL"); // the CLI alone: its plugins are in process groups of their own
            const killedAt = tempSize();
            await run.done;
            watch.stop();
            const providers = watch.providers();
            assert.ok(providers.length > 0, `saw the provider process among:\n${watch.describe(watch.all())}`);
            const started = Date.now();
            const left = await waitGone(providers, 10_000);
            const settled = tempSize();
            await sleep(3000);
            const later = tempSize();
            process.stderr.write(
                `      (temporary at the kill ${killedAt} B; provider gone after ${Date.now() - started - 3000} ms; then ${settled} B, 3 s later ${later} B)\n`,
            );
            assert.deepStrictEqual(
                left,
                [],
                `provider still running 10 s after the CLI died:\n${watch.describe(left)}`,
            );
            assert.ok(settled > 0 && settled < SIZE, `the temporary holds part of the file (${settled} B)`);
            assert.strictEqual(later, settled, "nothing written after the provider was gone");

            await s.runPulumi(["cancel", "--stack", "test", "--yes", "--non-interactive"]);
            const before = proxy.clientBytes;
            const r = await s.run("up");
            const sent = proxy.clientBytes - before;
            assert.strictEqual(r.code, 0, r.output);
            assert.strictEqual(sha(fs.readFileSync(target)), sha(payload));
            assert.ok(sent < SIZE - settled / 2, `the next up sent ${sent} B of ${SIZE}; ${settled} were kept`);
            fs.rmSync(path.dirname(big), { recursive: true, force: true });
        } finally {
            await proxy.stop();
        }
    });

    it("SIGKILL of the CLI while its provider idles between two resources: no provider process is left", async function () {
        const root = remoteDir(w, "orphan-idle");
        const s = new TestStack(w, "orphan-idle", pausingProgram);
        const settings = {
            connection: sshConnection(w),
            first: path.join(root, "first.txt"),
            second: path.join(root, "second.txt"),
            content: "hello\n",
            pauseMs: 0,
        };
        s.setSettings(settings);
        await s.ok("up");
        s.setSettings({ ...settings, content: "hello again\n", pauseMs: 120_000 });
        const run = s.start("up");
        const watch = new TreeWatch(run.pid);
        watches.push(watch);
        const deadline = Date.now() + 120_000;
        while (fs.readFileSync(settings.first, "utf8") !== "hello again\n" && Date.now() < deadline) {
            await sleep(50);
        }
        await sleep(1000); // the first update is done; the program waits, the provider idles
        watch.look();
        process.kill(run.pid, "SIGKILL");
        await run.done;
        watch.stop();
        const providers = watch.providers();
        assert.ok(providers.length > 0, `saw the provider process among:\n${watch.describe(watch.all())}`);
        const left = await waitGone(providers, 10_000);
        assert.deepStrictEqual(left, [], `provider still running 10 s after the CLI died:\n${watch.describe(left)}`);
        await s.runPulumi(["cancel", "--stack", "test", "--yes", "--non-interactive"]);
    });
});
