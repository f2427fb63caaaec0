/**
 * Secrets stay secret when a check fails (issue 19 item 4), through the real CLI and OpenSSH: two files whose content
 * is a secret (`content: pulumi.secret(…)` and `source: pulumi.secret(path)`) are deployed, then changed to content
 * their checks refuse while printing the offending line (`validate` and `validateInPlace`, as `nginx -t` quotes a
 * line). The CLI's output says the output was withheld and how to see it, and neither it, the state nor the audit
 * log holds the secret line; the audit log holds no SHA-256 of the secret content either.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("check output of secret content (sftp, real CLI)", function () {
    let w: World;

    before(async function () {
        w = await getWorld();
    });

    it("a failing check of secret content shows no secret line in the CLI output, the state or the audit log", async function () {
        const root = remoteDir(w, "secret-checks");
        const src = fs.mkdtempSync(path.join(w.dir, "secret-src-"));
        const line = (n: number) => `API_TOKEN=${randomBytes(12).toString("hex")}-${n}`;
        const [env1, env2, src1, src2] = [line(1), line(2), line(3), line(4)];
        const log = path.join(w.dir, "audit", `secret-checks-${process.pid}.jsonl`);
        const s = new TestStack(w, "secret-checks", remoteFilesProgram);
        // Both checks quote the token line, as a configuration test quotes the line it refuses.
        const refuse = "grep -n API_TOKEN {path} >&2; exit 1";
        const settings = (env: string, source: string, check: string) => {
            fs.writeFileSync(path.join(src, "app.env"), `${source}\n`);
            return {
                connection: sshConnection(w),
                files: [
                    { name: "env", path: path.join(root, "env"), content: `${env}\n`, secret: true, validate: check },
                    {
                        name: "src",
                        path: path.join(root, "src.env"),
                        source: path.join(src, "app.env"),
                        secret: true,
                        validateInPlace: check,
                    },
                ],
            };
        };
        s.setSettings(settings(env1, src1, "true"));
        await s.select(); // the stack must exist for `config set`
        const set = await s.runPulumi(["config", "set", "filedrop:auditLog", log, "--stack", "test"]);
        assert.strictEqual(set.code, 0, set.output);
        await s.ok("up");
        s.setSettings(settings(env2, src2, refuse));
        const r = await s.run("up");
        assert.notStrictEqual(r.code, 0, r.output);
        for (const secret of [env1, env2, src1, src2]) {
            assert.ok(!r.output.includes(secret), `the CLI output shows a secret line:\n${r.output}`);
        }
        assert.match(
            r.output,
            /Validation of the new .*env failed \(`grep -n API_TOKEN \{path\} >&2; exit 1` exited 1\)/,
        );
        assert.match(r.output, /Its output is withheld because the file's content is a secret/);
        assert.match(r.output, /run `grep -n API_TOKEN FILE >&2; exit 1` there/);
        assert.match(r.output, /in-place check of .*src\.env failed/);
        assert.strictEqual(fs.readFileSync(path.join(root, "src.env"), "utf8"), `${src1}\n`, "previous file back");
        const state = s.stateText();
        await s.ok("destroy");
        const audit = fs.readFileSync(log, "utf8");
        for (const secret of [env1, env2, src1, src2]) {
            assert.ok(!state.includes(secret), "the state holds a secret line");
            assert.ok(!state.includes(sha(`${secret}\n`)), "the state holds a SHA-256 of secret content in clear");
            assert.ok(!audit.includes(secret), "the audit log holds a secret line");
            for (const content of [`${secret}\n`]) {
                assert.ok(!audit.includes(sha(content)), "the audit log holds a SHA-256 of secret content");
            }
        }
        const lines = audit
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l));
        assert.ok(lines.length >= 4, audit);
        assert.deepStrictEqual([...new Set(lines.map((l) => l.sha256))], [null]);
        fs.rmSync(src, { recursive: true, force: true });
    });
});
