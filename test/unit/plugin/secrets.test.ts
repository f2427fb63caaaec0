import * as assert from "node:assert";
import { SECRET_SIG, SIG_KEY, secretOf, unwrapProperties, wrapProperties } from "../../../provider/plugin/secrets";

const s = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

describe("plugin secrets", function () {
    it("unwraps secrets at any depth and names the properties that held one", function () {
        const r = unwrapProperties({
            connection: { host: "h", password: s("pw"), proxy: { privateKey: s("k") } },
            content: s("text"),
            path: "/p",
            list: [s("a"), "b"],
        });
        assert.deepStrictEqual(r.plain, {
            connection: { host: "h", password: "pw", proxy: { privateKey: "k" } },
            content: "text",
            path: "/p",
            list: ["a", "b"],
        });
        assert.deepStrictEqual([...r.secretKeys].sort(), ["connection", "content", "list"]);
    });

    it("wraps the named properties once, and leaves absent ones absent", function () {
        const w = wrapProperties({ a: 1, b: s(2), c: "x" }, ["a", "b", "missing"]);
        assert.deepStrictEqual(w, { a: s(1), b: s(2), c: "x" });
        assert.ok(!("missing" in w));
        assert.strictEqual(secretOf(undefined), undefined);
    });
});
