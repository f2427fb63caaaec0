/** The one mode normaliser: every accepted spelling is the same bits, written "0640". */
import * as assert from "node:assert";
import { formatMode, modeProblem, normalizeMode, parseMode, sameMode } from "../../provider/mode";

describe("mode", function () {
    it('"00640", "0640", "640", "0o640" and 0o640 are all "0640"', function () {
        for (const m of ["00640", "0640", "640", "0o640", 0o640]) {
            assert.strictEqual(normalizeMode(m), "0640", String(m));
            assert.strictEqual(parseMode(m), 0o640, String(m));
        }
        assert.strictEqual(normalizeMode("4755"), "4755");
        assert.strictEqual(formatMode(0o100644), "0644", "file type bits are dropped");
        assert.strictEqual(formatMode(undefined), undefined);
    });

    it("compares modes by their bits", function () {
        assert.ok(sameMode("00640", "0640"));
        assert.ok(sameMode("644", 0o644));
        assert.ok(!sameMode("0640", "0644"));
    });

    it("accepts octal strings only, with one sentence naming the form", function () {
        for (const ok of ["0644", "644", "0o600", "4755", "00640"]) {
            assert.strictEqual(modeProblem(ok), undefined, ok);
        }
        for (const bad of ["rw-r--r--", "0888", "12", 644, "077777"]) {
            assert.match(modeProblem(bad)!, /must be an octal string such as "0644"/, String(bad));
        }
    });
});
