/**
 * Checks cut or hung (issue 19 item 3), on the memory transport: a `validateInPlace` whose connection drops while it
 * runs puts the previous file back over a new connection, or, where it cannot, the next run recognises the kept copy
 * and restores it (never the unchecked file); a failed create never becomes "adopted"; a check that runs past
 * `checkTimeout` is stopped and counts as failed; a command killed by a signal says so.
 */
import * as assert from "node:assert";
import { connectionLost, hasCode } from "../../../provider/errors";
import {
    check,
    create,
    type RemoteFileInputs,
    type RemoteFileOutputs,
    remove,
    update,
} from "../../../provider/handlers/remoteFile";
import { checkedBy, freshServer, sha } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

const TARGET = "/etc/app/site.conf";

/** Names of ours beside the target (temporaries, kept copies, records, markers). */
function leftovers(server: MemoryServer): string[] {
    return server.fs.tree("/").filter((p) => p.includes(".filedrop-"));
}

describe("checks cut or hung: the previous file comes back, never the unchecked one", function () {
    // Not a time limit of the logic: the pool's first retry line loads @pulumi/pulumi, which takes seconds.
    this.timeout(30_000);
    let server: MemoryServer;
    let inputsOf: (content: string, extra?: Partial<RemoteFileInputs>) => Promise<RemoteFileInputs>;
    /** What `conftest` does next: "judge" (refuse "broken"), "cut" (drop the connection while running), "hang". */
    let mode: "judge" | "cut" | "hang";
    /** Connections from this number on fail to do anything (the network stays down after a cut). */
    let downFrom: number | undefined;
    /** Whether the network stays down after the cut. */
    let stayDown: boolean;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        mode = "judge";
        downFrom = undefined;
        stayDown = false;
        server.failWhen(
            (c) => downFrom !== undefined && c.connection >= downFrom,
            (c) => connectionLost("sftp://deploy@mem", c.op, c.path),
        );
        server.commands = (command, s, stopped) => {
            if (command !== "conftest") {
                return undefined;
            }
            if (mode === "cut") {
                mode = "judge";
                downFrom = stayDown ? s.connections + 1 : undefined;
                s.cutConnections();
                return new Promise(() => undefined); // its exit status never arrives
            }
            if (mode === "hang") {
                return new Promise((resolve) =>
                    stopped.addEventListener("abort", () => resolve({ code: null, stdout: "", stderr: "" })),
                );
            }
            const text = s.fs.text(TARGET);
            return text.includes("broken")
                ? { code: 1, stdout: "", stderr: `conftest: bad line: ${text.trim()}\n` }
                : { code: 0, stdout: "", stderr: "" };
        };
        inputsOf = (content, extra = {}) =>
            checkedBy(check, {
                connection: f.connection,
                credentials: f.credentials,
                path: TARGET,
                content,
                sha256: sha(content),
                size: content.length,
                validateInPlace: "conftest",
                ...extra,
            });
    });
    afterEach(() => server.uninstall());

    /** An update that must fail; its error, with the partial state it may carry. */
    function failedUpdate(olds: RemoteFileOutputs, news: RemoteFileInputs) {
        return update("id", olds, news).then(
            () => assert.fail("the update succeeded"),
            (e: Error & { properties?: RemoteFileOutputs }) => e,
        );
    }

    async function deployed(content: string): Promise<RemoteFileOutputs> {
        return (await create(await inputsOf(content))).outs!;
    }

    it("update cut while the check runs: the previous file is put back over a new connection", async function () {
        const olds = await deployed("good 1\n");
        mode = "cut";
        await assert.rejects(update("id", olds, await inputsOf("good 2\n")), (e: Error) => {
            assert.ok(hasCode(e, "CONNECTION_LOST"), e.message);
            assert.match(e.message, /lost during the in-place check of \/etc\/app\/site\.conf/);
            assert.match(e.message, /over a new connection, the previous file was put back/);
            return true;
        });
        assert.strictEqual(server.fs.text(TARGET), "good 1\n");
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("update cut and the network stays down: the error names the kept copy; the next up restores it, even with the old content back in the program", async function () {
        const olds = await deployed("good 1\n");
        mode = "cut";
        stayDown = true; // new connections fail too, until the test says otherwise
        const failed = await update("id", olds, await inputsOf("broken 2\n")).then(
            () => assert.fail("the update succeeded"),
            (e: Error & { properties?: RemoteFileOutputs }) => e,
        );
        assert.ok(hasCode(failed, "CONNECTION_LOST"), failed.message);
        const kept = /the previous file is kept at (\S+\.filedrop-old-[0-9a-f]{12}-[0-9a-f]{8}),/.exec(failed.message);
        assert.ok(kept, failed.message);
        assert.strictEqual(server.fs.text(kept[1]), "good 1\n");
        assert.strictEqual(server.fs.text(TARGET), "broken 2\n", "the unchecked file is still in place");
        assert.strictEqual(failed.properties?.sha256, "", "recorded as unknown: the next up writes the file");
        stayDown = false;
        downFrom = undefined;
        // The program went back to the old content: still an update (the state says the file is unknown).
        const back = await inputsOf("good 1\n");
        assert.notStrictEqual(back.sha256, failed.properties?.sha256);
        await update("id", failed.properties!, back);
        assert.strictEqual(server.fs.text(TARGET), "good 1\n");
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("the next up with the same failing content puts the kept copy back, not the unchecked file", async function () {
        const olds = await deployed("good 1\n");
        mode = "cut";
        stayDown = true;
        const failed = await failedUpdate(olds, await inputsOf("broken 2\n"));
        downFrom = undefined;
        await assert.rejects(update("id", failed.properties!, await inputsOf("broken 2\n")), (e: Error) =>
            hasCode(e, "VALIDATE_FAILED"),
        );
        assert.strictEqual(server.fs.text(TARGET), "good 1\n");
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("destroy after a cut check restores the previous file first, then deletes it as its own", async function () {
        const olds = await deployed("good 1\n");
        mode = "cut";
        stayDown = true;
        const failed = await failedUpdate(olds, await inputsOf("broken 2\n"));
        downFrom = undefined;
        assert.strictEqual(await remove("id", failed.properties!), "deleted");
        assert.strictEqual(server.fs.lstat(TARGET), undefined);
        assert.deepStrictEqual(leftovers(server).length, 0);
    });

    it("create where nothing was, cut, network down: the next create removes the unchecked file and never adopts it", async function () {
        mode = "cut";
        stayDown = true;
        await assert.rejects(create(await inputsOf("broken\n")), (e: Error) => {
            assert.ok(hasCode(e, "CONNECTION_LOST"), e.message);
            assert.match(e.message, /nothing was there before, and the next `pulumi up` of this resource removes it/);
            return true;
        });
        assert.strictEqual(server.fs.text(TARGET), "broken\n");
        downFrom = undefined;
        await assert.rejects(create(await inputsOf("broken\n")), (e: Error) => hasCode(e, "VALIDATE_FAILED"));
        assert.strictEqual(server.fs.lstat(TARGET), undefined, "the failed file is gone");
        const good = await create(await inputsOf("good\n"));
        assert.strictEqual(good.outs?.existedBefore, false, "not adopted");
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("create over an existing file, cut, network down: the next create adopts the file from before, not the failed one", async function () {
        server.fs.mkdirp("/etc/app");
        server.fs.writeFile(TARGET, "theirs\n", 0o640);
        mode = "cut";
        stayDown = true;
        await assert.rejects(create(await inputsOf("good 2\n")), (e: Error) => hasCode(e, "CONNECTION_LOST"));
        downFrom = undefined;
        const { outs } = await create(await inputsOf("good 2\n"));
        assert.strictEqual(outs?.existedBefore, true);
        assert.strictEqual(outs?.previousSha256, sha("theirs\n"));
        assert.strictEqual(server.fs.text(outs!.backupPath!), "theirs\n");
        assert.strictEqual(await remove("id", outs!), "restored");
        assert.strictEqual(server.fs.text(TARGET), "theirs\n");
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("a check that hangs is stopped at `checkTimeout`: CHECK_TIMEOUT, previous file back, nothing left running", async function () {
        const olds = await deployed("good 1\n");
        mode = "hang";
        await assert.rejects(update("id", olds, await inputsOf("good 2\n", { checkTimeout: 0.05 })), (e: Error) => {
            assert.ok(hasCode(e, "CHECK_TIMEOUT"), e.message);
            assert.match(e.message, /`conftest` did not finish within 0\.05 s and was stopped \(`checkTimeout` sets/);
            assert.match(e.message, /the previous file was put back/);
            assert.doesNotMatch(e.message, /undefined/);
            return true;
        });
        assert.strictEqual(server.fs.text(TARGET), "good 1\n");
        assert.deepStrictEqual([...server.running], []);
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("`validate` that hangs is stopped too, and the target is untouched", async function () {
        const olds = await deployed("good 1\n");
        server.commands = (command, _s, stopped) =>
            command.startsWith("hangcheck ")
                ? new Promise((resolve) =>
                      stopped.addEventListener("abort", () => resolve({ code: null, stdout: "", stderr: "" })),
                  )
                : undefined;
        const news = await inputsOf("good 2\n", {
            validate: "hangcheck",
            validateInPlace: undefined,
            checkTimeout: 0.05,
        });
        await assert.rejects(update("id", olds, news), (e: Error) => {
            assert.ok(hasCode(e, "CHECK_TIMEOUT"), e.message);
            assert.match(
                e.message,
                /Validation of the new \/etc\/app\/site\.conf failed \(`hangcheck` did not finish within 0\.05 s/,
            );
            return true;
        });
        assert.strictEqual(server.fs.text(TARGET), "good 1\n");
        assert.deepStrictEqual([...server.running], []);
    });

    it("a check killed by a signal says so (never `exited undefined`)", async function () {
        const olds = await deployed("good 1\n");
        server.commands = (command) =>
            command === "conftest" ? { code: null, signal: "SIGKILL", stdout: "", stderr: "" } : undefined;
        await assert.rejects(update("id", olds, await inputsOf("good 2\n")), (e: Error) => {
            assert.ok(hasCode(e, "VALIDATE_FAILED"), e.message);
            assert.match(e.message, /`conftest` was killed by SIGKILL with the new file in place/);
            assert.doesNotMatch(e.message, /undefined/);
            return true;
        });
        assert.strictEqual(server.fs.text(TARGET), "good 1\n");
    });

    it("check refuses a `checkTimeout` that is not a number of seconds above 0", async function () {
        for (const bad of [0, -1, "60", 86401]) {
            const r = await check({} as RemoteFileInputs, {
                ...(await inputsOf("x\n")),
                checkTimeout: bad as number,
            });
            assert.deepStrictEqual(
                r.failures?.map((f) => f.property),
                ["checkTimeout"],
                `checkTimeout ${JSON.stringify(bad)}`,
            );
        }
    });
});
