/**
 * `sudo` against real OpenSSH without the engine: `sudo: true` as a deploy user with NOPASSWD sudo writes a root-owned
 * folder, the file owned by root; a user without sudo is refused in one sentence and nothing is written; owner and
 * group by name.
 */
import * as assert from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConnectionInputs } from "../../provider/connection";
import { hasCode } from "../../provider/errors";
import * as dirHandler from "../../provider/handlers/remoteDirectory";
import * as fileHandler from "../../provider/handlers/remoteFile";
import * as treeHandler from "../../provider/handlers/remoteTree";
import { uploadFiles } from "../../provider/ops/treeUpload";
import { verifiedUpload } from "../../provider/ops/upload";
import { buildManifest } from "../../provider/plan/treeSource";
import { closeAll, withTransport } from "../../provider/transport/pool";
import { textUpload as upload } from "../harness/textUpload";
import { getServers, type Servers, scratchDir } from "../harness/world";

describe("ssh: sudo (real NOPASSWD sudo for the deploy user)", function () {
    let w: Servers;
    let rootDir: string;
    let key: string;
    const conn = (user: string, sudo: boolean | string): ConnectionInputs => ({
        host: w.sshd.host,
        port: w.sshd.port,
        user,
        knownHosts: w.sshd.knownHostsPath,
        sudo,
        dialErrorLimit: 1,
    });

    before(async function () {
        w = await getServers();
        key = fs.readFileSync(w.sshd.privateKeyPath, "utf8");
        // A root-owned folder the deploy user cannot write without sudo.
        rootDir = fs.mkdtempSync(path.join(w.remoteRoot, "root-owned-"));
        fs.chownSync(rootDir, 0, 0);
        fs.chmodSync(rootDir, 0o755);
    });

    after(async function () {
        await closeAll();
    });

    it("the deploy user without sudo cannot write there (the case sudo exists for)", async function () {
        await assert.rejects(
            withTransport(conn(w.sshd.user, false), { privateKey: key }, (t) =>
                verifiedUpload(t, upload(path.join(rootDir, "plain.conf"), "x\n")),
            ),
            (e: Error) => hasCode(e, "PERMISSION_DENIED"),
        );
    });

    it("with `sudo: true` the deploy user writes a root-owned file there; commands (hashing) run as root too", async function () {
        const target = path.join(rootDir, "site.conf");
        // Above READ_BACK_MAX_BYTES, so the server hashes the root-owned 0600 temporary: only a command run as root can.
        const body = `server { listen 80; }\n${"# padding\n".repeat(30_000)}`;
        const r = await withTransport(conn(w.sshd.user, true), { privateKey: key }, async (t) => {
            const id = await t.exec("id -un");
            const up = await verifiedUpload(t, upload(target, body));
            await t.chown(target, 0, 0);
            return { id: id.stdout.trim(), up };
        });
        const st = fs.statSync(target);
        assert.strictEqual(r.id, "root");
        assert.strictEqual(st.uid, 0);
        assert.strictEqual(st.gid, 0);
        assert.strictEqual(fs.readFileSync(target, "utf8"), body);
        assert.match(r.up.verifiedBy, /^ssh exec: /);
        const log = fs.readFileSync(w.sshd.logFile, "utf8");
        assert.match(log, new RegExp(`Accepted publickey for ${w.sshd.user}`));
        console.log(
            `      ${target}: uid ${st.uid} gid ${st.gid}, written by ${w.sshd.user} (commands ran as ${r.id}; verified by ${r.up.verifiedBy})`,
        );
    });

    it("a tree's many files are written through more SFTP sessions, each started by sudo: every file root-owned, verified", async function () {
        const src = fs.mkdtempSync(path.join(scratchDir(), "lanes-src-"));
        for (let i = 0; i < 300; i++) {
            fs.writeFileSync(path.join(src, `f${i}.txt`), `file ${i}\n`);
        }
        const { manifest } = await buildManifest(src, {});
        const dest = path.join(rootDir, "lanes");
        let sessions = 0;
        const out = await withTransport(conn(w.sshd.user, true), { privateKey: key }, async (t) => {
            // The transport's write sessions (sftpLanes.ts), looked at while the upload runs.
            const lanes = (t as unknown as { lanes: { count: number } }).lanes;
            const watch = setInterval(() => (sessions = Math.max(sessions, lanes.count)), 5);
            try {
                return await uploadFiles(async (op) => op(t), src, dest, manifest, Object.keys(manifest));
            } finally {
                clearInterval(watch);
            }
        });
        assert.deepStrictEqual(out.errors, []);
        assert.ok(sessions > 1, `more than one session wrote (${sessions})`);
        for (let i = 0; i < 300; i++) {
            const st = fs.statSync(path.join(dest, `f${i}.txt`));
            assert.deepStrictEqual([st.uid, st.gid], [0, 0], `f${i}.txt written as root`);
            assert.strictEqual(fs.readFileSync(path.join(dest, `f${i}.txt`), "utf8"), `file ${i}\n`);
        }
        assert.deepStrictEqual(
            fs.readdirSync(dest).filter((n) => n.includes(".filedrop-")),
            [],
            "no temporary left",
        );
        fs.rmSync(src, { recursive: true, force: true });
    });

    it("a tree's folder name a neighbour linked elsewhere is refused, even for files deeper below it", async function () {
        const src = fs.mkdtempSync(path.join(scratchDir(), "planted-src-"));
        fs.mkdirSync(path.join(src, "docs", "deep"), { recursive: true });
        fs.writeFileSync(path.join(src, "index.html"), "<h1>home</h1>\n");
        fs.writeFileSync(path.join(src, "docs", "deep", "page.html"), "<p>page</p>\n");
        const { manifest } = await buildManifest(src, {});
        // A shared web root (root-owned, the deploy group may write) where the neighbour linked `docs` to a folder
        // that holds `deep` already, so only a look at `docs` itself can tell.
        const dest = fs.mkdtempSync(path.join(rootDir, "planted-www-"));
        const elsewhere = fs.mkdtempSync(path.join(rootDir, "elsewhere-"));
        fs.mkdirSync(path.join(elsewhere, "deep"));
        fs.symlinkSync(elsewhere, path.join(dest, "docs"));
        fs.lchownSync(path.join(dest, "docs"), w.sshd.otherUser.uid, w.sshd.otherUser.gid);
        // Refused, as the chunk's failure or as one of its files' errors.
        const errors = await withTransport(conn(w.sshd.user, true), { privateKey: key }, (t) =>
            uploadFiles(async (op) => op(t), src, dest, manifest, Object.keys(manifest)),
        ).then(
            (out) => out.errors,
            (e: unknown) => [e],
        );
        assert.match(
            errors.map(String).join("\n"),
            /planted-www-\w+\/docs is a symlink owned by uid \d+ where a folder is wanted, made by neither root, the login user nor the owner of .*; it was not followed/,
        );
        assert.deepStrictEqual(fs.readdirSync(path.join(elsewhere, "deep")), [], "nothing written through the link");
        fs.rmSync(src, { recursive: true, force: true });
    });

    it("a prefix runs as another user: `sudo -n -u <user>`", async function () {
        const r = await withTransport(
            conn(w.sshd.user, `sudo -n -u ${w.sshd.otherUser.name}`),
            { privateKey: key },
            (t) => t.exec("id -un"),
        );
        assert.strictEqual(r.stdout.trim(), w.sshd.otherUser.name);
    });

    it("a user without sudo rights is refused in one sentence naming sudo's reason; nothing is written", async function () {
        const before = fs.readdirSync(rootDir).sort();
        await assert.rejects(
            withTransport(conn(w.sshd.otherUser.name, true), { password: w.sshd.otherUser.password }, (t) =>
                verifiedUpload(t, upload(path.join(rootDir, "nope.conf"), "x\n")),
            ),
            (e: Error) =>
                hasCode(e, "PERMISSION_DENIED") &&
                /did not start an SFTP server \(sudo: a password is required\); give this user password-less sudo/.test(
                    e.message,
                ),
        );
        assert.deepStrictEqual(fs.readdirSync(rootDir).sort(), before);
    });

    it("owner and group by name are resolved on the server for RemoteDirectory, RemoteFile and RemoteTree; a change chowns; an unknown name fails, nothing written", async function () {
        const connection = conn(w.sshd.user, true);
        const credentials = { privateKey: key };
        const other = w.sshd.otherUser;
        const site = path.join(rootDir, "site");
        const d = await dirHandler.check({} as never, {
            connection,
            credentials,
            path: site,
            owner: other.name,
            group: other.name,
        });
        assert.deepStrictEqual(d.failures, []);
        await dirHandler.create(d.inputs!);
        assert.deepStrictEqual([fs.statSync(site).uid, fs.statSync(site).gid], [other.uid, other.gid]);

        const content = "listen 443;\n";
        const sha256 = createHash("sha256").update(content).digest("hex");
        const fileArgs = {
            connection,
            credentials,
            path: path.join(site, "a.conf"),
            content,
            sha256,
            size: content.length,
        };
        const f = await fileHandler.check({} as never, { ...fileArgs, owner: "root", group: other.name });
        assert.deepStrictEqual(f.failures, []);
        const made = await fileHandler.create(f.inputs!);
        assert.deepStrictEqual([fs.statSync(fileArgs.path).uid, fs.statSync(fileArgs.path).gid], [0, other.gid]);
        assert.strictEqual(made.outs!.owner, "root", "the state keeps the name given");
        // Owner changed, same bytes: chown in place, no upload.
        const g = await fileHandler.check(f.inputs!, { ...fileArgs, owner: other.name, group: "root" });
        const mtime = fs.statSync(fileArgs.path).mtimeMs;
        await fileHandler.update("id", made.outs!, g.inputs!);
        assert.deepStrictEqual([fs.statSync(fileArgs.path).uid, fs.statSync(fileArgs.path).gid], [other.uid, 0]);
        assert.strictEqual(fs.statSync(fileArgs.path).mtimeMs, mtime);

        const src = fs.mkdtempSync(path.join(scratchDir(), "tree-src-"));
        fs.writeFileSync(path.join(src, "index.html"), "<h1>hi</h1>\n");
        const { manifest } = await buildManifest(src, {});
        const tree = path.join(rootDir, "www");
        const t = await treeHandler.check({} as never, {
            connection,
            credentials,
            sourceDir: src,
            destination: tree,
            manifest,
            owner: other.name,
            group: other.name,
        });
        assert.deepStrictEqual(t.failures, []);
        await treeHandler.create(t.inputs!);
        assert.deepStrictEqual(
            [fs.statSync(path.join(tree, "index.html")).uid, fs.statSync(path.join(tree, "index.html")).gid],
            [other.uid, other.gid],
        );

        const before = fs.readdirSync(site).sort();
        const bad = await fileHandler.check({} as never, {
            ...fileArgs,
            path: path.join(site, "b.conf"),
            owner: "no-such-user-xyz",
        });
        assert.deepStrictEqual(bad.failures, []);
        await assert.rejects(
            fileHandler.create(bad.inputs!),
            (e: Error) =>
                hasCode(e, "INVALID_INPUT") &&
                /has no user "no-such-user-xyz" \(`owner`\); create it there first, or give an existing name or a number\./.test(
                    e.message,
                ),
        );
        assert.deepStrictEqual(fs.readdirSync(site).sort(), before);
    });
});
