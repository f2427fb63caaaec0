/** What a RemoteTree sync keeps of its folder listings (issue 22): the files it writes and the folders above them. */
import * as assert from "node:assert";
import { writtenOrAbove } from "../../../provider/handlers/remoteTree";

const e = { sha256: "0".repeat(64), size: 1, mode: "0644" };

describe("RemoteTree: the listings a sync keeps", function () {
    it("keeps the destination, the files written and every folder above them, and nothing else", function () {
        const keep = writtenOrAbove("/srv/site", { "a/b/new.txt": e, "top.txt": e });
        for (const p of ["/srv/site", "/srv/site/a", "/srv/site/a/b", "/srv/site/a/b/new.txt", "/srv/site/top.txt"]) {
            assert.strictEqual(keep(p), true, p);
        }
        for (const p of ["/srv/site/a/other.txt", "/srv/site/c", "/srv/site/a/b/c", "/srv", "/srv/sitea/top.txt"]) {
            assert.strictEqual(keep(p), false, p);
        }
        assert.strictEqual(writtenOrAbove("/srv/site/", { x: e })("/srv/site/x"), true);
    });
});
