/**
 * Not a test of its own: a spec that test/integration/harness.cleanup.test.ts runs in a child mocha (with the root
 * hooks, as `npm test` does). It starts the world's servers (the sshd and the FTP servers), prints one line
 * `HOLDING <pids>` with every process below this one, and waits until it is stopped from outside.
 */
import { ftpServers } from "./ftpServers";
import { descendants } from "./servers/processes";
import { getServers } from "./world";

describe("servers held until a signal", function () {
    it("holds", async function () {
        await getServers();
        await ftpServers();
        process.stdout.write(`HOLDING ${JSON.stringify(descendants(process.pid))}\n`);
        await new Promise(() => undefined);
    });
});
