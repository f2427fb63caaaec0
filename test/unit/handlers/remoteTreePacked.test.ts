/**
 * RemoteTree with packed manifests (issue 22), on the memory transport: what the state keeps (one copy when the
 * tree owns what the program wants), an unchanged tree diffed by one string compare, and state written by earlier
 * releases (maps in inputs and outputs) diffed, previewed, refreshed and updated as before.
 */
import * as assert from "node:assert";
import {
    check,
    deployedManifest,
    diff,
    type RemoteTreeInputs,
    type RemoteTreeOutputs,
    read,
    update,
} from "../../../provider/handlers/remoteTree";
import { isPackedManifest, manifestOf } from "../../../provider/plan/manifestCodec";
import { createTree, memoryTreeEachTest } from "../support/treeInputs";

describe("RemoteTree with packed manifests (memory transport)", function () {
    const tree = memoryTreeEachTest({
        "index.html": "<h1>hi</h1>",
        "css/site.css": "body{}",
        "bin/run.sh": "#!/bin/sh\n",
    });

    /** Outputs and inputs as a release before issue 22 kept them: maps, `manifest` in the outputs too. */
    function earlierRelease(outs: RemoteTreeOutputs, i: RemoteTreeInputs): [RemoteTreeOutputs, RemoteTreeInputs] {
        const map = (m: RemoteTreeOutputs["files"]) => ({ ...manifestOf(m) });
        return [
            { ...outs, manifest: map(deployedManifest(outs)), files: map(outs.files) },
            { ...i, manifest: map(i.manifest) },
        ];
    }

    it("check packs the manifest; the outputs keep it once, in `files`, when the tree owns just that", async function () {
        const i = await tree.inputs();
        assert.ok(isPackedManifest(i.manifest), "check's inputs hold the packed form");
        const { id, outs } = await createTree(i);
        assert.strictEqual(outs.files, i.manifest, "what the tree owns is what the program wants: the same string");
        assert.ok(!("manifest" in outs), "no second copy in the outputs");
        assert.deepStrictEqual(Object.keys(manifestOf(outs.files)), ["bin/run.sh", "css/site.css", "index.html"]);
        assert.strictEqual((await diff(id, outs, await tree.inputs())).changes, false);
        tree.src.write("index.html", "<h1>new</h1>");
        assert.strictEqual((await diff(id, outs, await tree.inputs())).changes, true);
    });

    it("state from an earlier release diffs clean, previews only the edit, updates and is packed after", async function () {
        const i = await tree.inputs();
        const { id, outs } = await createTree(i);
        const [oldOuts, oldInputs] = earlierRelease(outs, i);
        assert.strictEqual((await diff(id, oldOuts, await tree.inputs())).changes, false);
        tree.src.write("css/site.css", "body{color:red}");
        const news = await tree.inputs();
        const previewed = await check(oldInputs, { ...news, preview: true });
        assert.deepStrictEqual(previewed.inputs?.changes, {
            summary: "1 changed",
            changed: ["css/site.css (6 → 15 B)"],
        });
        assert.strictEqual((await diff(id, oldOuts, news)).changes, true);
        const u = (await update(id, oldOuts, news)).outs as RemoteTreeOutputs;
        assert.strictEqual(tree.server.fs.text("/var/www/css/site.css"), "body{color:red}");
        assert.match(u.lastChanges, /0 added, 1 changed \(css\/site\.css\), 0 removed/);
        assert.strictEqual(u.files, news.manifest);
        assert.ok(!("manifest" in u));
    });

    it("a refresh that finds drift keeps the deployed manifest beside the files found, and the up repairs it", async function () {
        const i = await tree.inputs();
        const { id, outs } = await createTree(i);
        tree.server.fs.writeFile("/var/www/index.html", "tampered");
        const r = await read(id, outs);
        const props = r.props as RemoteTreeOutputs;
        assert.deepStrictEqual(props.drift.changed, ["index.html"]);
        assert.strictEqual(props.manifest, i.manifest, "the manifest last deployed, kept apart from the files found");
        assert.notStrictEqual(props.files, i.manifest);
        assert.strictEqual((r.inputs as RemoteTreeInputs).manifest, i.manifest, "the next preview names from it");
        assert.strictEqual((await diff(id, props, await tree.inputs())).changes, true);
        const u = (await update(id, props, await tree.inputs())).outs as RemoteTreeOutputs;
        assert.strictEqual(tree.server.fs.text("/var/www/index.html"), "<h1>hi</h1>");
        assert.strictEqual(u.files, i.manifest);
        assert.ok(!("manifest" in u));
    });

    it("a refresh of an earlier release's state returns packed inputs and outputs", async function () {
        const i = await tree.inputs();
        const { id, outs } = await createTree(i);
        const [oldOuts] = earlierRelease(outs, i);
        const r = await read(id, oldOuts);
        const props = r.props as RemoteTreeOutputs;
        assert.strictEqual(props.files, i.manifest);
        assert.ok(!("manifest" in props));
        assert.strictEqual((r.inputs as RemoteTreeInputs).manifest, i.manifest);
        assert.strictEqual((await diff(id, props, await tree.inputs())).changes, false);
    });
});
