/** The audit log (provider/audit): where it goes, what a line holds for each resource, and that no secret gets in. */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { audited } from "../../../provider/audit/audited";
import { AUDIT_ENV, auditLogPath, configureAudit } from "../../../provider/audit/auditLog";
import { redact, stackOfUrn } from "../../../provider/audit/auditRecord";
import { FiledropError } from "../../../provider/errors";
import { check, create, type RemoteFileInputs, remove } from "../../../provider/handlers/remoteFile";
import type { RemoteTreeOutputs } from "../../../provider/handlers/remoteTree";
import { checkedBy, freshServer, sha } from "../support/fixtures";

const URN = "urn:pulumi:prod::web::pulumi-nodejs:dynamic/filedrop:RemoteFile::conf";
const config = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

describe("audit log", function () {
    let dir: string;
    let log: string;
    const saved = process.env[AUDIT_ENV];
    const lines = () =>
        fs.existsSync(log)
            ? fs
                  .readFileSync(log, "utf8")
                  .split("\n")
                  .filter(Boolean)
                  .map((l) => JSON.parse(l))
            : [];

    beforeEach(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-audit-"));
        log = path.join(dir, "logs", "audit.jsonl");
        configureAudit(config({ "filedrop:auditLog": log }));
    });
    afterEach(function () {
        configureAudit(undefined);
        if (saved === undefined) {
            delete process.env[AUDIT_ENV];
        } else {
            process.env[AUDIT_ENV] = saved;
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is named by the stack config key, else by FILEDROP_AUDIT_LOG, else off", function () {
        assert.strictEqual(auditLogPath({ [AUDIT_ENV]: "/var/log/env.jsonl" }), log, "the config key wins");
        configureAudit(config({}));
        assert.strictEqual(auditLogPath({ [AUDIT_ENV]: "/var/log/env.jsonl" }), "/var/log/env.jsonl");
        assert.strictEqual(auditLogPath({ [AUDIT_ENV]: "rel.jsonl" }), path.resolve("rel.jsonl"));
        assert.strictEqual(auditLogPath({}), undefined);
    });

    it("reads the stack and project from the URN", function () {
        assert.deepStrictEqual(stackOfUrn(URN), { stack: "prod", project: "web" });
        assert.deepStrictEqual(stackOfUrn(undefined), { stack: null, project: null });
    });

    it("RemoteFile: an upload, a failed upload and a removal, one line each, without credentials or content", async function () {
        const { server, connection } = freshServer();
        try {
            const credentials = { password: "hunter2-password" };
            const content = "TOKEN=very-secret-value\n";
            const inputs: RemoteFileInputs = await checkedBy(check, {
                connection,
                credentials,
                path: "/etc/app/.env",
                content,
                sha256: sha(content),
                size: content.length,
                resourceUrn: URN,
            });
            const { outs } = await audited("remoteFile", "create", [inputs], () => create(inputs));
            const failing = async () => {
                throw new FiledropError(
                    "NO_SPACE",
                    `Cannot write: the server said "${content}" (password hunter2-password)`,
                );
            };
            await assert.rejects(audited("remoteFile", "create", [inputs], failing), /NO_SPACE|Cannot write/);
            await audited("remoteFile", "delete", ["id", outs], () => remove("id", outs!));
            const [up, failed, gone] = lines();
            assert.deepStrictEqual(
                [up.stack, up.project, up.urn, up.resource, up.operation, up.protocol, up.host, up.port, up.user],
                ["prod", "web", URN, "RemoteFile", "upload", "sftp", connection.host, 22, "deploy"],
            );
            assert.deepStrictEqual(
                [up.remotePath, up.localSource, up.bytes, up.sha256, up.verifiedBy, up.outcome, up.errorCode],
                [
                    "/etc/app/.env",
                    "(content)",
                    content.length,
                    sha(content),
                    "ssh exec: openssl dgst -sha256",
                    "ok",
                    null,
                ],
            );
            assert.ok(typeof up.durationMs === "number" && up.durationMs >= 0);
            assert.ok(!Number.isNaN(Date.parse(up.time)));
            assert.deepStrictEqual([failed.outcome, failed.errorCode], ["failed", "NO_SPACE"]);
            assert.strictEqual(failed.error, 'Cannot write: the server said "[secret]" (password [secret])');
            assert.deepStrictEqual([gone.operation, gone.outcome, gone.sha256], ["remove", "ok", sha(content)]);
            const text = fs.readFileSync(log, "utf8");
            assert.ok(!text.includes("hunter2") && !text.includes("very-secret"), "no secret in the log");
            assert.strictEqual(fs.statSync(log).mode & 0o777, 0o600);
        } finally {
            await server.uninstall();
        }
    });

    it("RemoteFile with secret content: no SHA-256 of it in any line (upload, failed upload, removal)", async function () {
        const { server, connection } = freshServer();
        try {
            const content = "API_TOKEN=hunter2-token-value\n";
            const inputs: RemoteFileInputs = await checkedBy(check, {
                connection,
                credentials: { password: "pw-pw-pw" },
                path: "/etc/app/.env",
                content,
                sha256: sha(content),
                size: content.length,
                contentSecret: true,
                resourceUrn: URN,
            });
            const { outs } = await audited("remoteFile", "create", [inputs], () => create(inputs));
            const failing = async () => {
                throw new FiledropError("NO_SPACE", "Cannot write: disk full");
            };
            await assert.rejects(audited("remoteFile", "create", [inputs], failing), /NO_SPACE|Cannot write/);
            await audited("remoteFile", "delete", ["id", outs], () => remove("id", outs!));
            const all = lines();
            assert.deepStrictEqual(
                all.map((l) => [l.operation, l.outcome, l.sha256, l.bytes]),
                [
                    ["upload", "ok", null, content.length],
                    ["upload", "failed", null, content.length],
                    ["remove", "ok", null, content.length],
                ],
            );
            const text = fs.readFileSync(log, "utf8");
            assert.ok(!text.includes(sha(content)) && !text.includes(sha(content).slice(0, 12)), "no hash of it");
            assert.ok(!text.includes("hunter2"), "nor the content");
        } finally {
            await server.uninstall();
        }
    });

    it("RemoteTree: one line per file uploaded or removed, and one for the tree with its totals", async function () {
        const m = (s: string, size: number) => ({ sha256: s, size, mode: "0644" });
        const olds = {
            connection: { host: "h", user: "u" },
            sourceDir: "/src",
            destination: "/srv/www",
            resourceUrn: URN,
            files: { "a.html": m("1", 10), "b.css": m("2", 20), "old.js": m("3", 30) },
        } as unknown as RemoteTreeOutputs;
        const outs = { ...olds, files: { "a.html": m("1", 10), "b.css": m("22", 25), "c.png": m("4", 40) } };
        await audited("remoteTree", "update", ["id", olds, olds], async () => ({ outs }));
        const got = lines().map((l) => [l.scope, l.operation, l.remotePath, l.bytes, l.localSource]);
        assert.deepStrictEqual(got, [
            ["file", "upload", "/srv/www/b.css", 25, "/src/b.css"],
            ["file", "upload", "/srv/www/c.png", 40, "/src/c.png"],
            ["file", "remove", "/srv/www/old.js", 30, null],
            ["tree", "upload", "/srv/www", 65, "/src"],
        ]);
        assert.strictEqual(lines()[3].files, 2);
    });

    it("a destroy that leaves a changed file says so; nothing is written when no log is configured", async function () {
        const props = { connection: { host: "h" }, path: "/etc/x", sha256: "ab", size: 1, resourceUrn: URN };
        await audited("remoteFile", "delete", ["id", props], async () => "left");
        assert.strictEqual(lines()[0].outcome, "left");
        configureAudit(undefined);
        delete process.env[AUDIT_ENV];
        fs.rmSync(log);
        await audited("remoteFile", "delete", ["id", props], async () => "deleted");
        assert.ok(!fs.existsSync(log));
    });

    it("redacts credentials and secret content, also a key quoted one line at a time", function () {
        const key = "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END KEY-----\n";
        assert.strictEqual(
            redact("bad key line AAAAB3NzaC1yc2EAAAADAQABAAABAQ here", { credentials: { privateKey: key } }),
            "bad key line [secret] here",
        );
    });
});
