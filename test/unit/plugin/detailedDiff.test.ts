import * as assert from "node:assert";
import { detailedDiffOf } from "../../../provider/plugin/detailedDiff";

describe("plugin: the keys a preview shows", function () {
    it("shows changed inputs, never a tree's manifest, a note as new, and replaces on the location", function () {
        const olds = { connection: { host: "a" }, manifest: { x: 1 }, changes: { summary: "old" }, prune: true };
        const news = { connection: { host: "b" }, manifest: { x: 2 }, changes: { summary: "1 changed" }, mode: "0644" };
        assert.deepStrictEqual(detailedDiffOf(olds, news, ["connection.host"]), {
            connection: "UPDATE_REPLACE",
            changes: "ADD",
            prune: "DELETE",
            mode: "ADD",
        });
    });

    it("leaves the display to the engine when the old inputs are not known", function () {
        assert.strictEqual(detailedDiffOf(undefined, { a: 1 }, []), undefined);
    });
});
