/**
 * Mocha root hooks: the shared world (servers, engine, packed package) is stopped once, after all suites. A run
 * stopped from outside (Ctrl-C, CI's timeout, `kill`) ends every server and other process it started, and removes
 * its scratch folder, before it ends by that signal.
 */
import { endServersOnSignals } from "./servers/serverProcess";
import { removeScratchNow, stopWorld } from "./world";

endServersOnSignals(removeScratchNow);

export const mochaHooks = {
    async afterAll(): Promise<void> {
        await stopWorld();
    },
};
