/** KnownStats.absent: what one operation may conclude, without asking, about a path being empty (issue 13). */
import * as assert from "node:assert";
import { KnownStats } from "../../../provider/ops/knownStats";
import type { Transport } from "../../../provider/transport/types";

const dir = { kind: "directory", size: 0 } as const;
const file = { kind: "file", size: 3 } as const;

describe("ops/knownStats: absent", function () {
    it("knows nothing before anything was seen", function () {
        assert.strictEqual(new KnownStats().absent("/srv/site/a.txt"), false);
    });

    it("a path seen empty, and everything below it, is absent; a path seen present is not", function () {
        const k = new KnownStats();
        k.saw("/srv/site", undefined);
        k.saw("/srv/other.txt", file);
        assert.strictEqual(k.absent("/srv/site"), true);
        assert.strictEqual(k.absent("/srv/site/d0/a.txt"), true);
        assert.strictEqual(k.absent("/srv/other.txt"), false);
    });

    it("a name left out of a complete listing is absent, with everything below it; a listed one is not", function () {
        const k = new KnownStats();
        k.sawListing("/srv/site", [
            { name: "d0", stat: dir },
            { name: "index.html", stat: file },
        ]);
        assert.strictEqual(k.absent("/srv/site/new.txt"), true);
        assert.strictEqual(k.absent("/srv/site/d1/a.txt"), true, "d1 is not in the listing");
        assert.strictEqual(k.absent("/srv/site/index.html"), false);
        assert.strictEqual(k.absent("/srv/site/d0/a.txt"), false, "d0 is there but was not listed");
        assert.strictEqual(k.absent("/srv/elsewhere.txt"), false, "/srv was not listed");
    });

    it("what the operation made is present again; what it wrote is asked again", function () {
        const k = new KnownStats();
        k.sawListing("/srv/site", []);
        k.saw("/srv/site/d0", dir); // made by this operation (ensureDirs)
        assert.strictEqual(k.absent("/srv/site/d0"), false);
        assert.strictEqual(k.absent("/srv/site/d0/a.txt"), false);
        k.forget("/srv/site/b.txt"); // written by this operation: the folder's listing is no longer complete
        assert.strictEqual(k.absent("/srv/site/c.txt"), false);
    });

    it("with `keep`, only the folders kept are recorded, with their names and the stats kept: absent is the same, a stat not kept is asked", async function () {
        const listing = [
            { name: "d0", stat: dir },
            { name: "index.html", stat: file },
            { name: "kept.txt", stat: file },
        ];
        const asked: string[] = [];
        const t = {
            stat: async (p: string) => {
                asked.push(p);
                return { kind: "file", size: 7 } as const;
            },
        } as unknown as Transport;
        const k = new KnownStats((p) => p === "/srv/site" || p === "/srv/site/kept.txt");
        k.sawListing("/srv/site", listing);
        k.sawListing("/srv/other", listing);
        assert.strictEqual(k.absent("/srv/other/new.txt"), false, "a listing of a folder not kept is not recorded");
        for (const p of ["/srv/site/new.txt", "/srv/site/d1/a.txt", "/srv/site/index.html", "/srv/site/d0/a.txt"]) {
            const all = new KnownStats();
            all.sawListing("/srv/site", listing);
            assert.strictEqual(k.absent(p), all.absent(p), p);
        }
        assert.deepStrictEqual(await k.stat(t, "/srv/site/kept.txt"), file, "kept from the listing");
        assert.strictEqual(await k.stat(t, "/srv/site/new.txt"), undefined, "not in the listing");
        assert.deepStrictEqual(asked, []);
        assert.strictEqual((await k.stat(t, "/srv/site/index.html"))?.size, 7, "listed, stat not kept: asked");
        await k.stat(t, "/srv/site/index.html");
        assert.deepStrictEqual(asked, ["/srv/site/index.html"], "asked once");
    });
});
