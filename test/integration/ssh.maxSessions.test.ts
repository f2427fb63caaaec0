/**
 * sshd `MaxSessions 2` through the engine (plain `pulumi up`): 50 files with `validate`, so exec channels compete with
 * the SFTP session for channels; every validate runs, and every file above READ_BACK_MAX_BYTES is verified by the
 * server's hasher (no silent fallback to read-back; smaller ones are read back by design).
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { sshdPerDescribe as variant } from "../harness/servers/sshdVariant";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

const REMOTE_FILE = "pulumi-nodejs:dynamic/filedrop:RemoteFile";

describe("ssh: exec channels vs sshd MaxSessions 2 (engine)", function () {
    let w: World;
    before(async function () {
        w = await getWorld();
    });
    const s = variant({ maxSessions: 2 }, "maxsessions");

    it("50 files with `validate`: every validate runs, every large file is verified by the server's hasher", async function () {
        const dir = remoteDir(w, "i8-maxsessions");
        const log = path.join(dir, "validated.log");
        const files = Array.from({ length: 50 }, (_, i) => ({
            name: `f${i}`,
            path: path.join(dir, "conf", `f${i}.conf`),
            // Every fifth is large, so its hash is a command competing for the channels too.
            content: `n = ${i}\n${i % 5 === 0 ? "#".repeat(300_000) : ""}`,
            // Runs on the temporary; each run leaves one line, so the test can count them.
            validate: `grep -q '^n = ' {path} && echo ok >> ${log}`,
        }));
        const stack = new TestStack(w, "i8-maxsessions", remoteFilesProgram);
        stack.setSettings({ connection: sshConnection({ ...w, sshd: s.get() }), files });
        const r = await stack.ok("up");
        assert.doesNotMatch(r.output, /does not allow running commands|reading them back/);
        assert.strictEqual(
            fs
                .readFileSync(log, "utf8")
                .split("\n")
                .filter((l) => l === "ok").length,
            50,
        );
        const outs = stack
            .resources(REMOTE_FILE)
            .map((x) => [Number(x.outputs.size) > 256 << 10, x.outputs.verifiedBy]);
        assert.strictEqual(outs.length, 50);
        assert.deepStrictEqual([...new Set(outs.map((o) => o.join(" ")))].sort(), [
            "false read-back",
            "true ssh exec: openssl dgst -sha256",
        ]);
        for (const f of files) {
            assert.strictEqual(fs.readFileSync(f.path, "utf8"), f.content);
        }
        await stack.ok("destroy");
    });
});
