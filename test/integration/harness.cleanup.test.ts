/**
 * Stopping the test process leaves no server behind: a child mocha (root hooks loaded, as `npm test` runs) starts
 * the world's sshd and FTP servers, then gets SIGTERM (what CI's timeout sends) or SIGINT (Ctrl-C); every process
 * it had started must be gone soon after, without waiting for a grace period of our own.
 */
import * as assert from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO } from "../harness/servers/paths";
import { isRunning } from "../harness/servers/processes";

const MOCHA = path.join(REPO, "node_modules", "mocha", "bin", "mocha.js");
const HOLD = path.join(REPO, "dist", "test", "harness", "holdServers.js");
const ROOT_HOOKS = path.join(REPO, "dist", "test", "harness", "rootHooks.js");

/** What a pid runs, for messages ("sshd", "vsftpd", …). */
const comm = (pid: number) => {
    try {
        return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
        return "?";
    }
};

/** Starts the child mocha and resolves with the pids below it once its servers are up. */
function holdServers(): { child: ChildProcess; held: Promise<number[]>; output: () => string } {
    const child = spawn(process.execPath, [MOCHA, "--no-config", "--require", ROOT_HOOKS, "--timeout", "0", HOLD], {
        cwd: REPO,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const held = new Promise<number[]>((resolve, reject) => {
        const onData = (d: Buffer) => {
            out += d.toString();
            const m = /^HOLDING (\[.*\])$/m.exec(out);
            if (m) {
                resolve(JSON.parse(m[1]) as number[]);
            }
        };
        child.stdout!.on("data", onData);
        child.stderr!.on("data", onData);
        child.once("exit", (code, sig) => reject(new Error(`the child mocha ended (${sig ?? code}) early:\n${out}`)));
    });
    return { child, held, output: () => out };
}

for (const sig of ["SIGTERM", "SIGINT"] as const) {
    describe(`harness: ${sig} to the test process`, function () {
        let pids: number[] = [];
        let child: ChildProcess | undefined;

        after(function () {
            // Whatever survived (the bug this test is about) is ours to end.
            for (const p of [...pids, child?.pid ?? 0].filter((p) => p > 0 && isRunning(p))) {
                process.kill(p, "SIGKILL");
            }
        });

        it("ends every server the child started (sshd, vsftpd, ProFTPD and their sessions)", async function () {
            this.timeout(180000);
            const h = holdServers();
            child = h.child;
            pids = await h.held;
            const names = pids.map(comm);
            assert.ok(names.includes("sshd") && names.includes("vsftpd"), `no servers below the child: ${names}`);
            const exited = new Promise<string>((resolve) =>
                h.child.once("exit", (code, s) => resolve(s ?? `exit ${code}`)),
            );
            h.child.kill(sig);
            const how = await exited;
            // The servers get SIGKILL before the child ends; give the kernel a moment to reap them (no grace of ours).
            let left = pids.filter(isRunning);
            for (let i = 0; i < 100 && left.length > 0; i++) {
                await new Promise((r) => setTimeout(r, 50));
                left = pids.filter(isRunning);
            }
            assert.deepStrictEqual(
                left.map((p) => `${p} ${comm(p)}`),
                [],
                `the child ended (${how}) and left these running`,
            );
            assert.strictEqual(how, sig, "the child ends by the signal, as it would have without the harness");
        });
    });
}
