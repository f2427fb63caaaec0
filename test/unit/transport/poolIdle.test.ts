/**
 * The pool's idle connections (provider/transport/pool.ts) in a deployment over many hosts: an idle connection is
 * kept while other hosts' operations run, so a resource whose steps are seconds apart logs in once (the fleet bench
 * saw 3 logins on some hosts); at most MAX_IDLE_CONNECTIONS idle ones stay open; a quiet process still closes them
 * after IDLE_CLOSE_MS. Memory transport; the waits are the pool's own delays, nothing is timed.
 */
import * as assert from "node:assert";
import { IDLE_CLOSE_MS, MAX_IDLE_CONNECTIONS } from "../../../provider/defaults";
import { closeAll, poolSize } from "../../../provider/transport/pool";
import { freshServer, onServer } from "../support/fixtures";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("transport/pool: idle connections in a deployment over many hosts", function () {
    this.timeout(30_000);
    afterEach(() => closeAll());

    it("keeps a host's idle connection while another host works, so its next step does not log in again", async function () {
        const f = freshServer();
        const other = { ...f.connection, host: `${f.connection.host}-b` };
        try {
            await onServer(f.connection, async () => "first step");
            const long = onServer(other, () => sleep(IDLE_CLOSE_MS + 800));
            await sleep(IDLE_CLOSE_MS + 400);
            await onServer(f.connection, async () => "next step");
            await long;
            assert.strictEqual(f.server.connections, 2, "one login per host");
        } finally {
            await f.server.uninstall();
        }
    });

    it(`keeps at most ${MAX_IDLE_CONNECTIONS} idle connections, closing the oldest first`, async function () {
        const f = freshServer();
        const hosts = Array.from({ length: MAX_IDLE_CONNECTIONS + 8 }, (_, i) => ({
            ...f.connection,
            host: `${f.connection.host}-${i}`,
        }));
        let release: () => void = () => undefined;
        try {
            const held = onServer(f.connection, () => new Promise<void>((r) => (release = r)));
            for (const h of hosts) {
                await onServer(h, async () => undefined);
            }
            assert.deepStrictEqual(poolSize(), { open: MAX_IDLE_CONNECTIONS + 1, idle: MAX_IDLE_CONNECTIONS });
            await onServer(hosts.at(-1)!, async () => undefined);
            await onServer(hosts[0], async () => undefined);
            assert.strictEqual(
                f.server.connections,
                hosts.length + 2,
                "the oldest idle one was closed, the newest kept",
            );
            release();
            await held;
        } finally {
            release();
            await f.server.uninstall();
        }
    });

    it("closes idle connections after IDLE_CLOSE_MS when nothing else works", async function () {
        const f = freshServer();
        try {
            await onServer(f.connection, async () => undefined);
            assert.deepStrictEqual(poolSize(), { open: 1, idle: 1 });
            await sleep(IDLE_CLOSE_MS + 300);
            assert.deepStrictEqual(poolSize(), { open: 0, idle: 0 });
        } finally {
            await f.server.uninstall();
        }
    });
});
