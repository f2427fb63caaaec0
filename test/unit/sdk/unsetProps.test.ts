/** The SDK registers only the properties that are set, plus the declared outputs (sdk/unsetProps.ts, issue 13). */
import * as assert from "node:assert";
import { withoutUnset } from "../../../sdk/unsetProps";

describe("withoutUnset", function () {
    it("drops undefined values, keeps null, false, 0, empty strings and the declared outputs", function () {
        const props = { a: undefined, b: null, c: false, d: 0, e: "", f: "x", out: undefined, out2: 7 };
        assert.deepStrictEqual(withoutUnset(props, ["out", "out2"]), {
            b: null,
            c: false,
            d: 0,
            e: "",
            f: "x",
            out: undefined,
            out2: 7,
        });
        assert.ok(Object.hasOwn(withoutUnset(props, ["out"]), "out"));
        assert.ok(!Object.hasOwn(withoutUnset(props, ["out"]), "a"));
    });
});
