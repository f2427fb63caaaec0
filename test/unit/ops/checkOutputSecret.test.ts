/**
 * Secrets stay secret in check failures (issue 19 item 4): when a RemoteFile's content is a secret, the output of a
 * failing `validate` or `validateInPlace` (which tools fill with the offending line) is withheld, and the message
 * says so and what to run on the server to see it; for other content the output is shown as before.
 */
import * as assert from "node:assert";
import { hasCode } from "../../../provider/errors";
import { check, create, type RemoteFileInputs } from "../../../provider/handlers/remoteFile";
import { checkedBy, freshServer, sha } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

const SECRET = "API_TOKEN=s3cr3t-value-never-shown\n";

describe("check output of secret content is withheld", function () {
    let server: MemoryServer;
    let inputsOf: (extra: Partial<RemoteFileInputs>) => Promise<RemoteFileInputs>;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        // `envcheck` quotes the line it refuses, as `nginx -t` does.
        server.commands = (command, s) => {
            const m = /^envcheck(?: '(.*)')?$/.exec(command);
            if (m === null) {
                return undefined;
            }
            const text = s.fs.text(m[1] ?? "/etc/app/.env");
            return { code: 1, stdout: "", stderr: `envcheck: unknown variable in line 1: ${text.trim()}\n` };
        };
        inputsOf = (extra) =>
            checkedBy(check, {
                connection: f.connection,
                credentials: f.credentials,
                path: "/etc/app/.env",
                content: SECRET,
                sha256: sha(SECRET),
                size: SECRET.length,
                ...extra,
            });
    });
    afterEach(() => server.uninstall());

    it("`validate`: the output is withheld, with how to see it on the server", async function () {
        await assert.rejects(create(await inputsOf({ validate: "envcheck", contentSecret: true })), (e: Error) => {
            assert.ok(hasCode(e, "VALIDATE_FAILED"), e.message);
            assert.ok(!e.message.includes("s3cr3t") && !e.message.includes("API_TOKEN"), e.message);
            assert.match(e.message, /`envcheck` exited 1\); the target was left untouched\./);
            assert.match(e.message, /Its output is withheld because the file's content is a secret/);
            assert.match(e.message, /run `envcheck FILE` there with FILE naming it/);
            return true;
        });
    });

    it("`validateInPlace`: the output is withheld, with the command to run there", async function () {
        const inputs = await inputsOf({ validateInPlace: "envcheck", contentSecret: true });
        await assert.rejects(create(inputs), (e: Error) => {
            assert.ok(hasCode(e, "VALIDATE_FAILED"), e.message);
            assert.ok(!e.message.includes("s3cr3t") && !e.message.includes("API_TOKEN"), e.message);
            assert.match(
                e.message,
                /Its output is withheld .*; to see it, run `envcheck` on sftp:\/\/\S+ with the new content at \/etc\/app\/\.env\./,
            );
            return true;
        });
    });

    it("content that is not a secret: the output is shown", async function () {
        await assert.rejects(create(await inputsOf({ validate: "envcheck" })), (e: Error) => {
            assert.match(e.message, /Output:\nenvcheck: unknown variable in line 1: API_TOKEN=/);
            return true;
        });
    });
});
