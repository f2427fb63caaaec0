/** The packed manifest (issue 22): round trip, its compactness, the map form of earlier releases, damage. */
import * as assert from "node:assert";
import { createHash } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { isFiledropError } from "../../../provider/errors";
import type { Manifest } from "../../../provider/manifest";
import {
    decodeManifest,
    encodeManifest,
    isPackedManifest,
    manifestOf,
    PACKED_MANIFEST_PREFIX,
} from "../../../provider/plan/manifestCodec";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const entry = (s: string, mode = "0644", size = s.length) => ({ sha256: sha(s), size, mode });

/** The manifest sorted by path, as decode returns it. */
const sorted = (m: Manifest) =>
    Object.fromEntries(
        Object.keys(m)
            .sort()
            .map((k) => [k, m[k]]),
    );

describe("packed manifest", function () {
    it("round-trips paths of every kind, sizes and modes, in sorted order", function () {
        const m: Manifest = {
            "z.txt": entry("z"),
            "a/b/c.txt": entry("c", "0600"),
            "a/b/c.txt.map": entry("map", "0755", 0),
            "a/b,c\td.txt": entry("comma and tab"),
            "a/😀/x": entry("emoji"),
            "a/😁/y": entry("other emoji, same high surrogate"),
            "ünïcödé/ß": entry("accents", "4755", 2 ** 40),
            "a/b": entry("a file beside a folder of the same prefix"),
            " lead space": entry("space"),
        };
        const packed = encodeManifest(m);
        assert.ok(isPackedManifest(packed));
        assert.deepStrictEqual(decodeManifest(packed), sorted(m));
        assert.deepStrictEqual(Object.keys(decodeManifest(packed)), Object.keys(m).sort());
    });

    it("an empty manifest packs and unpacks", function () {
        assert.deepStrictEqual(decodeManifest(encodeManifest({})), {});
    });

    it("the same files pack to the same string, whatever the order they were listed in", function () {
        const a: Manifest = { "x/1": entry("1"), "x/2": entry("2"), y: entry("y") };
        const b: Manifest = { y: entry("y"), "x/2": entry("2"), "x/1": entry("1") };
        assert.strictEqual(encodeManifest(a), encodeManifest(b));
        assert.notStrictEqual(encodeManifest(a), encodeManifest({ ...a, y: entry("y2") }));
    });

    it("any spelling of a mode earlier releases kept is written the one way", function () {
        const packed = encodeManifest({ a: { ...entry("a"), mode: "00640" }, b: { ...entry("b"), mode: "644" } });
        assert.deepStrictEqual(decodeManifest(packed), { a: entry("a", "0640"), b: entry("b", "0644") });
    });

    it("keeps under 50 bytes per file for 10,000 files of a site-like tree (the map form: about 118)", function () {
        const m: Manifest = {};
        for (let d = 0; d < 100; d++) {
            for (let f = 0; f < 100; f++) {
                m[`d${d}/f${f}.bin`] = entry(`${d}/${f}`, "0644", 4096);
            }
        }
        const packed = encodeManifest(m);
        assert.ok(packed.length / 10_000 < 50, `${packed.length / 10_000} bytes per file`);
        assert.ok(JSON.stringify(m).length / 10_000 > 110);
        assert.deepStrictEqual(decodeManifest(packed), sorted(m));
    });

    it("refuses what a manifest cannot hold, instead of packing something else", function () {
        assert.throws(() => encodeManifest({ a: { sha256: "1", size: 1, mode: "0644" } }), /cannot pack/);
        assert.throws(() => encodeManifest({ a: { ...entry("a"), size: -1 } }), /cannot pack/);
        assert.throws(() => encodeManifest({ "a\nb": entry("a") }), /cannot pack/);
    });

    it("a damaged packed manifest is a FiledropError naming the line, never a silently shorter manifest", function () {
        const raw = (text: string) => PACKED_MANIFEST_PREFIX + deflateRawSync(text).toString("base64");
        const b64 = Buffer.from(sha("a"), "hex").toString("base64url");
        assert.deepStrictEqual(decodeManifest(raw(`${b64}1,,0,a\n`)), {
            a: { sha256: sha("a"), size: 1, mode: "0644" },
        });
        for (const [packed, why] of [
            ["nope", /does not start/],
            [`${PACKED_MANIFEST_PREFIX}!!!!`, /does not inflate|line 1/],
            [raw(`${b64}1,,0,a`), /last line does not end/],
            [raw(`${b64}1,,0,b\n${b64}1,,0,a\n`), /line 2.*out of order/],
            [raw(`${b64}1,,5,a\n`), /line 1.*shares more/],
            [raw(`${b64.slice(1)}1,,0,a\n`), /line 1.*not an entry/],
            [raw(`${b64}1,644,0,a\n`), /line 1.*not an entry/],
        ] as const) {
            assert.throws(
                () => decodeManifest(packed),
                (e: unknown) => isFiledropError(e) && e.code === "INVALID_INPUT" && why.test(e.message),
                packed,
            );
        }
    });

    it("manifestOf takes the packed form, the map of earlier releases, and nothing", function () {
        const m: Manifest = { "a/b": entry("b"), c: entry("c", "0755") };
        assert.deepStrictEqual(manifestOf(encodeManifest(m)), m);
        assert.strictEqual(manifestOf(m), m, "a map from an earlier release's state is used as it is");
        assert.deepStrictEqual(manifestOf(undefined), {});
        const packed = encodeManifest(m);
        assert.strictEqual(manifestOf(packed), manifestOf(`${packed}`), "decoded once per string");
        assert.ok(Object.isFrozen(manifestOf(packed)), "shared: frozen, so that no caller changes it for another");
    });

    it("manifestOf of a string just packed is what decoding it gives, whatever the map packed held", function () {
        const odd: Manifest = { b: { ...entry("b"), mode: "644" }, a: { ...entry("a"), extra: 1 } as Manifest[string] };
        const canonical: Manifest = { a: entry("a", "0600"), "b/c": entry("c") };
        for (const m of [odd, canonical, { ...canonical }]) {
            const packed = encodeManifest(m);
            const got = manifestOf(packed);
            assert.deepStrictEqual(got, decodeManifest(packed));
            assert.deepStrictEqual(Object.keys(got), Object.keys(decodeManifest(packed)));
            assert.ok(Object.isFrozen(got));
            assert.notStrictEqual(got, m, "never the caller's own map, which it may change");
        }
        const m: Manifest = { a: entry("a") };
        const got = manifestOf(encodeManifest(m));
        m.a.size = 99;
        assert.strictEqual(got.a.size, 1, "nor its entries");
    });
});
