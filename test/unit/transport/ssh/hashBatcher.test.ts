/** Remote hashes asked for at the same time share commands (provider/transport/ssh/hashBatcher.ts, issue 13). */
import * as assert from "node:assert";
import { HashBatcher } from "../../../../provider/transport/ssh/hashBatcher";

/** A hasher whose commands finish when the test says; records each command's paths. */
function manualHasher() {
    const commands: string[][] = [];
    const finish: ((fail?: Error) => void)[] = [];
    const run = (paths: readonly string[]) =>
        new Promise<Map<string, string>>((resolve, reject) => {
            commands.push([...paths]);
            finish.push((fail) =>
                fail
                    ? reject(fail)
                    : resolve(new Map(paths.filter((p) => p !== "/unhashable").map((p) => [p, `h:${p}`]))),
            );
        });
    return { commands, finish, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("HashBatcher", function () {
    it("runs the first request at once and the ones asked meanwhile together in the next command", async function () {
        const h = manualHasher();
        const b = new HashBatcher(h.run, 1, 100);
        const first = b.hash(["/a"]);
        await tick();
        assert.deepStrictEqual(h.commands, [["/a"]]);
        const others = [b.hash(["/b"]), b.hash(["/c", "/d"]), b.hash(["/e"])];
        await tick();
        assert.strictEqual(h.commands.length, 1, "nothing more runs while the one command is out");
        h.finish[0]();
        assert.deepStrictEqual(await first, new Map([["/a", "h:/a"]]));
        await tick();
        assert.deepStrictEqual(h.commands[1], ["/b", "/c", "/d", "/e"]);
        h.finish[1]();
        const [b1, cd, e] = await Promise.all(others);
        assert.deepStrictEqual(b1, new Map([["/b", "h:/b"]]));
        assert.deepStrictEqual(
            cd,
            new Map([
                ["/c", "h:/c"],
                ["/d", "h:/d"],
            ]),
        );
        assert.deepStrictEqual(e, new Map([["/e", "h:/e"]]));
    });

    it("splits at the batch size, runs up to `running` commands, and asks once for a path asked twice", async function () {
        const h = manualHasher();
        const b = new HashBatcher(h.run, 2, 2);
        const all = b.hash(["/1", "/2", "/3", "/4", "/5"]);
        const again = b.hash(["/1"]);
        await tick();
        assert.deepStrictEqual(h.commands, [
            ["/1", "/2"],
            ["/3", "/4"],
        ]);
        h.finish[0]();
        await tick();
        assert.deepStrictEqual(h.commands[2], ["/5", "/1"]);
        h.finish[1]();
        h.finish[2]();
        assert.strictEqual((await all).size, 5);
        assert.deepStrictEqual(await again, new Map([["/1", "h:/1"]]));
    });

    it("leaves out what could not be hashed and fails only the requests of a failed command", async function () {
        const h = manualHasher();
        const b = new HashBatcher(h.run, 1, 100);
        const ok = b.hash(["/x", "/unhashable"]);
        await tick();
        const failing = b.hash(["/y"]);
        h.finish[0]();
        assert.deepStrictEqual(await ok, new Map([["/x", "h:/x"]]));
        await tick();
        h.finish[1](new Error("channel refused"));
        await assert.rejects(failing, /channel refused/);
    });
});
