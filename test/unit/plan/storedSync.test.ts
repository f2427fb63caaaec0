/** The one-walk sync plan over stored manifests (issue 22) gives exactly what the map-based reference gives. */
import * as assert from "node:assert";
import { createHash } from "node:crypto";
import type { Manifest } from "../../../provider/manifest";
import { decodeManifest, encodeManifest } from "../../../provider/plan/manifestCodec";
import { ManifestCursor } from "../../../provider/plan/manifestWalk";
import { foldersOfStored, ownedAfter, planStored, sameStored, storedChanges } from "../../../provider/plan/storedSync";
import { foldersOf, planSync, treeChanges } from "../support/mapSync";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const e = (content: string, mode = "0644", size = content.length) => ({ sha256: sha(content), size, mode });

/** The plan without its entries, as planSync makes it. */
const listsOf = ({ added, changed, removed, upload, chmodOnly }: ReturnType<typeof planStored>) => ({
    added,
    changed,
    removed,
    upload,
    chmodOnly,
});

/** Every pairing of packed and map forms (the map in unsorted insertion order). */
function forms(m: Manifest): (string | Manifest)[] {
    const reversed = Object.fromEntries(
        Object.keys(m)
            .reverse()
            .map((k) => [k, m[k]]),
    );
    return [encodeManifest(m), reversed];
}

const owned: Manifest = {
    "same.txt": e("same"),
    "content.txt": e("old content"),
    "size.txt": e("grows"),
    "mode.txt": e("mode", "0644"),
    "both.txt": e("both", "0644"),
    "gone/away.txt": e("removed"),
    "z/last.txt": e("removed last"),
    "a😀/x": e("emoji"),
    "spelled.txt": e("spelled", "00640"),
};
const news: Manifest = {
    "new/first.txt": e("added first"),
    "same.txt": e("same"),
    "content.txt": e("new content"),
    "size.txt": e("grows", "0644", 99),
    "mode.txt": e("mode", "0600"),
    "both.txt": e("both, other", "0755"),
    "a😁/y": e("added beside emoji"),
    "a😀/x": e("emoji"),
    "spelled.txt": e("spelled", "0640"),
    "zz.txt": e("added last"),
};

describe("storedSync: the sync plan by one walk over the stored manifests", () => {
    for (const prune of [true, false, "all"] as const) {
        it(`equals planSync for added, removed, mode-only, content, size, same files (prune ${prune}), any form`, () => {
            const expected = planSync(owned, news, prune);
            for (const o of forms(owned)) {
                for (const n of forms(news)) {
                    const p = planStored(o, n, prune);
                    assert.deepStrictEqual(listsOf(p), expected);
                    // The entries of exactly the files it names, as the maps hold them (modes written one way).
                    assert.deepStrictEqual(
                        Object.keys(p.wanted).sort(),
                        [...expected.upload, ...expected.chmodOnly].sort(),
                    );
                    for (const rel of Object.keys(p.wanted)) {
                        assert.deepStrictEqual(p.wanted[rel], news[rel]);
                    }
                    const given = [...expected.changed, ...planSync(owned, news, true).removed].sort();
                    assert.deepStrictEqual(Object.keys(p.given).sort(), given);
                    for (const rel of given) {
                        assert.strictEqual(p.given[rel].sha256, owned[rel].sha256);
                        assert.strictEqual(p.given[rel].size, owned[rel].size);
                    }
                }
            }
        });
    }

    it("plans a new tree (nothing owned) and an emptied one, and nothing for the same files", () => {
        assert.deepStrictEqual(listsOf(planStored(undefined, encodeManifest(news), true)), planSync({}, news, true));
        assert.deepStrictEqual(listsOf(planStored({}, encodeManifest(news), true)), planSync({}, news, true));
        assert.deepStrictEqual(listsOf(planStored(encodeManifest(owned), {}, true)), planSync(owned, {}, true));
        const none = listsOf(planStored(encodeManifest(news), news, true));
        assert.deepStrictEqual(none, { added: [], changed: [], removed: [], upload: [], chmodOnly: [] });
    });

    it("gives the preview's change list that treeChanges gives from the maps", () => {
        for (const prune of [true, false] as const) {
            assert.deepStrictEqual(
                storedChanges(encodeManifest(owned), encodeManifest(news), prune, 3),
                treeChanges(owned, news, prune, 3),
            );
            assert.deepStrictEqual(
                storedChanges(undefined, encodeManifest(news), prune),
                treeChanges(undefined, news, prune),
            );
        }
        assert.strictEqual(storedChanges(owned, encodeManifest(owned), true), undefined);
    });

    it("tells the same files in any form (a mode spelled another way is the same) from different ones", () => {
        assert.ok(sameStored(encodeManifest(owned), owned));
        assert.ok(sameStored(owned, { ...owned, "spelled.txt": e("spelled", "0640") }));
        assert.ok(!sameStored(encodeManifest(owned), news));
        assert.ok(!sameStored(encodeManifest(owned), { ...owned, "extra.txt": e("x") }));
        const fewer = { ...owned };
        delete fewer["z/last.txt"];
        assert.ok(!sameStored(owned, encodeManifest(fewer)));
        assert.ok(!sameStored(owned, { ...owned, "mode.txt": e("mode", "0600") }));
        assert.ok(sameStored({}, undefined));
    });

    it("finds the folders that foldersOf finds, outermost first", () => {
        const m: Manifest = {
            "a/b/c/d.txt": e("1"),
            "a/b/e.txt": e("2"),
            "a/x.txt": e("3"),
            "f/g.txt": e("4"),
            top: e("5"),
            "a/b/c/z.txt": e("6"),
            "a.b/c": e("7"),
        };
        assert.deepStrictEqual(foldersOfStored("/srv/site", encodeManifest(m)), foldersOf("/srv/site", m));
        assert.deepStrictEqual(foldersOfStored("/srv/site", m), foldersOf("/srv/site", m));
        assert.deepStrictEqual(foldersOfStored("/srv/site", encodeManifest(news)), foldersOf("/srv/site", news));
        assert.deepStrictEqual(foldersOfStored("/srv", {}), []);
    });

    it("writes what a tree owns after a sync as the map-based copy would be", () => {
        const plan = planSync(owned, news, true);
        const uploaded: Manifest = {};
        for (const rel of plan.upload.filter((r) => r !== "zz.txt")) {
            uploaded[rel] = { ...news[rel], sha256: sha(`landed ${rel}`) }; // as verified on the server
        }
        const chmod = Object.fromEntries(plan.chmodOnly.map((rel) => [rel, news[rel].mode]));
        const expected: Manifest = { ...owned };
        for (const rel of plan.removed) {
            delete expected[rel];
        }
        for (const rel of plan.chmodOnly) {
            expected[rel] = { ...expected[rel], mode: news[rel].mode };
        }
        Object.assign(expected, uploaded);
        for (const o of forms(owned)) {
            const after = ownedAfter(o, plan.removed, chmod, uploaded);
            assert.strictEqual(after, encodeManifest(expected));
            assert.deepStrictEqual(decodeManifest(after), decodeManifest(encodeManifest(expected)));
        }
        assert.strictEqual(ownedAfter(undefined, [], {}, news), encodeManifest(news));
    });

    it("walks a map of earlier releases in sorted order, its modes written one way", () => {
        const c = new ManifestCursor({ b: e("b", "00640"), a: e("a", "755") });
        const seen: string[] = [];
        while (c.next()) {
            seen.push(`${c.rel} ${c.mode} ${c.entry().sha256 === sha(c.rel)}`);
        }
        assert.deepStrictEqual(seen, ["a 0755 true", "b 0640 true"]);
    });
});
