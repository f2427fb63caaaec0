/**
 * `include: []` on a RemoteTree selects no file (issue 19 item 9), through the real CLI, the packed package and
 * OpenSSH: a list the program computes, such as the files of a rotation that are due, that comes out empty must not
 * mirror the whole folder (it did: an empty list counted as "no include given").
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { TestStack } from "../harness/stack";
import { dirsAndTreesProgram } from "../harness/treePrograms";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

describe("RemoteTree: include: [] selects no file (sftp, real CLI)", function () {
    let w: World;

    before(async function () {
        w = await getWorld();
    });

    it("a rotation whose list of due files comes out empty uploads nothing, and prunes what it uploaded before", async function () {
        const root = remoteDir(w, "empty-include");
        const destination = path.join(root, "rotated");
        const src = fs.mkdtempSync(path.join(w.dir, "empty-include-src-"));
        for (const f of ["a.log", "b.log", "c.log"]) {
            fs.writeFileSync(path.join(src, f), `${f}\n`);
        }
        const s = new TestStack(w, "empty-include", dirsAndTreesProgram);
        const tree = { name: "rotation", source: src, destination };
        s.setSettings({ connection: sshConnection(w), trees: [{ ...tree, include: ["a.log"] }] });
        await s.ok("up");
        assert.deepStrictEqual(fs.readdirSync(destination), ["a.log"]);
        s.setSettings({ connection: sshConnection(w), trees: [{ ...tree, include: [] }] });
        const up = await s.ok("up");
        assert.deepStrictEqual(
            fs.existsSync(destination) ? fs.readdirSync(destination) : [],
            [],
            `nothing selected, a.log pruned:\n${up.output}`,
        );
        await s.ok("destroy");
        fs.rmSync(src, { recursive: true, force: true });
    });
});
