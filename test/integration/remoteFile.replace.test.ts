/**
 * Replaces that keep the same remote file: Pulumi creates the replacement before deleting the old resource, so the
 * old delete must not remove the file the new resource just wrote (docs/destroy-and-replace.md, "Replace").
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, snapshot, type World } from "../harness/world";

describe("RemoteFile replace at the same remote file (sftp)", function () {
    let w: World;

    before(async function () {
        w = await getWorld();
    });

    it("renaming the host to an alias of the same server replaces without losing the file", async function () {
        const root = remoteDir(w, "alias");
        const target = path.join(root, "conf", "app.conf");
        const conn = (host: string) => ({
            host,
            port: w.sshd.port,
            user: w.sshd.user,
            privateKey: fs.readFileSync(w.sshd.privateKeyPath, "utf8"),
            hostKey: w.sshd.hostKeyFingerprint,
        });
        const stack = new TestStack(w, "replace-alias", remoteFilesProgram);
        stack.setSettings({ connection: conn("127.0.0.1"), files: [{ name: "f", path: target, content: "v1\n" }] });
        await stack.ok("up");
        assert.strictEqual(fs.readFileSync(target, "utf8"), "v1\n");

        stack.setSettings({ connection: conn("localhost"), files: [{ name: "f", path: target, content: "v1\n" }] });
        const p = await stack.ok("preview");
        assert.strictEqual(p.summary.replace, 1, p.output);
        const r = await stack.ok("up");
        assert.strictEqual(r.summary.replace, 1, r.output);
        assert.strictEqual(
            fs.readFileSync(target, "utf8"),
            "v1\n",
            "the old resource's delete removed the replacement's file",
        );
        await stack.ok("preview", ["--expect-no-changes"]);

        await stack.ok("destroy");
        assert.deepStrictEqual(snapshot(root), {});
    });
});
