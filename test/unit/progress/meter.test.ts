/** The transfer meter's lines and cadence (provider/progress/meter.ts), on a simulated clock. */
import * as assert from "node:assert";
import { formatBytes, formatDuration, TransferMeter } from "../../../provider/progress/meter";

const MiB = 1 << 20;

/** Runs a transfer of `total` bytes at `rate` bytes/s for `seconds`, ticking every second; returns the lines. */
function simulate(total: number, rate: number, seconds: number, skipped = 0): string[] {
    const m = new TransferMeter({
        label: "Uploading sftp://u@h:22/big",
        totalBytes: total,
        skippedBytes: skipped,
        startedAt: 0,
    });
    const lines: string[] = [];
    for (let s = 1; s <= seconds; s++) {
        m.addBytes(rate);
        const l = m.due(s * 1000);
        if (l !== undefined) {
            lines.push(l);
        }
    }
    return lines;
}

describe("progress/meter", function () {
    it("formats sizes and durations", function () {
        assert.strictEqual(formatBytes(12), "12 B");
        assert.strictEqual(formatBytes(1.5 * 1024 * MiB), "1.50 GiB");
        assert.strictEqual(formatBytes(412 * MiB), "412.0 MiB");
        assert.strictEqual(formatDuration(6400), "6 s");
        assert.strictEqual(formatDuration(185_000), "3 min 05 s");
        assert.strictEqual(formatDuration(3_720_000), "1 h 02 min");
    });

    it("says nothing for the first 2 s, then bytes, percent, MB/s and time left", function () {
        const lines = simulate(1000 * MiB, 100 * MiB, 3);
        assert.strictEqual(lines.length, 2);
        assert.strictEqual(
            lines[0],
            "Uploading sftp://u@h:22/big: 200.0 MiB of 1000.0 MiB (20 %), 104.9 MB/s, 8 s left",
        );
    });

    it("a 10-second upload gives 7 lines (2-6 s, then 8 and 10 s); a 10-minute one about 50, not 600", function () {
        assert.strictEqual(simulate(1000 * MiB, 100 * MiB, 10).length, 7);
        const long = simulate(60_000 * MiB, 100 * MiB, 600);
        assert.ok(long.length >= 30 && long.length <= 60, `${long.length} lines`);
    });

    it("a resumed upload counts the kept prefix as done but not in the rate, and says where it resumed", function () {
        const [first] = simulate(1000 * MiB, 100 * MiB, 2, 500 * MiB);
        assert.strictEqual(
            first,
            "Uploading sftp://u@h:22/big: 700.0 MiB of 1000.0 MiB (70 %), 104.9 MB/s, 3 s left, resumed at 500.0 MiB",
        );
    });

    it("counts files for trees, and shows bytes alone when the total is unknown", function () {
        const m = new TransferMeter({ label: "Uploading tree", totalFiles: 300, startedAt: 0 });
        m.addFile();
        m.addFile();
        m.addBytes(3 * MiB);
        assert.strictEqual(m.due(2000), "Uploading tree: 2 of 300 files, 3.00 MiB, 1.6 MB/s");
    });
});
