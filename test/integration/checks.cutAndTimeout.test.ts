/**
 * Checks cut or hung, through the real CLI and OpenSSH (issue 19 item 3). The connection goes through the dropping
 * proxy, which cuts it while `validateInPlace` runs (the check tells the test it started by touching a file):
 * - update, network back at once: the previous file is put back over a new connection;
 * - update, network down for a while: the error names the kept copy, and the next `up` puts it back even though
 *   the program went back to the old content;
 * - create where nothing was, network down: the next `up` never adopts the failed file, and destroy deletes it;
 * - a check that hangs stops at `checkTimeout`, the previous file is back, and `ps` on the server shows that no
 *   process of the check outlives it (also after a cut).
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DropProxy } from "../harness/dropProxy";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

/** Processes of the server's user whose command line holds `marker`. */
function processesWith(w: World, marker: string): string[] {
    const out = execFileSync("ps", ["-u", w.sshd.user, "-o", "pid=,args="], { encoding: "utf8" });
    return out.split("\n").filter((l) => l.includes(marker) && !l.includes("ps -u"));
}

/** Waits (bounded: the check's time limit plus a margin) until no process holds `marker`; returns those left. */
async function gone(w: World, marker: string, boundMs: number): Promise<string[]> {
    const deadline = Date.now() + boundMs;
    let left = processesWith(w, marker);
    while (left.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        left = processesWith(w, marker);
    }
    return left;
}

/** Waits (bounded) for `file` to exist: the check has started. */
async function started(file: string, run: { done: Promise<{ output: string }> }): Promise<void> {
    let ended: string | undefined;
    void run.done.then((r) => (ended = r.output));
    const deadline = Date.now() + 300_000;
    while (!fs.existsSync(file)) {
        assert.ok(ended === undefined && Date.now() < deadline, `the check never started:\n${ended ?? ""}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}

const ours = (dir: string) => fs.readdirSync(dir).filter((f) => f.includes(".filedrop-"));

describe("checks cut or hung (sftp, real CLI): the previous file comes back, never the unchecked one", function () {
    let w: World;
    let proxy: DropProxy;
    let n = 0;

    before(async function () {
        w = await getWorld();
        proxy = await new DropProxy(w.sshd.port, []).start();
    });
    after(() => proxy.stop());
    afterEach(() => {
        proxy.refusing = false;
    });

    /** A stack of one checked file in a fresh folder, through the proxy; `check` runs with the target as {path}. */
    function setup(name: string) {
        const root = remoteDir(w, name);
        const target = path.join(root, "site.conf");
        const flag = path.join(root, "check-started");
        // A unique sleep, to find the check's processes with ps; "broken" content waits there, then fails.
        const sleep = `sleep 9${++n}${process.pid % 100}.${Date.now() % 1000}`;
        const check = `if grep -q broken {path}; then touch ${flag}; ${sleep}; exit 1; fi`;
        const connection = sshConnection(w, {
            port: proxy.port,
            knownHosts: undefined,
            hostKey: w.sshd.hostKeyFingerprint,
            dialErrorLimit: 2,
        });
        const s = new TestStack(w, `checks-${name}`, remoteFilesProgram);
        const file = (content: string) => ({ name: "site", path: target, content, validateInPlace: check });
        const set = (content: string) => s.setSettings({ connection, files: [file(content)] });
        return { root, target, flag, sleep, s, set };
    }

    /**
     * Starts `up` of `s`, cuts its connection once the check runs (with the network `down`: new connections refused
     * too) and returns the run, which must have failed without an "exited undefined".
     */
    async function upCutDuringCheck(s: TestStack, flag: string, down: boolean) {
        const run = s.start("up");
        await started(flag, run);
        proxy.refusing = down;
        proxy.cutNow();
        const r = await run.done;
        assert.notStrictEqual(r.code, 0, r.output);
        assert.doesNotMatch(r.output, /exited undefined/);
        return r;
    }

    it("an update cut while its check runs: the previous file is put back over a new connection, and the check's processes end", async function () {
        const { root, target, flag, sleep, s, set } = setup("cut-update");
        set("good 1\n");
        await s.ok("up");
        set("broken 2\n");
        const r = await upCutDuringCheck(s, flag, false);
        assert.match(r.output, /lost during the in-place check of .*site\.conf.*the previous file was put back/s);
        assert.strictEqual(fs.readFileSync(target, "utf8"), "good 1\n", "the previous file is back");
        assert.deepStrictEqual(ours(root), []);
        // The check runs under the server's `timeout`: it ends by the default limit (60 s), connection or not.
        assert.deepStrictEqual(await gone(w, sleep, 120_000), [], "no process of the cut check outlives its limit");
    });

    it("an update cut while the network stays down: the error names the kept copy; the next up restores it although the program went back to the old content", async function () {
        const { root, target, flag, s, set } = setup("cut-down");
        set("good 1\n");
        await s.ok("up");
        set("broken 2\n");
        const r = await upCutDuringCheck(s, flag, true);
        assert.match(r.output, /the previous file is kept at \S+\.filedrop-old-/);
        proxy.refusing = false;
        set("good 1\n"); // back to what the state says was deployed
        const again = await s.run("up");
        assert.strictEqual(again.code, 0, again.output);
        assert.strictEqual(fs.readFileSync(target, "utf8"), "good 1\n", "never the unchecked file");
        assert.deepStrictEqual(ours(root), []);
    });

    it("a create cut with the network down: the next up does not adopt the failed file, and destroy deletes it", async function () {
        const { root, target, flag, s, set } = setup("cut-create");
        set("broken 1\n");
        await s.select(); // the stack must exist before `start`
        await upCutDuringCheck(s, flag, true);
        proxy.refusing = false;
        set("good 1\n");
        const again = await s.run("up");
        assert.strictEqual(again.code, 0, again.output);
        const outputs = JSON.parse((await s.runPulumi(["stack", "output", "--json", "--stack", "test"])).output);
        assert.strictEqual(outputs.site.existedBefore, false, "not adopted");
        const d = await s.run("destroy");
        assert.strictEqual(d.code, 0, d.output);
        assert.ok(!fs.existsSync(target), "destroy deleted it (nothing to restore)");
        assert.deepStrictEqual(ours(root), []);
    });

    it("a check that hangs is stopped at `checkTimeout`: the up fails saying so, the previous file is back, nothing keeps running", async function () {
        const { root, target, s, sleep } = setup("timeout");
        const connection = sshConnection(w);
        const file = (content: string) => ({
            name: "site",
            path: target,
            content,
            validateInPlace: `${sleep}`,
            checkTimeout: 3,
        });
        s.setSettings({ connection, files: [{ ...file("good 1\n"), validateInPlace: "true" }] });
        await s.ok("up");
        s.setSettings({ connection, files: [file("good 2\n")] });
        const r = await s.run("up");
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /did not finish within 3 s and was stopped/);
        assert.strictEqual(fs.readFileSync(target, "utf8"), "good 1\n");
        assert.deepStrictEqual(ours(root), []);
    });
});
