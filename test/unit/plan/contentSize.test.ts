/** Large text `content`: warned above 1 MiB, refused above 16 MiB (issue 8 item 7); pure. */
import * as assert from "node:assert";
import { CONTENT_MAX_BYTES, CONTENT_WARN_BYTES } from "../../../provider/defaults";
import { check, type RemoteFileInputs } from "../../../provider/handlers/remoteFile";
import { contentSizeProblem, contentSizeWarning } from "../../../provider/plan/contentSize";

describe("contentSize", function () {
    it("warns between the two limits, pointing to source, and refuses above the upper one", function () {
        assert.strictEqual(contentSizeWarning("cfg", CONTENT_WARN_BYTES), undefined);
        assert.match(
            contentSizeWarning("cfg", CONTENT_WARN_BYTES + 1)!,
            /^cfg: `content` is 1 MiB; .* give the bytes as a file with `source` instead/,
        );
        assert.strictEqual(contentSizeWarning("cfg", CONTENT_MAX_BYTES + 1), undefined, "refused, not warned");
        assert.strictEqual(contentSizeProblem(CONTENT_MAX_BYTES), undefined);
        assert.match(
            contentSizeProblem(CONTENT_MAX_BYTES + (1 << 20))!,
            /^is 17 MiB, above the 16 MiB limit .*give its path as `source`/,
        );
    });

    it("check refuses a content above the limit naming `content`", async function () {
        const big = "x".repeat(CONTENT_MAX_BYTES + 1);
        const i: RemoteFileInputs = {
            connection: { host: "h" },
            credentials: { password: "p" },
            path: "/x",
            content: big,
            sha256: "aa",
            size: big.length,
        };
        const r = await check(i, i);
        assert.deepStrictEqual(
            r.failures?.map((f) => f.property),
            ["content"],
        );
        assert.deepStrictEqual((await check(i, { ...i, content: "small" })).failures, []);
    });
});
