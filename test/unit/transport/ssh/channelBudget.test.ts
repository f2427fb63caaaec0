/**
 * Issue 8 item 5 on the memory transport: exec channels (validate, the server-side hasher) share one channel budget
 * per connection with the SFTP session; beyond the server's limit (sshd MaxSessions) a command waits for a channel
 * instead of failing, and no file falls back to read-back verification.
 */
import * as assert from "node:assert";
import { Readable } from "node:stream";
import { hasCode } from "../../../../provider/errors";
import { verifiedUpload } from "../../../../provider/ops/upload";
import { ChannelBudget } from "../../../../provider/transport/ssh/channelBudget";
import { freshServer, onServer } from "../../support/fixtures";
import type { MemoryServer } from "../../support/memoryTransport";

describe("transport/channelBudget: exec channels vs MaxSessions (memory transport)", function () {
    let server: MemoryServer;
    let connection: ReturnType<typeof freshServer>["connection"];

    beforeEach(function () {
        ({ server, connection } = freshServer());
    });
    afterEach(() => server.uninstall());

    it("MaxSessions 2 (one exec channel beside SFTP): 50 uploads with validate all validate and all verify on the server", async function () {
        server.execChannels = 1;
        const validated: string[] = [];
        server.commands = (command) => {
            if (command.startsWith("check ")) {
                validated.push(command);
                return { code: 0, stdout: "", stderr: "" };
            }
            return undefined;
        };
        const paths = Array.from({ length: 50 }, (_, i) => `/srv/conf/f${i}.conf`);
        const results = await Promise.all(
            paths.map((p, i) =>
                onServer(connection, (t) =>
                    verifiedUpload(t, {
                        path: p,
                        open: () => Readable.from([Buffer.from(`n = ${i}\n`)]),
                        createParents: true,
                        validate: "check {path}",
                    }),
                ),
            ),
        );
        assert.strictEqual(validated.length, 50);
        assert.deepStrictEqual([...new Set(results.map((r) => r.verifiedBy))], ["ssh exec: openssl dgst -sha256"]);
        assert.strictEqual(server.execsPeak, 1, "never more exec channels at once than the server allows");
        for (const [i, p] of paths.entries()) {
            assert.strictEqual(server.fs.text(p), `n = ${i}\n`);
        }
    });

    it("a server that refuses exec altogether still fails `validate` as UNSUPPORTED", async function () {
        server.refuseExec = true;
        await assert.rejects(
            onServer(connection, (t) =>
                verifiedUpload(t, {
                    path: "/srv/f",
                    open: () => Readable.from([Buffer.from("x")]),
                    createParents: true,
                    validate: "check {path}",
                }),
            ),
            (e: Error) => hasCode(e, "UNSUPPORTED") && /does not allow running commands/.test(e.message),
        );
        assert.strictEqual(server.fs.lstat("/srv/f"), undefined);
    });

    it("the budget counts the held SFTP channel, lowers its limit on a refusal while others are open, and queues", async function () {
        let open = 0;
        let peak = 0;
        let refusals = 0;
        const serverLimit = 3; // MaxSessions 3: SFTP + 2 commands
        const budget = new ChannelBudget(6, 1);
        const use = async () => {
            if (open + 1 + 1 > serverLimit) {
                refusals++;
                throw new Error("open failed");
            }
            open++;
            peak = Math.max(peak, open);
            await new Promise((r) => setImmediate(r));
            open--;
            return "ok";
        };
        const out = await Promise.all(Array.from({ length: 20 }, () => budget.run(use, () => true)));
        assert.deepStrictEqual([...new Set(out)], ["ok"]);
        assert.strictEqual(peak, 2);
        assert.strictEqual(budget.channels, 3);
        assert.ok(refusals >= 1 && refusals <= 4, `refusals: ${refusals}`);
    });

    it("a refusal with none of ours open is retried (bounded) when that many channels worked before: sshd frees a closed session late", async function () {
        const budget = new ChannelBudget(2, 1);
        let refuseNext = 0;
        const use = async () => {
            if (refuseNext > 0) {
                refuseNext--;
                throw new Error("open failed");
            }
            return "ok";
        };
        assert.strictEqual(await budget.run(use, () => true), "ok");
        refuseNext = 3;
        assert.strictEqual(await budget.run(use, () => true), "ok");
        refuseNext = 1000;
        await assert.rejects(
            budget.run(use, () => true),
            /open failed/,
        );
        assert.ok(refuseNext > 900, "the retries are bounded");
        const fresh = new ChannelBudget(2, 1);
        refuseNext = 1;
        await assert.rejects(
            fresh.run(use, () => true),
            /open failed/,
            "with no channel ever opened, a refusal is final at once",
        );
    });
});
