/** Mocha root hooks: the shared world (servers, engine, packed package) is stopped once, after all suites. */
import { stopWorld } from "./world";

export const mochaHooks = {
    async afterAll(): Promise<void> {
        await stopWorld();
    },
};
