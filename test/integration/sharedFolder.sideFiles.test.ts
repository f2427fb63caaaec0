/**
 * Issue 19 through the engine (plain `pulumi`, the packed package, the real sshd): a folder shared by a group, in
 * which the second local user `filedrop-other` plants symlinks and files of their own at every name the provider
 * computes beside a target, and swaps a managed file for a link. The deploy user writes with `sudo: true` (as root),
 * so a link followed, a file continued or a copy made in the neighbour's file would reach root-only files.
 *
 * The neighbour's links and files are made here by root and handed to `filedrop-other` with lchown: what the
 * provider sees (kind, owner, mode, content) is what that user would have made with `ln -s` and `touch`.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, sshConnection, type World } from "../harness/world";

const GROUP = "filedrop-share";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const tag = (s: string) => sha(s).slice(0, 12);

describe("shared folder: what a neighbour plants beside our files (sudo, real sshd, engine)", function () {
    let w: World;
    let other: { uid: number; gid: number; name: string };
    let n = 0;

    before(async function () {
        w = await getWorld();
        other = w.sshd.otherUser;
        // Idempotent, so that it also works on a fresh CI machine: one group holding both test users.
        execFileSync("sh", ["-c", `getent group ${GROUP} >/dev/null || groupadd ${GROUP}`]);
        for (const u of [w.sshd.user, other.name]) {
            execFileSync("usermod", ["-aG", GROUP, u]);
        }
    });

    /** A fresh folder shared by the group (root:filedrop-share 2770, like /srv/www on a team's server). */
    function sharedFolder(): string {
        const gid = Number(execFileSync("getent", ["group", GROUP]).toString().split(":")[2]);
        const d = path.join(w.remoteRoot, `shared-${++n}-${Math.random().toString(36).slice(2, 8)}`);
        fs.mkdirSync(d);
        fs.chownSync(d, 0, gid);
        fs.chmodSync(d, 0o2770);
        return d;
    }

    /** A root-only file outside the shared folder (mode 0600 in a 0700 folder). */
    function rootSecret(name: string): string {
        const d = path.join(w.dir, `root-only-${++n}`);
        fs.mkdirSync(d, { mode: 0o700 });
        const p = path.join(d, name);
        fs.writeFileSync(p, `SECRET ${name}\n`, { mode: 0o600 });
        return p;
    }

    const plantLink = (at: string, to: string) => {
        fs.symlinkSync(to, at);
        fs.lchownSync(at, other.uid, other.gid);
    };
    const plantFile = (at: string, content: string) => {
        fs.writeFileSync(at, content, { mode: 0o666 });
        fs.chmodSync(at, 0o666);
        fs.chownSync(at, other.uid, other.gid);
    };
    const sideName = (file: string, suffix: string) =>
        path.join(path.dirname(file), `.${path.basename(file)}.${suffix}`);

    it("item 1: links and files planted at the resumable temporary, the new-file marker and the backup reach no root file", async function () {
        const dir = sharedFolder();
        const [s1, s2, s3] = ["temporary.txt", "marker.txt", "nothing.txt"].map(rootSecret);
        const a = path.join(dir, "a.conf");
        const b = path.join(dir, "b.conf");
        const c = path.join(dir, "secret.env");
        const [ca, cb, cc] = ["a = 1\n", "b = 2 and more bytes\n", "TOKEN=new\n"];
        // a: links at its resumable temporary and its marker, to root-only files.
        plantLink(sideName(a, `filedrop-${tag(ca)}`), s1);
        plantLink(sideName(a, `filedrop-new-${tag(ca)}`), s2);
        // b: the neighbour's own file at its resumable temporary, holding the right first bytes (so it verifies).
        plantFile(sideName(b, `filedrop-${tag(cb)}`), cb.slice(0, 5));
        // c: an existing root-only secret.env, adopted; an empty file of the neighbour's at its backup name.
        fs.writeFileSync(c, "TOKEN=old-secret\n", { mode: 0o600 });
        const planted = sideName(c, `filedrop-backup-${tag(cc)}`);
        plantFile(planted, "");
        const stack = new TestStack(w, "shared-side-files", remoteFilesProgram);
        stack.setSettings({
            connection: sshConnection(w, { sudo: true }),
            files: [
                { name: "a", path: a, content: ca, mode: "0644" },
                { name: "b", path: b, content: cb, mode: "0644" },
                { name: "c", path: c, content: cc, mode: "0600" },
            ],
        });
        const r = await stack.run("up");
        for (const s of [s1, s2, s3]) {
            assert.strictEqual(
                fs.readFileSync(s, "utf8"),
                `SECRET ${path.basename(s)}\n`,
                `${s} was written:\n${r.output}`,
            );
        }
        assert.strictEqual(r.code, 0, r.output);
        for (const [p, content] of [
            [a, ca],
            [b, cb],
            [c, cc],
        ]) {
            const st = fs.lstatSync(p);
            assert.ok(st.isFile(), `${p} is a regular file`);
            assert.strictEqual(fs.readFileSync(p, "utf8"), content);
            assert.strictEqual(st.uid, 0, `${p} belongs to root (the sudo user), not to uid ${st.uid}`);
        }
        assert.strictEqual(fs.readFileSync(planted, "utf8"), "", "the neighbour's file received no copy of secret.env");
        assert.strictEqual(fs.lstatSync(sideName(a, `filedrop-${tag(ca)}`)).isSymbolicLink(), true, "left alone");
        assert.match(r.output, /is a symlink owned by uid \d+, not a temporary this package left there/);
        assert.match(r.output, /is a regular file owned by uid \d+, not a copy this package made; it was left alone/);
        console.log(
            "      after: up succeeded; root-only files untouched; targets root-owned; planted files left alone",
        );
    });

    it("item 2: a managed file swapped for a link to a root-only file is refused on update, naming the change", async function () {
        const dir = sharedFolder();
        const secret = rootSecret("shadow.txt");
        const d = path.join(dir, "d.conf");
        const stack = new TestStack(w, "shared-became-link", remoteFilesProgram);
        const settings = (content: string) =>
            stack.setSettings({
                connection: sshConnection(w, { sudo: true }),
                files: [{ name: "d", path: d, content, mode: "0644" }],
            });
        settings("d = 1\n");
        await stack.ok("up");
        fs.unlinkSync(d);
        plantLink(d, secret);
        settings("d = 2\n");
        const r = await stack.run("up");
        assert.strictEqual(fs.readFileSync(secret, "utf8"), "SECRET shadow.txt\n", `written through:\n${r.output}`);
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(
            r.output,
            /d\.conf was a regular file when this stack last wrote it and is now a symlink to \S*shadow\.txt; nothing was written through it/,
        );
        assert.match(r.output, /run `pulumi refresh` to record it/);
        console.log("      after: update refused with the sentence; the root-only file is untouched");
    });

    it("item 3: a 240-byte file name is refused at preview with a sentence", async function () {
        const dir = sharedFolder();
        const stack = new TestStack(w, "shared-long-name", remoteFilesProgram);
        stack.setSettings({
            connection: sshConnection(w),
            files: [{ name: "long", path: path.join(dir, "n".repeat(240)), content: "x\n" }],
        });
        const r = await stack.run("preview");
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(r.output, /has a file name of 240 bytes .*file names of at most 219 bytes can be written/);
        console.log("      after: preview refused the name with the sentence");
    });

    it("item 3: two stacks writing one path at once: the one whose temporary is swept names the concurrent writer", async function () {
        const dir = sharedFolder();
        const p = path.join(dir, "both.conf");
        const first = new TestStack(w, "shared-writer-1", remoteFilesProgram);
        const second = new TestStack(w, "shared-writer-2", remoteFilesProgram);
        // The first one's temporary waits beside the target while its `validate` runs; the second sweeps it then.
        first.setSettings({
            connection: sshConnection(w),
            files: [{ name: "f", path: p, content: "first\n", validate: "sleep 25 && true {path}" }],
        });
        second.setSettings({ connection: sshConnection(w), files: [{ name: "f", path: p, content: "second\n" }] });
        const running = first.run("up");
        const temporary = /^\.both\.conf\.filedrop-[0-9a-f]{12}$/;
        for (let i = 0; i < 600 && !fs.readdirSync(dir).some((f) => temporary.test(f)); i++) {
            await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(
            fs.readdirSync(dir).some((f) => temporary.test(f)),
            "the first stack's temporary appeared",
        );
        const r2 = await second.run("up");
        const r1 = await running;
        assert.strictEqual(r2.code, 0, r2.output);
        assert.notStrictEqual(r1.code, 0, r1.output);
        assert.match(
            r1.output,
            /its temporary \S+ disappeared while it ran.*Another writer is deploying the same path at the same time/,
        );
        assert.strictEqual(fs.readFileSync(p, "utf8"), "second\n");
        console.log("      after: the first stack's failure names the concurrent writer");
    });
});
