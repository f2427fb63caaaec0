/**
 * Audit lines that said too much (issue 19 item 9), through the real CLI, the packed package and OpenSSH, with the
 * stack config key `filedrop:auditLog`: the `pulumi up` that continues an upload a killed run left logs the bytes
 * it sent, where it resumed and MB/s of what it sent (it logged the whole size, and 247 MB/s through a 25 MB/s
 * link); a tree destroy logs a file someone had already deleted as `gone` (it said `ok`).
 */
import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { mbps } from "../../provider/audit/auditRecord";
import { killMidUpload } from "../harness/processTree";
import { TestStack } from "../harness/stack";
import { transfersProgram } from "../harness/transfersProgram";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

const SIZE = 128 << 20;

interface Line {
    [k: string]: unknown;
    scope: string;
    operation: string;
    remotePath: string;
    outcome: string;
}

describe("audit log: a resumed upload's bytes and MB/s, a tree file already gone (sftp, real CLI)", function () {
    let w: World;

    before(async function () {
        w = await getWorld();
    });

    /** A stack of `transfersProgram` with its own audit log. */
    async function auditedStack(name: string) {
        const s = new TestStack(w, name, transfersProgram);
        const log = path.join(w.dir, "audit", `${name}.jsonl`);
        assert.strictEqual((await s.runPulumi(["stack", "select", "--create", "test", "--non-interactive"])).code, 0);
        const set = await s.runPulumi(["config", "set", "filedrop:auditLog", log, "--stack", "test"]);
        assert.strictEqual(set.code, 0, set.output);
        const lines = (): Line[] =>
            fs.existsSync(log)
                ? fs
                      .readFileSync(log, "utf8")
                      .split("\n")
                      .filter(Boolean)
                      .map((l) => JSON.parse(l))
                : [];
        return { s, lines };
    }

    it("the up that continues a killed run's upload logs bytesSent, resumedFrom and MB/s of the bytes sent", async function () {
        const root = remoteDir(w, "audit-resume");
        const target = path.join(root, "big.bin");
        const src = fs.mkdtempSync(path.join(w.dir, "audit-resume-src-"));
        fs.writeFileSync(path.join(src, "big.bin"), randomBytes(SIZE));
        const { s, lines } = await auditedStack("audit-resume");
        const connection = sshConnection(w);
        s.setSettings({ files: [{ name: "big", connection, path: target, content: "small first\n" }] });
        await s.ok("up");
        s.setSettings({ files: [{ name: "big", connection, path: target, source: path.join(src, "big.bin") }] });
        const killed = await killMidUpload(s.start("up"), root, "big.bin", SIZE / 3);
        assert.ok(killed.length >= 3, `killed the CLI, the language host and the provider (${killed.length})`);
        await s.runPulumi(["cancel", "--stack", "test", "--yes", "--non-interactive"]);
        await s.ok("up");
        const up = lines().filter((l) => l.operation === "upload" && l.remotePath === target && l.bytes === SIZE);
        assert.strictEqual(up.length, 1, JSON.stringify(lines(), null, 1));
        const [line] = up;
        process.stderr.write(
            `      (bytes ${line.bytes}, bytesSent ${line.bytesSent}, resumedFrom ${line.resumedFrom}, ${line.durationMs} ms, ${line.mbps} MB/s)\n`,
        );
        assert.ok(typeof line.resumedFrom === "number" && line.resumedFrom >= SIZE / 3, JSON.stringify(line));
        assert.strictEqual((line.bytesSent as number) + (line.resumedFrom as number), SIZE, JSON.stringify(line));
        assert.strictEqual(line.mbps, mbps(line.bytesSent as number, line.durationMs as number));
        assert.strictEqual(line.outcome, "ok");
        fs.rmSync(src, { recursive: true, force: true });
    });

    it("a tree destroy logs a file someone already deleted as gone, the others as ok", async function () {
        const root = remoteDir(w, "audit-gone");
        const src = fs.mkdtempSync(path.join(w.dir, "audit-gone-src-"));
        fs.writeFileSync(path.join(src, "index.html"), "<h1>hi</h1>\n");
        fs.writeFileSync(path.join(src, "old.css"), "h1 { color: red }\n");
        const { s, lines } = await auditedStack("audit-gone");
        const destination = path.join(root, "www");
        s.setSettings({ trees: [{ name: "site", connection: sshConnection(w), source: src, destination }] });
        await s.ok("up");
        fs.rmSync(path.join(destination, "old.css")); // the partner deleted it
        await s.ok("destroy");
        const removed = lines()
            .filter((l) => l.operation === "remove" && l.scope === "file")
            .map((l) => [path.basename(l.remotePath), l.outcome]);
        assert.deepStrictEqual(removed, [
            ["index.html", "ok"],
            ["old.css", "gone"],
        ]);
        fs.rmSync(src, { recursive: true, force: true });
    });
});
