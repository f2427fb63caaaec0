/**
 * Every command the provider runs on the server has a time limit (SPEC §8), not only `validate`/`validateInPlace`
 * (checksCutAndTimeout.test.ts): the owner/group name lookup and the server-side hash. A server whose name service
 * hangs fails the lookup with a sentence; a hash command stopped at its limit costs a read-back, never a wrong result.
 */
import * as assert from "node:assert";
import { HASH_COMMAND_TIMEOUT_S, OWNER_LOOKUP_TIMEOUT_S } from "../../../provider/defaults";
import { hasCode } from "../../../provider/errors";
import { resolveOwner } from "../../../provider/ops/ownerNames";
import { SshHasher } from "../../../provider/transport/ssh/sshHasher";
import type { ExecOptions, ExecResult, Transport } from "../../../provider/transport/types";

/** What a command stopped by the server's `timeout` at its limit answers (ssh/sftpExec.ts). */
const STOPPED: ExecResult = { code: null, timedOut: true, stdout: "", stderr: "" };

describe("time limits of the provider's own remote commands", function () {
    it("an owner lookup runs with its limit, and one stopped there fails naming the names and what to do", async function () {
        const asked: (ExecOptions | undefined)[] = [];
        const server = {
            endpoint: "sftp://deploy@example:22",
            capabilities: { atomicOverwrite: true, chmod: true, chown: true, exec: true },
            exec: async (_command: string, options?: ExecOptions) => {
                asked.push(options);
                return STOPPED;
            },
        } as unknown as Transport;
        await assert.rejects(resolveOwner(server, "www-data", "web"), (e: Error) => {
            assert.ok(hasCode(e, "CHECK_TIMEOUT"), e.message);
            assert.match(
                e.message,
                /^Looking up "www-data" and "web" on sftp:\/\/deploy@example:22 did not finish within 60 s and was stopped; .*give numeric ids\.$/,
            );
            return true;
        });
        assert.deepStrictEqual(asked, [{ timeoutMs: OWNER_LOOKUP_TIMEOUT_S * 1000 }]);
    });

    it("a hash command runs with its limit, and the files of one stopped there are left to the read-back", async function () {
        const asked: (ExecOptions | undefined)[] = [];
        const hasher = new SshHasher(
            async (_command, options) => {
                asked.push(options);
                // The limit stopped it after one of two files: only that one has an answer.
                return { ...STOPPED, stdout: `${"a".repeat(64)} */srv/one\n` };
            },
            () => "sftp://deploy@example:22",
        );
        const hashes = await hasher.sha256Many(["/srv/one", "/srv/two"]);
        assert.deepStrictEqual([...hashes.keys()], ["/srv/one"], "the file it did not hash is absent: read back");
        assert.deepStrictEqual(asked, [{ timeoutMs: HASH_COMMAND_TIMEOUT_S * 1000 }]);
    });
});
