/**
 * Issue 12 items 3 and 4 through the real Pulumi CLI: the audit log (stack config key `filedrop:auditLog`) of an
 * up, a failed up and a destroy over SFTP (OpenSSH) and FTPS (ProFTPD), with nothing secret in it; and RemoteDownload
 * over SFTP, FTPS with a server-side hash (ProFTPD HASH) and FTPS without (vsftpd), secret in the state, with a
 * refresh noticing a change made out of band. One stack; the steps build on each other, in order.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type FtpServers, ftpConnection, ftpServers } from "../harness/ftpServers";
import { TestStack } from "../harness/stack";
import { transfersProgram } from "../harness/transfersProgram";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

interface Line {
    [k: string]: unknown;
    stack: string;
    urn: string;
    scope: string;
    operation: string;
    protocol: string;
    remotePath: string;
    outcome: string;
    errorCode: string | null;
}

describe("audit log and RemoteDownload through the engine", function () {
    let w: World;
    let ftp: FtpServers;
    let stack: TestStack;
    let root: string;
    let log: string;
    let settings: Record<string, unknown[]>;
    const secretText = `TOKEN=${randomBytes(12).toString("hex")}\n`;
    const kubeconfig = () => `apiVersion: v1\nclient-key-data: ${randomBytes(24).toString("base64")}\n`;
    let kube1: string;
    const token1 = `token-${randomBytes(10).toString("hex")}\n`;
    let read = 0;
    /** The log lines appended since the last call. */
    const newLines = (): Line[] => {
        const all = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
        const fresh = all.slice(read).map((l) => JSON.parse(l) as Line);
        read = all.length;
        return fresh;
    };
    const at = (lines: Line[], p: string, op?: string) => {
        const l = lines.find((x) => x.remotePath === p && (op === undefined || x.operation === op));
        assert.ok(l, `a line for ${op ?? ""} ${p} in ${JSON.stringify(lines, null, 1)}`);
        return l;
    };
    const outputs = async (showSecrets: boolean) => {
        const r = await stack.runPulumi([
            "stack",
            "output",
            "--json",
            "--stack",
            "test",
            ...(showSecrets ? ["--show-secrets"] : []),
        ]);
        assert.strictEqual(r.code, 0, r.output);
        return JSON.parse(r.output.slice(r.output.indexOf("{")));
    };

    before(async function () {
        w = await getWorld();
        ftp = await ftpServers();
        root = remoteDir(w, "audit");
        const src = fs.mkdtempSync(path.join(w.dir, "audit-src-"));
        fs.writeFileSync(path.join(src, "app.bin"), randomBytes(300 << 10));
        fs.mkdirSync(path.join(src, "tree"));
        fs.writeFileSync(path.join(src, "tree", "index.html"), "<h1>hi</h1>\n");
        fs.writeFileSync(path.join(src, "tree", "site.css"), "h1 { color: red }\n");
        kube1 = kubeconfig();
        fs.writeFileSync(path.join(root, "k3s.yaml"), kube1);
        fs.writeFileSync(path.join(root, "token.txt"), token1);
        fs.writeFileSync(path.join(root, "motd.txt"), "welcome\n");
        fs.writeFileSync(path.join(root, "big.log"), "x".repeat(100));
        const ssh = sshConnection(w);
        const proftpd = ftpConnection(w, "proftpdExplicit");
        const vsftpd = ftpConnection(w, "vsftpdExplicit");
        settings = {
            files: [
                {
                    name: "secret",
                    connection: ssh,
                    path: path.join(root, "app", "secret.env"),
                    content: secretText,
                    secret: true,
                },
                {
                    name: "binary",
                    connection: proftpd,
                    path: path.join(root, "ftps", "app.bin"),
                    source: path.join(src, "app.bin"),
                },
            ],
            trees: [
                { name: "site", connection: ssh, source: path.join(src, "tree"), destination: path.join(root, "www") },
            ],
            downloads: [
                { name: "kube", connection: ssh, path: path.join(root, "k3s.yaml") },
                { name: "token", connection: proftpd, path: path.join(root, "token.txt") },
                { name: "motd", connection: vsftpd, path: path.join(root, "motd.txt"), secret: false },
            ],
        };
        stack = new TestStack(w, "audit-download", transfersProgram);
        stack.setSettings(settings);
        log = path.join(w.dir, "audit", "filedrop-audit.jsonl");
        assert.strictEqual(
            (await stack.runPulumi(["stack", "select", "--create", "test", "--non-interactive"])).code,
            0,
        );
        const set = await stack.runPulumi(["config", "set", "filedrop:auditLog", log, "--stack", "test"]);
        assert.strictEqual(set.code, 0, set.output);
    });

    it("up: one line per upload (file, tree file, tree) and download, with stack, URN, endpoint, SHA-256 and verification", async function () {
        await stack.ok("up");
        const lines = newLines();
        const secret = at(lines, path.join(root, "app", "secret.env"), "upload");
        assert.strictEqual(secret.stack, "test");
        assert.strictEqual(
            secret.urn,
            "urn:pulumi:test::audit-download::pulumi-nodejs:dynamic/filedrop:RemoteFile::secret",
        );
        assert.strictEqual(secret.protocol, "sftp");
        assert.strictEqual(secret.host, w.sshd.host);
        assert.strictEqual(secret.port, w.sshd.port);
        assert.strictEqual(secret.user, w.sshd.user);
        assert.strictEqual(secret.localSource, "(content)");
        assert.strictEqual(secret.bytes, Buffer.byteLength(secretText));
        assert.strictEqual(secret.sha256, null, "no SHA-256 of secret content (issue 19)");
        assert.ok(!fs.readFileSync(log, "utf8").includes(sha(secretText)), "not anywhere in the log");
        assert.strictEqual(secret.verifiedBy, "read-back", "a small file over SFTP is read back (READ_BACK_MAX_BYTES)");
        assert.strictEqual(secret.outcome, "ok");
        assert.strictEqual(typeof secret.durationMs, "number");
        const bin = at(lines, path.join(root, "ftps", "app.bin"), "upload");
        assert.strictEqual(bin.protocol, "ftps");
        assert.strictEqual(bin.user, ftp.user);
        assert.strictEqual(bin.bytes, 300 << 10);
        assert.strictEqual(bin.sha256, sha(fs.readFileSync(path.join(root, "ftps", "app.bin"))));
        assert.match(String(bin.verifiedBy), /HASH/);
        assert.ok(typeof bin.mbps === "number" && bin.mbps > 0, "MB/s of a real transfer");
        const css = at(lines, path.join(root, "www", "site.css"), "upload");
        assert.strictEqual(css.scope, "file");
        assert.match(String(css.localSource), /tree\/site\.css$/);
        const tree = at(lines, path.join(root, "www"), "upload");
        assert.deepStrictEqual([tree.scope, tree.files, tree.outcome], ["tree", 2, "ok"]);
        const kube = at(lines, path.join(root, "k3s.yaml"), "download");
        assert.deepStrictEqual([kube.sha256, kube.bytes], [sha(kube1), Buffer.byteLength(kube1)]);
        assert.match(String(kube.verifiedBy), /ssh exec: .* \+ bytes received/);
        assert.match(
            String(at(lines, path.join(root, "token.txt"), "download").verifiedBy),
            /HASH.* \+ bytes received/,
        );
        assert.match(String(at(lines, path.join(root, "motd.txt"), "download").verifiedBy), /no hash/);
        assert.strictEqual(lines.length, 8, "2 files, 2 tree files, 1 tree, 3 downloads");
    });

    it("downloads are the files' bytes, secret in the state and the CLI output unless secret: false", async function () {
        const shown = await outputs(true);
        assert.strictEqual(shown.kube.content, kube1);
        assert.strictEqual(shown.kube.sha256, sha(kube1));
        assert.strictEqual(shown.token.content, token1);
        assert.strictEqual(shown.motd.content, "welcome\n");
        const hidden = await outputs(false);
        assert.strictEqual(hidden.kube.content, "[secret]");
        assert.strictEqual(hidden.token.content, "[secret]");
        assert.strictEqual(hidden.motd.content, "welcome\n");
        const state = stack.stateText();
        for (const s of [kube1.split("\n")[1].split(": ")[1], token1.trim(), secretText.trim()]) {
            assert.ok(!state.includes(s), "no secret in clear in the state file");
        }
    });

    it("refresh notices a downloaded file changed out of band (SFTP and FTPS); the next up hands out the new content", async function () {
        const kube2 = kubeconfig();
        fs.writeFileSync(path.join(root, "k3s.yaml"), kube2);
        fs.writeFileSync(path.join(root, "token.txt"), "token-rotated\n");
        const r = await stack.ok("refresh");
        assert.strictEqual(r.summary.update, 2, `two downloads changed: ${JSON.stringify(r.summary)}`);
        const byName = (n: string) =>
            stack.resources("pulumi-nodejs:dynamic/filedrop:RemoteDownload").find((x) => x.urn.endsWith(`::${n}`))!;
        assert.strictEqual(byName("kube").outputs.sha256, sha(kube2));
        assert.strictEqual(byName("token").outputs.sha256, sha("token-rotated\n"));
        assert.strictEqual(byName("motd").outputs.sha256, sha("welcome\n"));
        assert.strictEqual(newLines().filter((l) => l.operation === "download").length, 3, "a refresh reads again");
        const up = await stack.ok("up");
        assert.strictEqual(
            up.summary.update,
            2,
            `the two changed downloads are read again: ${JSON.stringify(up.summary)}`,
        );
        const shown = await outputs(true);
        assert.strictEqual(shown.kube.content, kube2);
        assert.strictEqual(shown.token.content, "token-rotated\n");
        assert.ok(!stack.stateText().includes(kube2.split("\n")[1].split(": ")[1]));
        newLines();
    });

    it("a failed up logs each failure with its code; a file above maxSize is refused with TOO_LARGE", async function () {
        const locked = path.join(root, "locked");
        fs.mkdirSync(locked, { mode: 0o755 }); // owned by root: the login user cannot write there
        const failing = {
            ...settings,
            files: [
                ...settings.files,
                { name: "denied", connection: sshConnection(w), path: path.join(locked, "x.conf"), content: "x\n" },
            ],
            downloads: [
                ...settings.downloads,
                { name: "huge", connection: sshConnection(w), path: path.join(root, "big.log"), maxSize: 10 },
            ],
        };
        stack.setSettings(failing);
        const r = await stack.run("up");
        assert.notStrictEqual(r.code, 0);
        assert.match(r.output, /big\.log is 100 bytes, above the RemoteDownload limit of 10 bytes; .*raise `maxSize`/);
        const lines = newLines();
        const denied = at(lines, path.join(locked, "x.conf"), "upload");
        assert.deepStrictEqual([denied.outcome, denied.errorCode], ["failed", "PERMISSION_DENIED"]);
        assert.match(String(denied.error), /Permission denied/);
        const huge = at(lines, path.join(root, "big.log"), "download");
        assert.deepStrictEqual([huge.outcome, huge.errorCode], ["failed", "TOO_LARGE"]);
        stack.setSettings(settings);
    });

    it("destroy logs one removal per file and tree; nothing secret is anywhere in the log", async function () {
        await stack.ok("destroy");
        const lines = newLines();
        assert.strictEqual(at(lines, path.join(root, "app", "secret.env"), "remove").outcome, "ok");
        assert.strictEqual(at(lines, path.join(root, "ftps", "app.bin"), "remove").protocol, "ftps");
        assert.strictEqual(at(lines, path.join(root, "www", "index.html"), "remove").sha256, sha("<h1>hi</h1>\n"));
        assert.deepStrictEqual(at(lines, path.join(root, "www"), "remove").files, 2);
        assert.ok(!lines.some((l) => l.operation === "download"), "forgetting a download touches nothing");
        assert.ok(fs.existsSync(path.join(root, "k3s.yaml")), "destroy leaves a downloaded file in place");
        const text = fs.readFileSync(log, "utf8");
        const key = fs.readFileSync(w.sshd.privateKeyPath, "utf8");
        for (const secret of [
            ftp.password,
            secretText.trim(),
            token1.trim(),
            ...key.split("\n").filter((l) => l.length > 20),
        ]) {
            assert.ok(!text.includes(secret), "no password, key line or secret content in the audit log");
        }
        assert.strictEqual(fs.statSync(log).mode & 0o777, 0o600, "the log is private to its owner");
        // An excerpt for people reading the test output.
        for (const l of text
            .split("\n")
            .filter((x) => /(secret\.env|app\.bin|\/www|x\.conf|big\.log)"/.test(x))
            .slice(0, 8)) {
            process.stderr.write(`[audit] ${l}\n`);
        }
    });
});
