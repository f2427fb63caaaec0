/**
 * Issue 19 item 1 on the memory transport: side files (resumable temporary, new-file marker, backup) found at the
 * names anyone can compute from the content are used only when they are ours; a symlink or someone else's file
 * there is left alone, never written through, never continued, never read.
 */
import * as assert from "node:assert";
import { hasCode } from "../../../provider/errors";
import { check, type RemoteFileOutputs, read, remove, update } from "../../../provider/handlers/remoteFile";
import { backupPathFor, newFileMarkerFor } from "../../../provider/ops/backup";
import { resumableTemporaryFor } from "../../../provider/ops/temporaries";
import { givenWarnings } from "../../../provider/warnings";
import { checkedFile, createCheckedFile, memoryFileEachTest } from "../support/fileInputs";
import { sha } from "../support/fixtures";

const STRANGER = 1001;

describe("RemoteFile side files planted by a neighbour (memory transport)", function () {
    const path = "/shared/app.conf";
    const secret = "/root/secret.env";
    const content = "deployed = 1\n";

    const file = memoryFileEachTest(path, content, (server) => {
        server.fs.mkdir("/shared");
        server.fs.mkdir("/root");
        server.fs.writeFile(secret, "TOKEN=s3cret\n", 0o600);
    });

    /** Plants `node` at `p` as the neighbour would: owned by another uid. */
    const plantLink = (p: string, to: string) => {
        file.server.fs.symlink(to, p);
        file.server.fs.lstat(p)!.uid = STRANGER;
    };
    const plantFile = (p: string, data: string, mode = 0o666) => {
        file.server.fs.writeFile(p, data, mode);
        file.server.fs.lstat(p)!.uid = STRANGER;
    };
    const warned = (re: RegExp) =>
        assert.ok(
            givenWarnings.some((w) => re.test(w)),
            `a warning matching ${re}; got ${JSON.stringify(givenWarnings)}`,
        );

    it("a symlink at the resumable temporary and at the marker is never written through", async function () {
        const tmp = resumableTemporaryFor(path, sha(content));
        const marker = newFileMarkerFor(path, sha(content));
        plantLink(tmp, secret);
        plantLink(marker, secret);
        await createCheckedFile(file.base);
        assert.strictEqual(file.server.fs.readFile(secret).toString(), "TOKEN=s3cret\n");
        assert.strictEqual(file.server.fs.readFile(path).toString(), content);
        assert.strictEqual(file.server.fs.lstat(path)!.uid, file.server.fs.uid);
        assert.strictEqual(file.server.fs.lstat(tmp)?.kind, "symlink", "the planted link is left alone");
        assert.strictEqual(
            file.server.fs.lstat(marker)?.kind,
            "symlink",
            "the planted marker too, as the warning says",
        );
        warned(/is a symlink owned by uid 1001, not a temporary this package left there/);
        warned(/is a symlink owned by uid 1001, not a marker this package left/);
    });

    it("destroy removes its own marker but leaves a neighbour's entries at marker names", async function () {
        const { id, outs } = await createCheckedFile(file.base);
        const theirs = [`${newFileMarkerFor(path, sha("x"))}`, `${newFileMarkerFor(path, sha("y"))}`];
        plantLink(theirs[0], secret);
        plantFile(theirs[1], "[]");
        const ours = newFileMarkerFor(path, sha("z"));
        file.server.fs.writeFile(ours, "[]", 0o600); // an interrupted run's, owned by the login user
        await remove(id, outs);
        assert.strictEqual(file.server.fs.lstat(path), undefined, "the file it created is gone");
        assert.strictEqual(file.server.fs.lstat(ours), undefined, "its own marker is gone");
        assert.strictEqual(file.server.fs.lstat(theirs[0])?.kind, "symlink", "the neighbour's link is left");
        assert.strictEqual(file.server.fs.readFile(theirs[1]).toString(), "[]", "the neighbour's file is left");
        assert.strictEqual(file.server.fs.readFile(secret).toString(), "TOKEN=s3cret\n");
    });

    it("someone else's regular file at the resumable temporary is not continued: a fresh temporary, our owner", async function () {
        const tmp = resumableTemporaryFor(path, sha(content));
        plantFile(tmp, "deployed");
        await createCheckedFile(file.base);
        assert.strictEqual(file.server.fs.readFile(path).toString(), content);
        assert.strictEqual(
            file.server.fs.lstat(path)!.uid,
            file.server.fs.uid,
            "the target is ours, not the neighbour's file",
        );
        assert.strictEqual(file.server.fs.readFile(tmp).toString(), "deployed", "the planted file is left alone");
        warned(/is a regular file owned by uid 1001, not a temporary this package left there/);
    });

    it("a file planted at the backup name of an adopted file receives no copy; the copy goes elsewhere, private first", async function () {
        file.server.fs.writeFile(path, "old = 0\n", 0o600);
        const backup = backupPathFor(path, sha(content));
        plantFile(backup, "");
        const { outs: out } = await createCheckedFile(file.base);
        assert.strictEqual(file.server.fs.readFile(backup).toString(), "", "the planted file got no copy");
        assert.notStrictEqual(out.backupPath, backup);
        assert.strictEqual(file.server.fs.readFile(out.backupPath!).toString(), "old = 0\n");
        assert.strictEqual(file.server.fs.lstat(out.backupPath!)!.mode, 0o600);
        warned(/not a copy this package made; it was left alone/);
    });

    it("a symlink planted at the backup name is not written through", async function () {
        file.server.fs.writeFile(path, "old = 0\n", 0o644);
        plantLink(backupPathFor(path, sha(content)), secret);
        const { outs: out } = await createCheckedFile(file.base);
        assert.strictEqual(file.server.fs.readFile(secret).toString(), "TOKEN=s3cret\n");
        assert.strictEqual(file.server.fs.readFile(out.backupPath!).toString(), "old = 0\n");
        assert.strictEqual(file.server.fs.lstat(out.backupPath!)!.mode, 0o644, "the copy keeps the original's mode");
    });

    describe("item 2: a managed file that changed kind or owner since the stack wrote it", function () {
        const v2 = "deployed = 2\n";
        const next = () => checkedFile({ ...file.base, content: v2, sha256: sha(v2), size: v2.length });
        const refused = async (outs: RemoteFileOutputs, re: RegExp) => {
            const e = await update("id", outs, await next()).then(
                () => undefined,
                (x: unknown) => x,
            );
            assert.ok(hasCode(e, "CHANGED_SINCE_WRITTEN"), `refused; got ${String(e)}`);
            assert.match((e as Error).message, re);
            assert.strictEqual(file.server.fs.readFile(secret).toString(), "TOKEN=s3cret\n", "nothing written through");
        };

        it("a regular file that became a symlink is refused on update; a refresh records the link and accepts it", async function () {
            const { outs } = await createCheckedFile(file.base);
            file.server.fs.unlink(path);
            plantLink(path, secret);
            await refused(
                outs,
                /was a regular file when this stack last wrote it and is now a symlink to \/root\/secret\.env; nothing was written through it.*run `pulumi refresh` to record it/,
            );
            const refreshed = await read("id", outs);
            assert.strictEqual(refreshed.props!.resolvedPath, secret);
            await update("id", refreshed.props!, await next());
            assert.strictEqual(file.server.fs.readFile(secret).toString(), v2, "accepted: written through the link");
        });

        it("a link that now points elsewhere is refused", async function () {
            file.server.fs.writeFile("/shared/real.conf", "x", 0o644);
            file.server.fs.symlink("/shared/real.conf", path);
            const { outs } = await createCheckedFile(file.base);
            assert.strictEqual(outs.resolvedPath, "/shared/real.conf");
            file.server.fs.unlink(path);
            plantLink(path, secret);
            await refused(
                outs,
                /was a symlink to \/shared\/real\.conf when this stack last wrote it and now points to \/root\/secret\.env/,
            );
        });

        it("a file someone else owns now is refused, also for a mode-only change", async function () {
            const { outs } = await createCheckedFile(file.base);
            assert.strictEqual(outs.writtenUid, file.server.fs.uid);
            file.server.fs.lstat(path)!.uid = STRANGER;
            const e = await update("id", outs, await checkedFile({ ...file.base, mode: "4755" })).then(
                () => undefined,
                (x: unknown) => x,
            );
            assert.ok(hasCode(e, "CHANGED_SINCE_WRITTEN"), `refused; got ${String(e)}`);
            assert.match(
                (e as Error).message,
                /is now owned by uid 1001, not by uid 1000 as when this stack last wrote it/,
            );
            assert.strictEqual(file.server.fs.lstat(path)!.mode, 0o644, "their file was not chmod-ed");
        });

        it("state of an earlier release (no writtenUid) updates as before", async function () {
            const { outs } = await createCheckedFile(file.base);
            const { writtenUid: _, ...old } = outs;
            await update("id", old as RemoteFileOutputs, await next());
            assert.strictEqual(file.server.fs.readFile(path).toString(), v2);
        });
    });

    describe("item 3: names too long for the side files", function () {
        it("a 240-byte file name is refused at check with a sentence; 219 bytes pass", async function () {
            const r = await check(file.base, { ...file.base, path: `/shared/${"n".repeat(240)}` });
            assert.match(
                JSON.stringify(r.failures),
                /has a file name of 240 bytes .*file names of at most 219 bytes can be written; shorten the name/,
            );
            await checkedFile({ ...file.base, path: `/shared/${"n".repeat(219)}` });
        });
    });
});
