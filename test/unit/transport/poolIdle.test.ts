/**
 * The pool's idle connections (provider/transport/pool.ts): one whose host has nothing to do is kept while
 * operations run on other connections, so the host's next resource does not log in again (issue 22, fleet bench:
 * a host's RemoteFile done seconds before its RemoteTree started); once nothing runs anywhere, every idle one
 * closes IDLE_CLOSE_MS later, as before, so the provider process can exit. Memory transport, real timers.
 */
import * as assert from "node:assert";
import { IDLE_CLOSE_MS } from "../../../provider/defaults";
import { withTransport } from "../../../provider/transport/pool";
import type { Transport } from "../../../provider/transport/types";
import { MemoryServer } from "../support/memoryTransport";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("transport/pool: idle connections", function () {
    this.timeout(30_000);
    let server: MemoryServer;
    const opened: Transport[] = [];
    beforeEach(function () {
        server = new MemoryServer().install();
        opened.length = 0;
    });
    afterEach(async function () {
        await server.uninstall();
    });

    const host = (name: string) => ({ host: `idle-${process.pid}-${name}`, user: "deploy" });
    const on = (name: string, op: (t: Transport) => Promise<void> = async () => undefined) =>
        withTransport(host(name), { password: "pw" }, async (t) => {
            if (!opened.includes(t)) {
                opened.push(t);
            }
            await op(t);
        });

    it("an idle connection outlives IDLE_CLOSE_MS while another host works, and is used again", async function () {
        await on("a");
        await on("b", () => sleep(IDLE_CLOSE_MS + 500)); // b runs past a's old idle close
        assert.strictEqual(opened[0].closed, false, "a's connection is still open");
        await on("a");
        assert.strictEqual(server.connections, 2, "a and b: one login each");
        assert.strictEqual(opened.length, 2);
    });

    it("once nothing runs, every idle connection closes IDLE_CLOSE_MS later (not sooner)", async function () {
        await Promise.all([on("a"), on("b", () => sleep(200))]);
        await sleep(IDLE_CLOSE_MS / 2);
        assert.deepStrictEqual(
            opened.map((t) => t.closed),
            [false, false],
            "open before IDLE_CLOSE_MS",
        );
        await sleep(IDLE_CLOSE_MS + 1500 - IDLE_CLOSE_MS / 2);
        assert.deepStrictEqual(
            opened.map((t) => t.closed),
            [true, true],
            "both closed after IDLE_CLOSE_MS of no operation",
        );
        await on("a");
        assert.strictEqual(server.connections, 3, "a new login after the close");
    });
});
