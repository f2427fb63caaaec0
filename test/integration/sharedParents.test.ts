/**
 * Folders shared by many resources: 20 RemoteFiles under a chain of folders that does not exist before `up`. One
 * of them creates the chain; Pulumi deletes all of them in parallel on destroy, so the creator's delete can run
 * while its siblings' files are still there. The destroy must still leave the remote root exactly as it was, and
 * never remove a folder that was there before (a user's folder with a user's file in it, and an empty one).
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, snapshot, sshConnection } from "../harness/world";

const ROUNDS = 3;

describe("shared parent folders", function () {
    it(`20 RemoteFiles under a new folder chain: destroy leaves the root as before (${ROUNDS} rounds of up/destroy)`, async function () {
        const w = await getWorld();
        const root = remoteDir(w, "shared");
        // Folders that were there before: the destroy must keep them, files of ours inside or not.
        fs.mkdirSync(path.join(root, "user", "empty"), { recursive: true });
        fs.writeFileSync(path.join(root, "user", "notes.txt"), "the user's own file\n");
        for (const d of ["user", "user/empty"]) {
            fs.chownSync(path.join(root, d), w.uid, w.gid);
        }
        const baseline = snapshot(root);
        const files = Array.from({ length: 20 }, (_, i) => {
            const folder = i < 8 ? "a/b/c" : i < 14 ? `a/b/d${i % 3}` : i < 17 ? "a/e" : `user/empty/new${i % 2}/x`;
            return { name: `f${i}`, path: path.join(root, folder, `f${i}.txt`), content: `file ${i}\n` };
        });
        const stack = new TestStack(w, "shared-parents", remoteFilesProgram);
        stack.setSettings({ connection: sshConnection(w), files });
        for (let round = 1; round <= ROUNDS; round++) {
            const up = await stack.ok("up");
            assert.strictEqual(up.summary.create, 21, up.output);
            for (const f of files) {
                assert.strictEqual(fs.readFileSync(f.path, "utf8"), f.content);
            }
            await stack.ok("destroy");
            assert.deepStrictEqual(
                snapshot(root),
                baseline,
                `round ${round}: the destroy left something behind or removed something`,
            );
        }
    });
});
