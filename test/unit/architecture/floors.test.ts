/**
 * The floors of provider/ and sdk/ (CONTRIBUTING.md, "Floor plan"): every import points down, and no file imports
 * itself through others. Each failure names the offending import.
 */
import * as assert from "node:assert";
import { FLOORS, floorOf, importCycles, importEdges, upwardImports } from "./importGraph";

describe("architecture: import floors", function () {
    const edges = importEdges();

    it("reads the real graph (static, type-only and lazy imports)", function () {
        assert.ok(edges.length > 100, `only ${edges.length} imports found`);
        // The transports are loaded lazily by transport/open.ts: a dynamic import() is an edge too.
        assert.ok(
            edges.some((e) => e.from === "provider/transport/open.ts" && e.to === "provider/transport/ssh/sftp.ts"),
        );
    });

    it("has no import that points up a floor", function () {
        const up = upwardImports(edges).map(
            (e) => `${e.from} (${FLOORS[floorOf(e.from)].name}) imports ${e.to} (${FLOORS[floorOf(e.to)].name})`,
        );
        assert.deepStrictEqual(up, [], `upward imports:\n  ${up.join("\n  ")}`);
    });

    it("has no import cycle", function () {
        const cycles = importCycles(edges).map((c) => c.join(" → "));
        assert.deepStrictEqual(cycles, [], `import cycles:\n  ${cycles.join("\n  ")}`);
    });

    it("knows an upward import and a cycle when it sees one", function () {
        const bad = [
            { from: "provider/errors.ts", to: "provider/ops/temporaries.ts" },
            { from: "provider/ops/temporaries.ts", to: "provider/errors.ts" },
        ];
        assert.deepStrictEqual(upwardImports(bad), [bad[0]]);
        assert.deepStrictEqual(importCycles(bad), [["provider/errors.ts", "provider/ops/temporaries.ts"]]);
    });
});
