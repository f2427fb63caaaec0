/**
 * Resume after a killed run, through the real CLI (issue 12 item 2): `pulumi up` of a 128 MiB file is SIGKILLed
 * (CLI, language host and provider) part way through the upload; the next `pulumi up` continues the temporary the
 * killed one left, so it sends far less than the file, and the target ends byte for byte right. The connection goes
 * through the dropping proxy (which never cuts here) only to count the bytes the client sent.
 */
import * as assert from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { stagedBigUpload } from "../harness/bigUpload";
import { DropProxy } from "../harness/dropProxy";
import { killMidUpload, uploadTemporary } from "../harness/processTree";
import { getWorld, type World } from "../harness/world";

const SIZE = 128 << 20;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("resume after a killed `pulumi up` (sftp, real CLI)", function () {
    let w: World;
    let proxy: DropProxy;

    before(async function () {
        w = await getWorld();
        proxy = await new DropProxy(w.sshd.port, []).start();
    });
    after(() => proxy.stop());

    it("the next up sends only what the killed one had not, and the file verifies whole", async function () {
        const {
            stack: s,
            root,
            target,
            payload,
            source: big,
        } = await stagedBigUpload(w, "resume-kill", proxy.port, SIZE);

        const killed = await killMidUpload(s.start("up"), root, "big.bin", SIZE / 3);
        assert.ok(
            killed.length >= 3,
            `killed the CLI, the language host and the provider (${killed.length} processes)`,
        );
        const tmp = uploadTemporary(root, "big.bin");
        assert.ok(tmp !== undefined, "the killed upload left its temporary");
        assert.strictEqual(tmp, `.big.bin.filedrop-${sha(payload).slice(0, 12)}`, "named after the content");
        const kept = fs.statSync(path.join(root, tmp)).size;

        // As a user does after a killed run: release the stack's lock, then run `up` again.
        await s.runPulumi(["cancel", "--stack", "test", "--yes", "--non-interactive"]);
        const before = proxy.clientBytes;
        const r = await s.run("up");
        const sent = proxy.clientBytes - before;
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(sha(fs.readFileSync(target)), sha(payload));
        assert.ok(sent < SIZE - kept / 2, `the second up sent ${sent} bytes of ${SIZE}; ${kept} were kept`);
        assert.deepStrictEqual(
            fs.readdirSync(root).filter((f) => f.includes(".filedrop-")),
            [],
            "no temporary left",
        );
        fs.rmSync(path.dirname(big), { recursive: true, force: true });
    });
});
