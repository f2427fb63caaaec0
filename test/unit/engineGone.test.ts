/**
 * provider/engineGone.ts: the provider process notices that the Pulumi CLI is gone (its stdin pipe ends and the
 * engine address refuses) and then aborts and exits; a stdin that ends while the engine still answers is no reason.
 */
import * as assert from "node:assert";
import * as net from "node:net";
import { PassThrough } from "node:stream";
import { answers, engineAddressOf, exitWhenEngineGone, inProviderProcess } from "../../provider/engineGone";

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

/** A watch with a stdin of its own and an engine whose liveness the test sets. */
function watched(engineUp: { up: boolean }, opts: { stdin?: boolean } = {}) {
    const stdin = new PassThrough();
    const seen = { aborted: 0, exited: [] as number[], probes: 0 };
    exitWhenEngineGone(() => void seen.aborted++, {
        stdin: opts.stdin === false ? undefined : stdin,
        address: { host: "127.0.0.1", port: 1 },
        alive: async () => {
            seen.probes++;
            return engineUp.up;
        },
        exit: (code) => void seen.exited.push(code),
        pollMs: 30,
        suspectPollMs: 10,
    });
    return { stdin, seen };
}

describe("engineGone: a provider whose engine is gone aborts and exits", function () {
    it("finds the engine address among the plugin's arguments (flags first, the address last)", function () {
        const argv = ["node", "/x/dynamic-provider/index.js", "--logtostderr", "-v=9", "127.0.0.1:41239"];
        assert.deepStrictEqual(engineAddressOf(argv), { host: "127.0.0.1", port: 41239 });
        assert.deepStrictEqual(engineAddressOf(["node", "x.js", "[::1]:5"]), { host: "::1", port: 5 });
        assert.strictEqual(engineAddressOf(["node", "x.js"]), undefined);
        assert.ok(inProviderProcess(["node", "/n/@pulumi/pulumi/cmd/dynamic-provider/index.js", "h:1"]));
        assert.ok(!inProviderProcess(["node", "/usr/bin/mocha"]));
    });

    it("stdin ends and the engine refuses: aborts the transfers, then exits with 1", async function () {
        const { stdin, seen } = watched({ up: false });
        await tick();
        assert.deepStrictEqual(seen, { aborted: 0, exited: [], probes: 0 }, "nothing before stdin ends");
        stdin.end();
        await tick();
        assert.deepStrictEqual([seen.aborted, seen.exited], [1, [1]]);
    });

    it("stdin ends while the engine still answers for a moment (its sockets close one by one): exits once it refuses", async function () {
        const engine = { up: true };
        const { stdin, seen } = watched(engine);
        stdin.end();
        await tick(15);
        assert.deepStrictEqual(seen.exited, []);
        engine.up = false;
        await tick(50);
        assert.deepStrictEqual([seen.aborted, seen.exited], [1, [1]]);
    });

    it("stdin ends while the engine answers: stays, and asks the engine from then on", async function () {
        const engine = { up: true };
        const { stdin, seen } = watched(engine);
        stdin.end();
        await tick(100);
        assert.deepStrictEqual(seen.exited, []);
        assert.ok(seen.probes >= 2, `asked ${seen.probes} times`);
        engine.up = false;
        await tick(100);
        assert.deepStrictEqual([seen.aborted, seen.exited], [1, [1]]);
    });

    it("without a stdin pipe, the engine is asked every pollMs", async function () {
        const engine = { up: true };
        const { seen } = watched(engine, { stdin: false });
        await tick(100);
        assert.deepStrictEqual(seen.exited, []);
        engine.up = false;
        await tick(100);
        assert.deepStrictEqual(seen.exited, [1]);
    });

    it("a listening port answers; a closed one does not", async function () {
        const server = net.createServer((s) => s.destroy());
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as net.AddressInfo).port;
        assert.strictEqual(await answers({ host: "127.0.0.1", port }), true);
        await new Promise((r) => server.close(r));
        assert.strictEqual(await answers({ host: "127.0.0.1", port }), false);
    });
});
