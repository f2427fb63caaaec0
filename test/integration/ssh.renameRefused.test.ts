/**
 * Renames never lose the target, through the engine (plain `pulumi up`) against real OpenSSH variants: an sshd whose
 * SFTP subsystem refuses renames keeps the target on a failure (no remove-then-rename), and one refusing only
 * posix-rename replaces the file non-atomically, saying so (`atomic: false`). Each variant server is started once in
 * its describe.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { sshdPerDescribe as variant } from "../harness/servers/sshdVariant";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

const REMOTE_FILE = "pulumi-nodejs:dynamic/filedrop:RemoteFile";
const ours = (dir: string) => fs.readdirSync(dir).filter((e) => e.includes(".filedrop-"));

function seed(w: World, dir: string, name: string, content: string): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    fs.chownSync(p, w.uid, w.gid);
    return p;
}

describe("ssh: renames never lose the target (sftp, engine)", function () {
    let w: World;
    before(async function () {
        w = await getWorld();
    });

    describe("server refusing every rename (internal-sftp -P rename,posix-rename)", function () {
        const s = variant({ sftpArgs: ["-P", "rename,posix-rename"] }, "norename");
        it("`up` over an existing file fails and the target keeps its old content; no temporary is left", async function () {
            const dir = remoteDir(w, "i8-norename");
            const target = seed(w, dir, "app.conf", "old\n");
            const stack = new TestStack(w, "i8-norename", remoteFilesProgram);
            stack.setSettings({
                connection: sshConnection({ ...w, sshd: s.get() }),
                files: [{ name: "f", path: target, content: "new\n" }],
            });
            const r = await stack.run("up");
            assert.notStrictEqual(r.code, 0, r.output);
            assert.ok(fs.existsSync(target), `the target was deleted; the CLI said:\n${r.output}`);
            assert.strictEqual(fs.readFileSync(target, "utf8"), "old\n");
            assert.match(
                r.output,
                /Cannot replace .*app\.conf: the server does not rename over an existing file.*the target was left untouched/,
            );
            assert.deepStrictEqual(ours(dir), []);
        });
    });

    describe("server refusing only posix-rename (internal-sftp -P posix-rename)", function () {
        const s = variant({ sftpArgs: ["-P", "posix-rename"] }, "noposix");
        it("`up` replaces the file by moving the old one aside, outputs atomic false, leaves only the copy destroy puts back", async function () {
            const dir = remoteDir(w, "i8-noposix");
            const target = seed(w, dir, "app.conf", "old\n");
            const stack = new TestStack(w, "i8-noposix", remoteFilesProgram);
            stack.setSettings({
                connection: sshConnection({ ...w, sshd: s.get() }),
                files: [{ name: "f", path: target, content: "new\n" }],
            });
            await stack.ok("up");
            assert.strictEqual(fs.readFileSync(target, "utf8"), "new\n");
            const outs = stack.resources(REMOTE_FILE)[0].outputs as { atomic: boolean; backupPath: string };
            assert.strictEqual(outs.atomic, false);
            // The file existed, so the stack keeps a copy of it (issue 8 item 2) and nothing else of ours.
            assert.deepStrictEqual(ours(dir), [path.basename(outs.backupPath)]);
            assert.strictEqual(fs.readFileSync(outs.backupPath, "utf8"), "old\n");
            await stack.ok("destroy");
            assert.strictEqual(
                fs.readFileSync(target, "utf8"),
                "old\n",
                "destroy puts the earlier file back without an atomic rename",
            );
            assert.deepStrictEqual(ours(dir), []);
        });
    });
});
