/**
 * Issue 8 items 1, 2 and 6 on the memory transport: a symlink at the path, adopted files and what destroy may do
 * with them, two stacks on one path, state from an earlier release, and leftovers of an interrupted run.
 */
import * as assert from "node:assert";
import { remoteIo } from "../../../provider/errors";
import { check, type RemoteFileOutputs, read, remove, update } from "../../../provider/handlers/remoteFile";
import { givenWarnings } from "../../../provider/warnings";
import { checkedFile, createCheckedFile, memoryFileEachTest } from "../support/fileInputs";
import { sha, temporaries } from "../support/fixtures";

describe("RemoteFile ownership: symlinks, adoption, leftovers (memory transport)", function () {
    const path = "/etc/app/app.conf";

    const file = memoryFileEachTest(path, "a = 1\n");

    const warned = (re: RegExp) =>
        assert.ok(
            givenWarnings.some((w) => re.test(w)),
            `a warning matching ${re}; got ${JSON.stringify(givenWarnings)}`,
        );

    describe("item 1: a symlink at the path (Debian nginx sites-enabled)", function () {
        const available = "/etc/nginx/sites-available/app";
        const enabled = "/etc/nginx/sites-enabled/app";
        beforeEach(function () {
            file.server.fs.writeFile(available, "server { listen 80; }\n", 0o640);
            file.server.fs.chown(available, 33, 4);
            file.server.fs.uid = 0; // root, as for /etc/nginx: keeping www-data's owner needs it
            file.server.fs.symlink("../sites-available/app", enabled);
        });

        it("by default writes the file the link points to, atomically beside it, keeps the link, and never takes the link's 0777", async function () {
            const { id, outs } = await createCheckedFile({
                ...file.base,
                path: enabled,
                content: "server { listen 8080; }\n",
                sha256: sha("server { listen 8080; }\n"),
                size: 24,
            });
            assert.strictEqual(file.server.fs.lstat(enabled)?.kind, "symlink", "the link stays a link");
            assert.strictEqual(file.server.fs.text(available), "server { listen 8080; }\n");
            assert.strictEqual(
                file.server.fs.lstat(available)?.mode,
                0o640,
                "the mode of the file it points to, not the link's 0777",
            );
            assert.strictEqual(outs.mode, "0640");
            assert.strictEqual(outs.resolvedPath, available);
            assert.strictEqual(outs.existedBefore, true);
            const renames = file.server.callsOf("rename").filter((c) => c.to === available);
            assert.strictEqual(renames.length, 1, "renamed over the link's target");
            assert.match(
                renames[0].path,
                /^\/etc\/nginx\/sites-available\/\.app\.filedrop-[0-9a-f]{12}$/,
                "temporary in the target's folder",
            );
            assert.deepStrictEqual(temporaries(file.server), []);
            await remove(id, outs);
            assert.strictEqual(file.server.fs.lstat(enabled)?.kind, "symlink", "destroy keeps the link");
            assert.strictEqual(
                file.server.fs.text(available),
                "server { listen 80; }\n",
                "destroy puts back the file that was there",
            );
            assert.deepStrictEqual(
                [
                    file.server.fs.lstat(available)?.mode,
                    file.server.fs.lstat(available)?.uid,
                    file.server.fs.lstat(available)?.gid,
                ],
                [0o640, 33, 4],
            );
            assert.deepStrictEqual(file.server.fs.tree("/etc/nginx"), [
                "sites-available/",
                "sites-available/app",
                "sites-enabled/",
                "sites-enabled/app",
            ]);
        });

        it('with symlinks: "refuse" stops with a sentence naming the option, and changes nothing', async function () {
            await assert.rejects(
                createCheckedFile({ ...file.base, path: enabled, symlinks: "refuse" }),
                /is a symlink and `symlinks: "refuse"` is set;.*`symlinks: "follow"`/,
            );
            assert.strictEqual(file.server.fs.lstat(enabled)?.kind, "symlink");
            assert.strictEqual(file.server.fs.text(available), "server { listen 80; }\n");
            assert.deepStrictEqual(temporaries(file.server), []);
        });

        it("an update writes through the link too, and a bad symlinks value is refused at check", async function () {
            const { id, outs } = await createCheckedFile({ ...file.base, path: enabled });
            const v2 = await checkedFile({ ...file.base, path: enabled, content: "b\n", sha256: sha("b\n"), size: 2 });
            await update(id, outs, v2);
            assert.strictEqual(file.server.fs.lstat(enabled)?.kind, "symlink");
            assert.strictEqual(file.server.fs.text(available), "b\n");
            const r = await check(file.base, { ...file.base, symlinks: "replace" as never });
            assert.match(JSON.stringify(r.failures), /must be \\"follow\\" or \\"refuse\\"/);
        });
    });

    describe("item 2: destroy never removes data the stack did not create", function () {
        it("an adopted file (no onDelete) is warned about at up, copied, and put back by destroy with its mode and owner", async function () {
            file.server.fs.writeFile(path, "original\n", 0o600);
            file.server.fs.chown(path, 33, 33);
            file.server.fs.uid = 0; // root: only root may give the file and its copy back to uid 33
            const { id, outs } = await createCheckedFile(file.base);
            warned(
                /app\.conf already existed; this stack now manages it and keeps the earlier file at .*filedrop-backup-/,
            );
            assert.deepStrictEqual([outs.existedBefore, outs.previousSha256], [true, sha("original\n")]);
            await remove(id, outs);
            assert.strictEqual(file.server.fs.text(path), "original\n");
            assert.deepStrictEqual([file.server.fs.lstat(path)?.mode, file.server.fs.lstat(path)?.uid], [0o600, 33]);
            assert.deepStrictEqual(file.server.fs.tree("/etc/app"), ["app.conf"], "no copy left behind");
        });

        it("on a server that cannot rename over a file, destroy still puts the adopted file back (moved aside, never deleted first)", async function () {
            file.server.capabilities = { ...file.server.capabilities, atomicOverwrite: false };
            file.server.refuseRenameOverExisting = true;
            file.server.fs.writeFile(path, "original\n", 0o600);
            const { id, outs } = await createCheckedFile(file.base);
            assert.strictEqual(file.server.fs.text(path), "a = 1\n");
            await remove(id, outs);
            assert.strictEqual(file.server.fs.text(path), "original\n");
            assert.strictEqual(file.server.fs.lstat(path)?.mode, 0o600);
            assert.deepStrictEqual(
                file.server.fs.tree("/etc/app"),
                ["app.conf"],
                "no copy and no moved-aside file left behind",
            );
            assert.ok(
                !file.server.callsOf("remove").some((c) => c.path === path),
                "the target itself is never removed",
            );
        });

        it("a create that fails after copying the adopted file removes the copy and leaves the file as it was", async function () {
            file.server.fs.writeFile(path, "original\n", 0o600);
            // Every rename of the upload's temporary over the file is refused (not transient: the pool gives up).
            file.server.failWhen(
                (c) => c.op === "rename" && c.to === path,
                (c) => remoteIo("sftp://mem", "rename", c.path, "rename refused"),
            );
            await assert.rejects(createCheckedFile(file.base), /rename refused/);
            assert.strictEqual(file.server.fs.text(path), "original\n");
            assert.deepStrictEqual(
                file.server.fs.tree("/etc/app"),
                ["app.conf"],
                "no copy, temporary or marker left behind",
            );
        });

        it('an adopted file is deleted by destroy only with an explicit onDelete: "delete"', async function () {
            file.server.fs.writeFile(path, "original\n");
            const { id, outs } = await createCheckedFile({ ...file.base, onDelete: "delete" });
            warned(/destroy deletes it \(no copy kept\)/);
            assert.strictEqual(outs.backupPath, undefined);
            await remove(id, outs);
            assert.deepStrictEqual(file.server.fs.tree("/etc/app"), []);
        });

        it("a file changed since the stack wrote it is left in place with a warning, also after a refresh saw the change", async function () {
            file.server.fs.mkdirp("/etc");
            const { id, outs } = await createCheckedFile(file.base);
            file.server.fs.writeFile(path, "edited by hand\n");
            const refreshed = await read(id, outs);
            await remove(id, refreshed.props as RemoteFileOutputs);
            assert.strictEqual(file.server.fs.text(path), "edited by hand\n");
            warned(/changed since this stack last wrote it .*; destroy left it in place/);
            assert.deepStrictEqual(
                file.server.fs.tree("/etc"),
                ["app/", "app/app.conf"],
                "its folder stays (it is not empty)",
            );
        });

        it("the warning about a changed file of secret content names no hash of either content", async function () {
            file.server.fs.mkdirp("/etc");
            const { id, outs } = await createCheckedFile({ ...file.base, contentSecret: true });
            file.server.fs.writeFile(path, "edited by hand\n");
            await remove(id, outs);
            warned(/changed since this stack last wrote it; destroy left it in place/);
            assert.ok(
                givenWarnings.every((w) => !w.includes(outs.sha256.slice(0, 12))),
                "no start of the secret content's SHA-256",
            );
        });

        it("a created file still as written is deleted with the folders made for it", async function () {
            const { id, outs } = await createCheckedFile(file.base);
            assert.strictEqual(givenWarnings.length, 0, "no warning for a new file");
            await remove(id, outs);
            assert.deepStrictEqual(file.server.fs.tree("/"), []);
        });

        it("two stacks on one path: the second warns, destroying it restores the first's content; the first then deletes its own", async function () {
            const a = await createCheckedFile(file.base);
            const bInputs = { ...file.base, content: "b = 2\n", sha256: sha("b = 2\n") };
            const b = await createCheckedFile(bInputs);
            warned(/already existed/);
            assert.strictEqual(file.server.fs.text(path), "b = 2\n");
            await remove(b.id, b.outs);
            assert.strictEqual(file.server.fs.text(path), "a = 1\n", "the first stack's content is back");
            await remove(a.id, a.outs);
            assert.deepStrictEqual(file.server.fs.tree("/"), []);
        });

        it("two stacks, the first destroyed first: the second's content is not the first's, so it stays", async function () {
            const a = await createCheckedFile(file.base);
            const b = await createCheckedFile({ ...file.base, content: "b = 2\n", sha256: sha("b = 2\n") });
            await remove(a.id, a.outs);
            assert.strictEqual(file.server.fs.text(path), "b = 2\n");
            await remove(b.id, b.outs);
            assert.strictEqual(file.server.fs.text(path), "a = 1\n", "the second restores what it found");
        });

        it("state from the previous release keeps working: a created file is deleted, an adopted one without a copy is left with advice", async function () {
            const { id, outs } = await createCheckedFile(file.base);
            const old = { ...outs, onDelete: "delete" } as RemoteFileOutputs;
            delete old.stateVersion;
            delete old.writtenSha256;
            await remove(id, old);
            assert.deepStrictEqual(file.server.fs.tree("/"), []);
            file.server.fs.writeFile(path, "a = 1\n");
            await remove(id, { ...old, existedBefore: true, createdDirs: [] });
            assert.strictEqual(file.server.fs.text(path), "a = 1\n");
            warned(
                /existed before this stack first wrote it and no copy of the earlier file was kept.*set `onDelete: "delete"` and run `pulumi up`/,
            );
        });

        it('state from the previous release with onDelete "restore" and its .filedrop-backup is restored', async function () {
            file.server.fs.writeFile(path, "a = 1\n");
            file.server.fs.writeFile("/etc/app/.app.conf.filedrop-backup", "original\n");
            const { id, outs } = await createCheckedFile(file.base);
            const old = {
                ...outs,
                onDelete: "restore",
                backupPath: "/etc/app/.app.conf.filedrop-backup",
                existedBefore: true,
            } as RemoteFileOutputs;
            delete old.stateVersion;
            await remove(id, old);
            assert.strictEqual(file.server.fs.text(path), "original\n");
        });

        it("the first up after an upgrade updates onDelete in place (no upload), so the new default applies", async function () {
            const { id, outs } = await createCheckedFile(file.base);
            const old = { ...outs, onDelete: "delete", symlinks: undefined } as unknown as RemoteFileOutputs;
            delete old.stateVersion;
            const writes = file.server.callsOf("write").length;
            const u = (await update(id, old, await checkedFile(file.base))).outs as RemoteFileOutputs;
            assert.strictEqual(file.server.callsOf("write").length, writes);
            assert.deepStrictEqual([u.onDelete, u.stateVersion], [undefined, 2]);
        });
    });

    describe("item 6: leftovers of an interrupted run", function () {
        it("a create killed after its rename, resumed, records the file as its own (not adopted) and the folders it made", async function () {
            let renamed = false;
            file.server.failWhen(
                (c) => {
                    renamed = renamed || (c.op === "rename" && c.to === path);
                    return renamed && c.op !== "rename";
                },
                () => new Error("killed"),
            );
            await assert.rejects(createCheckedFile(file.base));
            file.server.clearFailures();
            assert.strictEqual(file.server.fs.text(path), "a = 1\n", "the interrupted run's file is in place");
            const { id, outs } = await createCheckedFile(file.base);
            assert.strictEqual(outs.existedBefore, false, "its own file is not adopted");
            assert.strictEqual(outs.backupPath, undefined);
            assert.deepStrictEqual(outs.createdDirs, ["/etc", "/etc/app"]);
            assert.strictEqual(givenWarnings.length, 0);
            await remove(id, outs);
            assert.deepStrictEqual(file.server.fs.tree("/"), [], "destroy leaves no file, marker or folder");
        });

        it("refresh sweeps the stale temporaries of the file (only ours) but the newest, which the next up continues; destroy sweeps all and removes the folders", async function () {
            const { id, outs } = await createCheckedFile(file.base);
            file.server.fs.writeFile("/etc/app/.app.conf.filedrop-0123456789ab", "an older upload");
            file.server.fs.lstat("/etc/app/.app.conf.filedrop-0123456789ab")!.mtime -= 60;
            file.server.fs.writeFile("/etc/app/.app.conf.filedrop-fedcba987654", "half an upload");
            file.server.fs.writeFile("/etc/app/.other.filedrop-backup", "not a temporary");
            await read(id, outs);
            assert.deepStrictEqual(temporaries(file.server), ["etc/app/.app.conf.filedrop-fedcba987654"]);
            file.server.fs.writeFile("/etc/app/.app.conf.filedrop-abcdefabcdef", "half an upload");
            file.server.fs.writeFile(`/etc/app/.app.conf.filedrop-new-${"c".repeat(12)}`, "[]");
            await remove(id, outs);
            assert.deepStrictEqual(file.server.fs.tree("/"), ["etc/", "etc/app/", "etc/app/.other.filedrop-backup"]);
        });
    });
});
