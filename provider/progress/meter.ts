/**
 * A transfer meter: bytes (and files) done of a total, the rate over the last few seconds, the time left, and when a
 * status line is due. Pure (the clock is passed in), so its cadence is unit-tested; ticker.ts drives it.
 *
 * Cadence: nothing for the first {@link QUIET_MS} (short transfers stay silent), then a line about once a second,
 * slowing down as the transfer goes on (every elapsed/5, at most every {@link MAX_INTERVAL_MS}). The interactive
 * display updates one line in place, so the slow-down costs little there; the non-interactive display prints every
 * ephemeral message as a line of its own, and the slow-down keeps a 10-minute upload to about 50 lines, a 10-second
 * one to 7.
 */

/** No status before a transfer has run this long. */
export const QUIET_MS = 2000;
/** The shortest gap between two status lines. */
export const MIN_INTERVAL_MS = 1000;
/** The longest gap between two status lines. */
export const MAX_INTERVAL_MS = 15000;
/** The rate is measured over this last stretch of the transfer. */
const RATE_WINDOW_MS = 5000;

/** What a meter counts and how it names it. */
export interface MeterOptions {
    /** What is done, e.g. `Uploading sftp://deploy@web:22/srv/big.bin`. */
    readonly label: string;
    /** Total bytes, when known. */
    readonly totalBytes?: number;
    /** Total files (trees), when counting files. */
    readonly totalFiles?: number;
    /** Bytes that need not be sent (a resumed upload's verified prefix): counted as done, not in the rate. */
    readonly skippedBytes?: number;
    /** The time the transfer started (ms). */
    readonly startedAt: number;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** `1.50 GiB`, `412.0 MiB`, `12 B`. */
export function formatBytes(n: number): string {
    let v = n;
    let u = 0;
    while (v >= 1024 && u < UNITS.length - 1) {
        v /= 1024;
        u++;
    }
    return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${UNITS[u]}`;
}

/** `7 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) {
        return `${s} s`;
    }
    if (s < 3600) {
        return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
    }
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

export class TransferMeter {
    private bytes = 0;
    private files = 0;
    private nextAt: number;
    private readonly samples: { at: number; bytes: number }[] = [];

    constructor(private readonly o: MeterOptions) {
        this.nextAt = o.startedAt + QUIET_MS;
        this.samples.push({ at: o.startedAt, bytes: 0 });
    }

    /** Bytes done so far, the skipped prefix included. */
    get done(): number {
        return (this.o.skippedBytes ?? 0) + this.bytes;
    }

    /** Counts `n` more bytes sent (or hashed). */
    addBytes(n: number): void {
        this.bytes += n;
    }

    /** Counts one more file done (trees). */
    addFile(): void {
        this.files++;
    }

    /** Bytes per second over the last {@link RATE_WINDOW_MS}; 0 until something was measured. */
    rate(now: number): number {
        this.samples.push({ at: now, bytes: this.bytes });
        while (this.samples.length > 2 && now - this.samples[1].at >= RATE_WINDOW_MS) {
            this.samples.shift();
        }
        const first = this.samples[0];
        return now > first.at ? ((this.bytes - first.bytes) * 1000) / (now - first.at) : 0;
    }

    /** The status line due at `now`, or undefined when none is (see the file comment for the cadence). */
    due(now: number): string | undefined {
        if (now < this.nextAt) {
            return undefined;
        }
        const elapsed = now - this.o.startedAt;
        this.nextAt = now + Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, elapsed / 5));
        return this.line(now);
    }

    /** The status line at `now`, e.g. `Uploading …: 412.0 MiB of 1.00 GiB (40 %), 95.3 MB/s, 6 s left`. */
    line(now: number): string {
        const rate = this.rate(now);
        const parts: string[] = [];
        if (this.o.totalFiles !== undefined) {
            parts.push(`${this.files} of ${this.o.totalFiles} files`);
        }
        const total = this.o.totalBytes;
        if (total !== undefined && total > 0) {
            const pct = Math.min(100, Math.floor((this.done * 100) / total));
            parts.push(`${formatBytes(this.done)} of ${formatBytes(total)} (${pct} %)`);
        } else {
            parts.push(formatBytes(this.done));
        }
        parts.push(`${(rate / 1e6).toFixed(1)} MB/s`);
        if (total !== undefined && rate > 0 && total > this.done) {
            parts.push(`${formatDuration(((total - this.done) * 1000) / rate)} left`);
        }
        if (this.o.skippedBytes) {
            parts.push(`resumed at ${formatBytes(this.o.skippedBytes)}`);
        }
        return `${this.o.label}: ${parts.join(", ")}`;
    }
}
