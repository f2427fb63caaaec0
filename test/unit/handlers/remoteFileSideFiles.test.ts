/**
 * Issue 19 item 1 on the memory transport: side files (resumable temporary, new-file marker, backup) found at the
 * names anyone can compute from the content are used only when they are ours; a symlink or someone else's file
 * there is left alone, never written through, never continued, never read.
 */
import * as assert from "node:assert";
import {
    check,
    create as createRaw,
    type RemoteFileInputs,
    type RemoteFileOutputs,
} from "../../../provider/handlers/remoteFile";
import { backupPathFor, newFileMarkerFor } from "../../../provider/ops/backup";
import { resumableTemporaryFor } from "../../../provider/ops/temporaries";
import { givenWarnings } from "../../../provider/warnings";
import { checkedBy, createdBy, freshServer, sha } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

const STRANGER = 1001;

describe("RemoteFile side files planted by a neighbour (memory transport)", function () {
    let server: MemoryServer;
    let base: RemoteFileInputs;
    const path = "/shared/app.conf";
    const secret = "/root/secret.env";
    const content = "deployed = 1\n";

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        base = {
            connection: f.connection,
            credentials: f.credentials,
            path,
            content,
            sha256: sha(content),
            size: content.length,
        };
        server.fs.mkdir("/shared");
        server.fs.mkdir("/root");
        server.fs.writeFile(secret, "TOKEN=s3cret\n", 0o600);
        givenWarnings.length = 0;
    });
    afterEach(() => server.uninstall());

    const create = async (i: RemoteFileInputs) =>
        createdBy<RemoteFileInputs, RemoteFileOutputs>(createRaw, await checkedBy(check, i));
    /** Plants `node` at `p` as the neighbour would: owned by another uid. */
    const plantLink = (p: string, to: string) => {
        server.fs.symlink(to, p);
        server.fs.lstat(p)!.uid = STRANGER;
    };
    const plantFile = (p: string, data: string, mode = 0o666) => {
        server.fs.writeFile(p, data, mode);
        server.fs.lstat(p)!.uid = STRANGER;
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
        await create(base);
        assert.strictEqual(server.fs.readFile(secret).toString(), "TOKEN=s3cret\n");
        assert.strictEqual(server.fs.readFile(path).toString(), content);
        assert.strictEqual(server.fs.lstat(path)!.uid, server.fs.uid);
        assert.strictEqual(server.fs.lstat(tmp)?.kind, "symlink", "the planted link is left alone");
        warned(/is a symlink owned by uid 1001, not a temporary this package left there/);
        warned(/is a symlink owned by uid 1001, not a marker this package left/);
    });

    it("someone else's regular file at the resumable temporary is not continued: a fresh temporary, our owner", async function () {
        const tmp = resumableTemporaryFor(path, sha(content));
        plantFile(tmp, "deployed");
        await create(base);
        assert.strictEqual(server.fs.readFile(path).toString(), content);
        assert.strictEqual(server.fs.lstat(path)!.uid, server.fs.uid, "the target is ours, not the neighbour's file");
        assert.strictEqual(server.fs.readFile(tmp).toString(), "deployed", "the planted file is left alone");
        warned(/is a regular file owned by uid 1001, not a temporary this package left there/);
    });

    it("a file planted at the backup name of an adopted file receives no copy; the copy goes elsewhere, private first", async function () {
        server.fs.writeFile(path, "old = 0\n", 0o600);
        const backup = backupPathFor(path, sha(content));
        plantFile(backup, "");
        const { outs: out } = await create(base);
        assert.strictEqual(server.fs.readFile(backup).toString(), "", "the planted file got no copy");
        assert.notStrictEqual(out.backupPath, backup);
        assert.strictEqual(server.fs.readFile(out.backupPath!).toString(), "old = 0\n");
        assert.strictEqual(server.fs.lstat(out.backupPath!)!.mode, 0o600);
        warned(/not a copy this package made; it was left alone/);
    });

    it("a symlink planted at the backup name is not written through", async function () {
        server.fs.writeFile(path, "old = 0\n", 0o644);
        plantLink(backupPathFor(path, sha(content)), secret);
        const { outs: out } = await create(base);
        assert.strictEqual(server.fs.readFile(secret).toString(), "TOKEN=s3cret\n");
        assert.strictEqual(server.fs.readFile(out.backupPath!).toString(), "old = 0\n");
        assert.strictEqual(server.fs.lstat(out.backupPath!)!.mode, 0o644, "the copy keeps the original's mode");
    });
});
