/**
 * Every input key of every resource has a diff rule, and diff does what the rule says. The rules tables are typed
 * `KeyRules<Inputs>`, so a new input key does not compile until it has a rule; the `changed` tables below are typed
 * the same way, so it does not compile until this test changes it too — and then this test checks the rule.
 */
import * as assert from "node:assert";
import * as dir from "../../../provider/handlers/remoteDirectory";
import * as download from "../../../provider/handlers/remoteDownload";
import * as file from "../../../provider/handlers/remoteFile";
import * as tree from "../../../provider/handlers/remoteTree";
import type { KeyRule } from "../../../provider/plan/fileDiff";

type Changes<T> = { readonly [K in keyof Required<T>]: T[K] };

const connection = { host: "h", user: "u" };

const fileOld: file.RemoteFileOutputs = {
    connection,
    credentials: { password: "p" },
    path: "/etc/x",
    content: "a",
    sha256: "aa",
    size: 1,
    mode: "0644",
    uid: 1,
    gid: 1,
    createParents: true,
    onDelete: "delete",
    validate: "true",
    mtime: 1,
    existedBefore: false,
    createdDirs: [],
    verifiedBy: "x",
    atomic: true,
};
/** Another value for every RemoteFile input. */
const fileChanged: Changes<file.RemoteFileInputs> = {
    connection: { ...connection, user: "other" },
    credentials: { password: "rotated" },
    path: "/etc/y",
    content: "b",
    sourcePath: "/src/x",
    sourceText: "@ text\nb\n",
    sha256: "bb",
    size: 2,
    mode: "0600",
    uid: 2,
    gid: 2,
    owner: "www-data",
    group: 33,
    createParents: false,
    onDelete: "restore",
    symlinks: "refuse",
    validate: "false",
    validateInPlace: "nginx -t",
    checkTimeout: 5,
    contentSecret: true,
    unknownArgs: ["hostkey"],
    changes: { summary: "content changed" },
    preview: { secret: true },
    resourceUrn: "urn:pulumi:other::p::t::n",
};

const dirOld: dir.RemoteDirectoryOutputs = {
    connection,
    credentials: { password: "p" },
    path: "/srv/a",
    mode: "0755",
    createParents: true,
    onDelete: "delete",
    createdDirs: [],
    existedBefore: false,
    present: true,
};
const dirChanged: Changes<dir.RemoteDirectoryInputs> = {
    connection: { ...connection, user: "other" },
    credentials: { password: "rotated" },
    path: "/srv/b",
    mode: "0700",
    owner: "www-data",
    group: "www-data",
    createParents: false,
    onDelete: "recursive",
    unknownArgs: ["hostkey"],
    changes: { summary: "credentials changed" },
    preview: true,
};

const m = { a: { sha256: "1", size: 1, mode: "0644" } };
const treeOld: tree.RemoteTreeOutputs = {
    connection,
    credentials: { password: "p" },
    sourceDir: "/src",
    destination: "/var/www",
    include: ["**"],
    exclude: [],
    modes: {},
    prune: true,
    createParents: true,
    manifest: m,
    problems: [],
    files: m,
    createdDirs: [],
    drift: { changed: [], missing: [], extra: [] },
    lastChanges: "",
};
const treeChanged: Changes<tree.RemoteTreeInputs> = {
    connection: { ...connection, user: "other" },
    credentials: { password: "rotated" },
    sourceDir: "/elsewhere",
    destination: "/srv/www",
    include: ["*.html"],
    exclude: ["*.map"],
    modes: { "**": "0600" },
    owner: "www-data",
    group: 33,
    prune: false,
    createParents: false,
    manifest: { a: { sha256: "2", size: 1, mode: "0644" } },
    problems: ["x"],
    changes: { summary: "1 changed", changed: ["a"] },
    preview: true,
    unknownArgs: ["hostkey"],
    resourceUrn: "urn:pulumi:other::p::t::n",
};

const downloadOld: download.RemoteDownloadOutputs = {
    connection,
    credentials: { password: "p" },
    path: "/etc/k3s.yaml",
    maxSize: 1024,
    encoding: "utf8",
    secret: true,
    resourceUrn: "urn:pulumi:dev::p::t::n",
    content: "x",
    sha256: "aa",
    size: 1,
    mtime: 1,
    verifiedBy: "x",
    deployedSha256: "aa",
};
const downloadChanged: Changes<download.RemoteDownloadInputs> = {
    connection: { ...connection, user: "other" },
    credentials: { password: "rotated" },
    path: "/etc/other.yaml",
    maxSize: 2048,
    encoding: "base64",
    secret: false,
    resourceUrn: "urn:pulumi:other::p::t::n",
    preview: true,
    unknownArgs: ["hostkey"],
};

/** The diff a rule promises for a changed key (custom keys: a change is an update). */
function expected(rule: KeyRule): "replace" | "update" | "none" {
    return rule === "replace" ? "replace" : rule === "ignore" ? "none" : "update";
}

function checkRules<I extends object, O extends object>(
    name: string,
    rules: { readonly [K in keyof Required<I>]: KeyRule },
    olds: O,
    changed: Changes<I>,
    diff: (id: string, olds: O, news: I) => Promise<{ changes?: boolean; replaces?: string[] }>,
) {
    describe(`${name} input rules`, function () {
        it("has a rule for exactly the keys of its inputs", function () {
            assert.deepStrictEqual(Object.keys(rules).sort(), Object.keys(changed).sort());
        });

        it("an unchanged input diffs clean", async function () {
            const r = await diff("id", olds, { ...olds } as unknown as I);
            assert.strictEqual(r.changes, false);
        });

        for (const key of Object.keys(rules) as (keyof I & keyof typeof rules)[]) {
            const rule = rules[key];
            it(`${String(key)}: ${rule} → ${expected(rule)}`, async function () {
                const r = await diff("id", olds, { ...olds, [key]: changed[key] } as unknown as I);
                const got = r.replaces && r.replaces.length > 0 ? "replace" : r.changes ? "update" : "none";
                assert.strictEqual(got, expected(rule), `changing ${String(key)}`);
            });
        }
    });
}

checkRules("RemoteFile", file.RULES, fileOld, fileChanged, file.diff);
checkRules("RemoteDirectory", dir.RULES, dirOld, dirChanged, dir.diff);
checkRules("RemoteTree", tree.RULES, treeOld, treeChanged, tree.diff);
checkRules("RemoteDownload", download.RULES, downloadOld, downloadChanged, download.diff);
