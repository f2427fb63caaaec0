/**
 * Drives a {@link TransferMeter} with the wall clock: checks every second whether a status line is due and shows it
 * as an ephemeral message (engineReport.ts `progress`), so a stalled transfer keeps saying how far it got.
 */
import { progress } from "../engineReport";
import { type MeterOptions, TransferMeter } from "./meter";

const TICK_MS = 1000;

/** A running meter and the way to stop it. */
export interface Ticking {
    readonly meter: TransferMeter;
    /** Stops the ticks; call in a `finally`. */
    stop(): void;
}

/** Starts a meter whose lines go to `show` (default: the deployment's status line). */
export function startProgress(o: Omit<MeterOptions, "startedAt">, show: (line: string) => void = progress): Ticking {
    const meter = new TransferMeter({ ...o, startedAt: Date.now() });
    const timer = setInterval(() => {
        const line = meter.due(Date.now());
        if (line !== undefined) {
            show(line);
        }
    }, TICK_MS);
    timer.unref();
    return { meter, stop: () => clearInterval(timer) };
}
