/**
 * The connection pool under a real deployment: 200 RemoteFiles to one sshd with OpenSSH's default MaxStartups
 * (10:30:100) in one `pulumi up` all succeed over a handful of SSH connections, counted from sshd's log.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, snapshot, sshConnection, sshConnectionCount } from "../harness/world";

describe("connection pool", function () {
    it("200 RemoteFiles to one default sshd come up in one up over at most 3 SSH connections", async function () {
        const w = await getWorld();
        const root = remoteDir(w, "pool");
        const baseline = snapshot(root);
        const files = Array.from({ length: 200 }, (_, i) => ({
            name: `f${i}`,
            path: path.join(root, `f${i}.txt`),
            content: `file ${i}\n`,
        }));
        const stack = new TestStack(w, "pool-200", remoteFilesProgram);
        stack.setSettings({ connection: sshConnection(w), files });
        const before = sshConnectionCount(w);
        const t0 = Date.now();
        const r = await stack.ok("up");
        const ms = Date.now() - t0;
        const used = sshConnectionCount(w) - before;
        console.log(`      200 RemoteFiles: ${used} SSH connection(s), up took ${ms} ms`);
        assert.strictEqual(r.summary.create, 201, r.output);
        for (const f of files) {
            assert.strictEqual(fs.readFileSync(f.path, "utf8"), f.content);
        }
        assert.ok(used >= 1 && used <= 3, `expected at most 3 SSH connections, sshd saw ${used}`);
        const d0 = sshConnectionCount(w);
        await stack.ok("destroy");
        console.log(`      destroy of 200: ${sshConnectionCount(w) - d0} SSH connection(s)`);
        assert.ok(sshConnectionCount(w) - d0 <= 3);
        assert.deepStrictEqual(snapshot(root), baseline);
    });
});
