/**
 * The plugin's schema stays in step with the TypeScript SDK and the handlers (issue 21 item 1): plugin/schema.json is
 * what scripts/schema/ generates from the SDK's declarations now, and its resources' inputs are exactly the
 * arguments check knows (provider/plan/knownKeys.ts), which the SDK's `…Args` are compiled against.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    CONNECTION_FIELDS,
    CONNECTION_SECRET_FIELDS,
    PROXY_PUBLIC_FIELDS,
    PROXY_SECRET_FIELDS,
    RESOURCE_ARGS,
    type ResourceKind,
} from "../../../provider/plan/knownKeys";
import { schemaJson } from "../../../scripts/schema/generate";

const root = path.join(__dirname, "..", "..", "..", "..");
const committed = JSON.parse(fs.readFileSync(path.join(root, "plugin", "schema.json"), "utf8"));
const sorted = (l: Iterable<string>) => [...l].sort();

describe("plugin schema", function () {
    it("plugin/schema.json is what the SDK's declarations generate now (run `npm run schema`)", function () {
        this.timeout(120000); // a TypeScript program of the SDK's files
        assert.deepStrictEqual(committed, JSON.parse(schemaJson(root)));
    });

    for (const kind of Object.keys(RESOURCE_ARGS) as ResourceKind[]) {
        it(`${kind}: the schema's inputs are the arguments check knows`, function () {
            const r = committed.resources[`filedrop:index:${kind}`];
            assert.ok(r, `no filedrop:index:${kind} in the schema`);
            assert.deepStrictEqual(sorted(Object.keys(r.inputProperties)), sorted(RESOURCE_ARGS[kind]));
            for (const [name, p] of Object.entries<{ description?: string }>({
                ...r.inputProperties,
                ...r.properties,
            })) {
                assert.ok(p.description, `${kind}.${name} has no description (TSDoc)`);
            }
        });
    }

    it("Connection and ProxyConnection have every field check knows, the secret ones marked", function () {
        const c = committed.types["filedrop:index:Connection"].properties;
        const p = committed.types["filedrop:index:ProxyConnection"].properties;
        assert.deepStrictEqual(sorted(Object.keys(c)), sorted(CONNECTION_FIELDS));
        assert.deepStrictEqual(sorted(Object.keys(p)), sorted([...PROXY_PUBLIC_FIELDS, ...PROXY_SECRET_FIELDS]));
        const secret = (o: Record<string, { secret?: boolean }>) => Object.keys(o).filter((k) => o[k].secret === true);
        assert.deepStrictEqual(sorted(secret(c)), sorted(CONNECTION_SECRET_FIELDS.filter((k) => k !== "proxy")));
        assert.deepStrictEqual(sorted(secret(p)), sorted(PROXY_SECRET_FIELDS));
    });

    it("takes defaults that are JSON literals from `@default`, and keeps prose ones in the description", function () {
        const f = committed.resources["filedrop:index:RemoteFile"].inputProperties;
        assert.strictEqual(f.createParents.default, true);
        assert.strictEqual(f.symlinks.default, "follow");
        assert.strictEqual(f.checkTimeout.default, 60);
        assert.strictEqual(f.mode.default, undefined);
        assert.match(f.mode.description, /Default: the mode of the file it replaces/);
        assert.deepStrictEqual(f.source, { type: "string", description: f.source.description });
    });
});
