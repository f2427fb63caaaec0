/** Running a whole-command bench: stops the test servers at the end, on failure and on Ctrl-C. */
import { stopWorld } from "../../test/harness/world";

/** Runs `main`; on failure prints the error, calls `onFailure` (e.g. to print what was measured) and exits 1. */
export function runBench(main: () => Promise<void>, onFailure?: () => void): void {
    const stopOnSignal = () => void stopWorld().finally(() => process.exit(130));
    process.once("SIGINT", stopOnSignal);
    process.once("SIGTERM", stopOnSignal);
    main()
        .catch((e) => {
            process.stderr.write(`[bench] failed: ${(e as Error).stack ?? e}\n`);
            onFailure?.();
            process.exitCode = 1;
        })
        .finally(() => stopWorld());
}
