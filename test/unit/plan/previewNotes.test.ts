/** What a preview says beyond the engine's diff of inputs (issue 11): notes, credential-free check, kept paths. */
import * as assert from "node:assert";
import * as path from "node:path";
import { SOURCE_TEXT_HEADER } from "../../../provider/defaults";
import * as dir from "../../../provider/handlers/remoteDirectory";
import * as file from "../../../provider/handlers/remoteFile";
import { storedLocalPath } from "../../../provider/localFiles";
import { credentialsRotated, fileChanges, lineChanges } from "../../../provider/plan/previewNotes";

const base: file.RemoteFileInputs = {
    connection: { host: "h" },
    credentials: { privateKey: "key one" },
    path: "/etc/x",
    content: "a\nb\nc\n",
    sha256: "aa",
    size: 6,
};
const deployed: file.RemoteFileOutputs = {
    ...base,
    mode: "0644",
    mtime: 1,
    existedBefore: false,
    createdDirs: [],
    verifiedBy: "x",
    atomic: true,
};

describe("preview notes", function () {
    it("counts the lines a text change adds and removes", function () {
        assert.deepStrictEqual(lineChanges("a\nb\nc\n", "a\nB\nc\nd\n"), {
            summary: "content: 2 lines added, 1 removed (3 → 4 lines)",
            linesAdded: 2,
            linesRemoved: 1,
        });
    });

    it("says a secret changed without counting or showing it, and tells binary changes by size and hash", function () {
        const news = { ...base, content: "a\nsecret\n", sha256: "bb" };
        assert.deepStrictEqual(fileChanges(base, news, true), { summary: "content changed (secret: not shown)" });
        const bin = fileChanges({ sha256: "1".repeat(64), size: 10 }, { sha256: "2".repeat(64), size: 12 }, false);
        assert.match(bin!.summary, /^content changed: 10 → 12 bytes, sha256 111111111111… → 222222222222…/);
        assert.strictEqual(bin!.linesAdded, undefined);
    });

    it("diffs kept source text without its header line", function () {
        const c = fileChanges(
            { sha256: "a", sourceText: `${SOURCE_TEXT_HEADER}x\n` },
            { sha256: "b", sourceText: `${SOURCE_TEXT_HEADER}y\n` },
            false,
        );
        assert.strictEqual(c?.summary, "content: 1 line added, 1 removed (1 → 1 line)");
    });

    it("tells a credential rotation apart from a content change, and a missing credential from both", function () {
        assert.strictEqual(credentialsRotated({ privateKey: "a" }, { privateKey: "b" }), true);
        assert.strictEqual(credentialsRotated({ privateKey: "a" }, {}), false);
        assert.strictEqual(credentialsRotated({ privateKey: "a" }, { privateKey: "a" }), false);
        assert.deepStrictEqual(fileChanges(base, { ...base, credentials: { privateKey: "key two" } }, false), {
            summary: "credentials changed; nothing is uploaded",
        });
        assert.strictEqual(fileChanges(base, { ...base, credentials: {} }, false), undefined);
    });
});

describe("RemoteFile check in a preview", function () {
    it("sets `changes` in a preview only and never keeps the preview flag", async function () {
        const news = { ...base, content: "a\nB\nc\n", sha256: "bb" };
        const previewed = (await file.check(base, { ...news, preview: { secret: false } })).inputs!;
        assert.strictEqual(previewed.changes?.summary, "content: 1 line added, 1 removed (3 → 3 lines)");
        assert.ok(!("preview" in previewed));
        const applied = (await file.check(base, news)).inputs!;
        assert.ok(!("changes" in applied) && !("preview" in applied));
    });

    it("needs no credential in a preview, and still refuses a missing one otherwise", async function () {
        const none = { ...base, credentials: {} };
        assert.deepStrictEqual((await file.check(base, { ...none, preview: { secret: false } })).failures, []);
        const up = await file.check(base, none);
        assert.deepStrictEqual(
            up.failures?.map((f) => f.property),
            ["connection"],
        );
        assert.match(up.failures![0].reason, /has no credential/);
        const d = await dir.check({} as dir.RemoteDirectoryInputs, {
            connection: { host: "h" },
            credentials: {},
            path: "/srv",
            preview: true,
        });
        assert.deepStrictEqual(d.failures, []);
    });

    it("diff: a preview without credentials is no change; a rotation is an update; a moved source is none", async function () {
        assert.strictEqual((await diff({ ...base, credentials: {} })).changes, false);
        assert.strictEqual((await diff({ ...base, credentials: { privateKey: "key two" } })).changes, true);
        const fromSource = { ...deployed, content: undefined, sourcePath: "/a/checkout/conf/app.conf" };
        assert.strictEqual(
            (await file.diff("id", fromSource, { ...fromSource, sourcePath: "conf/app.conf" })).changes,
            false,
        );
    });
});

function diff(news: file.RemoteFileInputs) {
    return file.diff("id", deployed, news);
}

describe("local paths kept in state", function () {
    it("are relative to the project's folder below it, absolute elsewhere", function () {
        const base = path.join(path.sep, "ci", "run-1", "repo");
        assert.strictEqual(storedLocalPath("./site", base), "site");
        assert.strictEqual(storedLocalPath(path.join(base, "conf", "app.conf"), base), "conf/app.conf");
        assert.strictEqual(storedLocalPath(base, base), ".");
        assert.strictEqual(storedLocalPath("../shared/x", base), path.join(path.sep, "ci", "run-1", "shared", "x"));
        assert.strictEqual(storedLocalPath("/etc/ssl/ca.pem", base), "/etc/ssl/ca.pem");
    });
});
