import * as assert from "node:assert";
import {
    diff,
    type RemoteTreeInputs,
    type RemoteTreeOutputs,
    withChanges,
} from "../../../provider/handlers/remoteTree";
import { storedChanges } from "../../../provider/plan/storedSync";

const e = (sha256: string, mode = "0644", size = 1) => ({ sha256, size, mode });
const connection = { host: "10.0.0.5", user: "deploy" };

function inputs(manifest: RemoteTreeInputs["manifest"], extra: Partial<RemoteTreeInputs> = {}): RemoteTreeInputs {
    return { connection, sourceDir: "/src", destination: "/var/www", prune: true, manifest, ...extra };
}

describe("RemoteTree changes (what preview --diff names)", () => {
    it("names added, changed (content or mode) and removed files, sorted, with sizes and a summary", () => {
        const c = storedChanges(
            { a: e("1"), b: e("2"), c: e("3"), d: e("4", "0644", 2048) },
            { a: e("1"), b: e("9", "0644", 14), c: e("3", "0600"), z: e("5", "0644", 5 << 20), y: e("6") },
            true,
        );
        assert.deepStrictEqual(c, {
            summary: "2 changed, 2 added, 1 removed",
            added: ["y (1 B)", "z (5 MiB)"],
            changed: ["b (1 → 14 B)", "c (1 B, same content, mode 0644 → 0600)"],
            removed: ["d (2 KiB)"],
        });
    });

    it("is undefined when nothing changes, and removes nothing with prune: false", () => {
        assert.strictEqual(storedChanges({ a: e("1") }, { a: e("1") }, true), undefined);
        assert.strictEqual(storedChanges({ a: e("1"), b: e("2") }, { a: e("1") }, false), undefined);
    });

    it("caps each list at the limit, then says how many more", () => {
        const news = Object.fromEntries(
            Array.from({ length: 120 }, (_, i) => [`f${String(i).padStart(3, "0")}`, e(String(i))]),
        );
        const c = storedChanges({}, news, true)!;
        assert.strictEqual(c.summary, "120 added");
        assert.strictEqual(c.added!.length, 51);
        assert.strictEqual(c.added![49], "f049 (1 B)");
        assert.strictEqual(c.added![50], "… and 70 more");
    });

    it("check adds `changes` in a preview only, and never keeps the preview flag or a stale list", () => {
        const olds = inputs({ a: e("1") });
        const news = inputs({ a: e("2"), b: e("3") }, { changes: { summary: "stale", added: ["x"] } });
        assert.deepStrictEqual(withChanges(olds, { ...news, preview: true }).changes, {
            summary: "1 changed, 1 added",
            added: ["b (1 B)"],
            changed: ["a (1 B)"],
        });
        const up = withChanges(olds, { ...news, preview: false });
        assert.ok(!("changes" in up) && !("preview" in up));
        const same = withChanges(olds, { ...inputs({ a: e("1") }), preview: true });
        assert.ok(!("changes" in same) && !("preview" in same));
        // Elsewhere (a replace): every file is added.
        assert.deepStrictEqual(
            withChanges(olds, { ...inputs({ a: e("1") }, { destination: "/srv" }), preview: true }).changes?.added,
            ["a (1 B)"],
        );
    });

    it("says when the credentials change, with or without file changes, and not when a preview has none", () => {
        const olds = inputs({ a: e("1") }, { credentials: { privateKey: "old key" } });
        const rotated = { credentials: { privateKey: "new key" }, preview: true };
        assert.deepStrictEqual(withChanges(olds, { ...inputs({ a: e("1") }), ...rotated }).changes, {
            summary: "credentials changed; nothing is uploaded",
        });
        assert.strictEqual(
            withChanges(olds, { ...inputs({ a: e("2") }), ...rotated }).changes?.summary,
            "1 changed; credentials changed",
        );
        const none = withChanges(olds, { ...inputs({ a: e("1") }), credentials: {}, preview: true });
        assert.ok(!("changes" in none));
    });

    it("diff ignores `changes`", async () => {
        const m = { a: e("1") };
        const olds = {
            ...inputs(m),
            files: m,
            createdDirs: [],
            drift: { changed: [], missing: [], extra: [] },
            lastChanges: "",
        } as RemoteTreeOutputs;
        const r = await diff("id", olds, { ...inputs(m), changes: { summary: "1 added", added: ["zzz"] } });
        assert.strictEqual(r.changes, false);
    });
});
