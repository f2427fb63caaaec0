/**
 * `validateInPlace` (provider/ops/inPlaceCheck.ts) on the memory transport: the command runs with the new file at
 * the target; when it fails, what was there before (content, mode, owner, or nothing) is back and the upload fails
 * with the command's output; nothing of ours is left beside the target either way.
 */
import * as assert from "node:assert";
import { Readable } from "node:stream";
import { hasCode } from "../../../provider/errors";
import { check, create, type RemoteFileInputs } from "../../../provider/handlers/remoteFile";
import { inPlaceCommand } from "../../../provider/ops/inPlaceCheck";
import { verifiedUpload } from "../../../provider/ops/upload";
import { checkedBy, freshServer, onServer, sha } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

const bytes = (b: string) => () => Readable.from([Buffer.from(b)]);

/** Names of ours beside the targets (temporaries, kept copies): none may be left after an upload. */
function leftovers(server: MemoryServer): string[] {
    return server.fs.tree("/").filter((p) => p.includes(".filedrop-"));
}

describe("ops/inPlaceCheck: validateInPlace puts the previous file back when the check fails", function () {
    let server: MemoryServer;
    let up: (content: string, extra?: { mode?: number; validate?: string }) => Promise<unknown>;
    /** What the check saw at the target each time it ran. */
    let seen: string[];

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        seen = [];
        // `conftest` plays `nginx -t`: it reads the whole configuration (here: the target) and refuses "broken".
        server.commands = (command, s) => {
            if (command !== "conftest") {
                return undefined;
            }
            const text = s.fs.lstat("/etc/app/site.conf") ? s.fs.text("/etc/app/site.conf") : "(absent)";
            seen.push(text);
            return text.includes("broken")
                ? { code: 1, stdout: "", stderr: `conftest: unknown directive in ${text.trim()}\n` }
                : { code: 0, stdout: "syntax is ok\n", stderr: "" };
        };
        up = (content, extra = {}) =>
            onServer(f.connection, (t) =>
                verifiedUpload(t, {
                    path: "/etc/app/site.conf",
                    open: bytes(content),
                    createParents: true,
                    validateInPlace: "conftest",
                    ...extra,
                }),
            );
    });
    afterEach(() => server.uninstall());

    it("runs the check with the new file in place and keeps it when the check passes", async function () {
        server.fs.mkdirp("/etc/app");
        server.fs.writeFile("/etc/app/site.conf", "good 1\n");
        await up("good 2\n");
        assert.deepStrictEqual(seen, ["good 2\n"]);
        assert.strictEqual(server.fs.text("/etc/app/site.conf"), "good 2\n");
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("a failing check puts the previous content, mode and owner back and fails with the command's output", async function () {
        server.fs.mkdirp("/etc/app");
        server.fs.writeFile("/etc/app/site.conf", "good 1\n", 0o640);
        server.fs.chown("/etc/app/site.conf", 33, 33);
        server.fs.uid = 0; // root: only root may give the copy another user's owner back
        await assert.rejects(up("broken 2\n", { mode: 0o600 }), (e: Error) => {
            assert.ok(hasCode(e, "VALIDATE_FAILED"), e.message);
            assert.match(e.message, /in-place check of .*\/etc\/app\/site\.conf failed \(`conftest` exited 1/);
            assert.match(e.message, /the previous file was put back/);
            assert.match(e.message, /unknown directive in broken 2/);
            return true;
        });
        assert.deepStrictEqual(seen, ["broken 2\n"], "the check saw the new file in place");
        const restored = server.fs.lstat("/etc/app/site.conf");
        assert.strictEqual(server.fs.text("/etc/app/site.conf"), "good 1\n");
        assert.strictEqual(restored?.mode, 0o640);
        assert.deepStrictEqual([restored?.uid, restored?.gid], [33, 33]);
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("a failing check where nothing was before removes the new file (its absence is put back)", async function () {
        await assert.rejects(up("broken\n"), (e: Error) => {
            assert.ok(hasCode(e, "VALIDATE_FAILED"), e.message);
            assert.match(e.message, /the new file was removed \(none was there before\)/);
            return true;
        });
        assert.strictEqual(server.fs.lstat("/etc/app/site.conf"), undefined);
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("puts the previous file back on a server that cannot rename over a file (moved aside, then back)", async function () {
        server.capabilities = { ...server.capabilities, atomicOverwrite: false };
        server.refuseRenameOverExisting = true;
        server.fs.mkdirp("/etc/app");
        server.fs.writeFile("/etc/app/site.conf", "good 1\n");
        await assert.rejects(up("broken 2\n"), (e: Error) => hasCode(e, "VALIDATE_FAILED"));
        assert.strictEqual(server.fs.text("/etc/app/site.conf"), "good 1\n");
        assert.deepStrictEqual(leftovers(server), []);
        await up("good 3\n");
        assert.strictEqual(server.fs.text("/etc/app/site.conf"), "good 3\n");
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("a `validate` refusal comes first: the check never runs and the target is untouched", async function () {
        server.fs.mkdirp("/etc/app");
        server.fs.writeFile("/etc/app/site.conf", "good 1\n");
        await assert.rejects(up("good 2\n", { validate: "false" }), (e: Error) => hasCode(e, "VALIDATE_FAILED"));
        assert.deepStrictEqual(seen, []);
        assert.strictEqual(server.fs.text("/etc/app/site.conf"), "good 1\n");
    });

    it("a check that cannot run (exec refused) puts the previous file back too", async function () {
        server.fs.mkdirp("/etc/app");
        server.fs.writeFile("/etc/app/site.conf", "good 1\n");
        server.hashing = "none"; // verify by reading back, so only the check needs exec
        server.refuseExec = true;
        await assert.rejects(up("good 2\n"), (e: Error) => hasCode(e, "UNSUPPORTED"));
        assert.strictEqual(server.fs.text("/etc/app/site.conf"), "good 1\n");
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("`{path}` stands for the target, shell-quoted; without it the command runs as written", function () {
        assert.strictEqual(inPlaceCommand("check {path}", "/etc/it's.conf"), "check '/etc/it'\\''s.conf'");
        assert.strictEqual(inPlaceCommand("nginx -t", "/etc/nginx/conf.d/a.conf"), "nginx -t");
    });
});

describe("RemoteFile handler with validateInPlace (memory transport)", function () {
    let server: MemoryServer;
    let base: RemoteFileInputs;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        server.commands = (command, s) =>
            command === "conftest"
                ? s.fs.text("/etc/app/site.conf").includes("broken")
                    ? { code: 1, stdout: "", stderr: "conftest: broken\n" }
                    : { code: 0, stdout: "", stderr: "" }
                : undefined;
        base = {
            connection: f.connection,
            credentials: f.credentials,
            path: "/etc/app/site.conf",
            content: "broken\n",
            sha256: sha("broken\n"),
            size: 7,
            validateInPlace: "conftest",
        };
    });
    afterEach(() => server.uninstall());

    it("a create over an adopted file whose check fails leaves that file as it was, with no copy of ours beside it", async function () {
        server.fs.mkdirp("/etc/app");
        server.fs.writeFile("/etc/app/site.conf", "theirs\n", 0o640);
        const inputs = await checkedBy(check, base);
        await assert.rejects(create(inputs), (e: Error) => hasCode(e, "VALIDATE_FAILED"));
        assert.strictEqual(server.fs.text("/etc/app/site.conf"), "theirs\n");
        assert.strictEqual(server.fs.lstat("/etc/app/site.conf")?.mode, 0o640);
        assert.deepStrictEqual(leftovers(server), []);
    });

    it("a create where nothing was whose check fails leaves nothing, not even the folders it made", async function () {
        const inputs = await checkedBy(check, base);
        await assert.rejects(create(inputs), (e: Error) => hasCode(e, "VALIDATE_FAILED"));
        assert.strictEqual(server.fs.lstat("/etc/app"), undefined);
    });
});
