/**
 * The tarball `npm pack` makes from a clean checkout (packedPackage.ts) holds what users need and nothing that
 * points elsewhere: the entry points of package.json, every handler the SDK's providers `require` by package name,
 * every module a shipped module requires, declarations with their TSDoc, and no source map naming a file that is
 * not shipped. No engine, no server.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type PackedPackage, packFromCleanTree } from "../harness/packedPackage";

/**
 * The targets of a Markdown text's relative links (inline `[t](x)`, reference `[r]: x`, HTML `href`/`src`), without
 * their `#fragment`, normalized from the package root; links to a page anchor, a URL or an e-mail are not relative.
 */
function relativeLinks(markdown: string): string[] {
    const text = markdown.replace(/^```[\s\S]*?^```/gm, ""); // code blocks hold no links
    const targets = [
        ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)].map((m) => m[1]),
        ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]),
        ...[...text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]),
    ];
    return [
        ...new Set(
            targets
                .filter((t) => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(t))
                .map((t) => path.posix.normalize(decodeURI(t.replace(/[#?].*$/, "")).replace(/^\.\//, "")))
                .filter((t) => t !== "" && t !== "."),
        ),
    ];
}

describe("the npm package (npm pack of a clean checkout)", function () {
    let pkg: PackedPackage;
    let root: string;
    let manifest: { main: string; types: string; name: string };
    const shipped = (rel: string) => pkg.files.includes(path.posix.normalize(rel));
    const read = (rel: string) => fs.readFileSync(path.join(root, rel), "utf8");
    const shippedDir = (rel: string) => pkg.files.some((f) => f.startsWith(`${path.posix.normalize(rel)}/`));

    before(function () {
        this.timeout(300000); // the prepack compile, on a busy machine
        pkg = packFromCleanTree();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-tarball-"));
        after(() => fs.rmSync(dir, { recursive: true, force: true }));
        execFileSync("tar", ["xzf", pkg.tarball, "-C", dir]);
        root = path.join(dir, "package");
        manifest = JSON.parse(read("package.json"));
        process.stderr.write(`[package] ${path.basename(pkg.tarball)}: ${pkg.files.length} files\n`);
    });

    it("ships package.json's main and types", function () {
        assert.ok(shipped(manifest.main), `main ${manifest.main} is not in the tarball:\n${pkg.files.join("\n")}`);
        assert.ok(shipped(manifest.types), `types ${manifest.types} is not in the tarball`);
    });

    it("ships every handler the providers require by package name", function () {
        const index = read("dist/provider/index.js");
        assert.ok(
            index.includes('require("pulumi-filedrop/dist/provider/providers/handlerMethods")'),
            "dist/provider/index.js no longer loads the handlers through providers/handlerMethods: update this test",
        );
        const handlers = [...index.matchAll(/providerFor\("(\w+)"\)/g)].map((m) => m[1]);
        assert.deepStrictEqual(handlers.sort(), ["remoteDirectory", "remoteDownload", "remoteFile", "remoteTree"]);
        const methods = read("dist/provider/providers/handlerMethods.js");
        for (const h of handlers) {
            assert.ok(methods.includes(`require("../handlers/${h}")`), `handlerMethods.js does not load ${h}`);
            assert.ok(
                shipped(`dist/provider/handlers/${h}.js`),
                `dist/provider/handlers/${h}.js is not in the tarball`,
            );
        }
        // Any other module a shipped file requires by package name.
        for (const file of pkg.files.filter((f) => f.endsWith(".js"))) {
            for (const m of read(file).matchAll(/require\(["']pulumi-filedrop\/([^"']+)["']\)/g)) {
                assert.ok(
                    shipped(`${m[1]}.js`) || shipped(m[1]),
                    `${file} requires pulumi-filedrop/${m[1]}, which is not in the tarball`,
                );
            }
        }
    });

    it("resolves every relative require and declaration import inside the tarball", function () {
        const missing: string[] = [];
        for (const file of pkg.files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
            const text = read(file);
            const specs = [...text.matchAll(/(?:require\(|from |import\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map(
                (m) => m[1],
            );
            for (const spec of specs) {
                const base = path.posix.join(path.posix.dirname(file), spec);
                const candidates = file.endsWith(".d.ts")
                    ? [`${base}.d.ts`, `${base}/index.d.ts`]
                    : [`${base}.js`, base, `${base}/index.js`];
                if (!candidates.some(shipped)) {
                    missing.push(`${file} -> ${spec}`);
                }
            }
        }
        assert.deepStrictEqual(missing, []);
    });

    it("ships the plugin folder (PulumiPlugin.yaml, its entry point, the schema)", function () {
        for (const f of ["plugin/PulumiPlugin.yaml", "plugin/index.js", "plugin/package.json", "plugin/schema.json"]) {
            assert.ok(shipped(f), `${f} is not in the tarball`);
        }
        assert.match(read("plugin/PulumiPlugin.yaml"), /^runtime: nodejs$/m);
        assert.match(read("plugin/index.js"), /require\("\.\.\/dist\/provider\/plugin\/main"\)/);
        assert.ok(shipped("dist/provider/plugin/main.js"), "dist/provider/plugin/main.js is not in the tarball");
        // `pulumi package add` runs `npm install` in the folder: nothing may be installed there.
        const own = JSON.parse(read("plugin/package.json"));
        assert.deepStrictEqual([own.dependencies, own.devDependencies], [undefined, undefined]);
    });

    it("ships declarations with their TSDoc", function () {
        const d = read("dist/sdk/remoteFile.d.ts");
        assert.match(d, /\/\*\*[\s\S]*@default[\s\S]*\*\//, "dist/sdk/remoteFile.d.ts has no TSDoc with @default");
        for (const js of pkg.files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"))) {
            assert.ok(shipped(js.replace(/\.js$/, ".d.ts")), `${js} has no declaration file beside it`);
        }
    });

    it("has no source map naming a file that is not shipped", function () {
        const dangling: string[] = [];
        for (const file of pkg.files.filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"))) {
            const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(read(file))?.[1];
            if (url && !url.startsWith("data:") && !shipped(path.posix.join(path.posix.dirname(file), url))) {
                dangling.push(`${file} -> ${url}`);
            }
        }
        for (const map of pkg.files.filter((f) => f.endsWith(".map"))) {
            const m = JSON.parse(read(map)) as { sources: string[]; sourceRoot?: string; sourcesContent?: unknown[] };
            m.sources.forEach((s, i) => {
                if (
                    !m.sourcesContent?.[i] &&
                    !shipped(path.posix.join(path.posix.dirname(map), m.sourceRoot ?? "", s))
                ) {
                    dangling.push(`${map} -> ${s}`);
                }
            });
        }
        assert.deepStrictEqual(dangling, []);
    });

    it("names where the project lives, for the npm page (repository, homepage, bugs)", function () {
        const m = manifest as unknown as Record<string, { url?: string } | string | undefined>;
        const repo = "github.com/pulumi-filedrop/pulumi-filedrop";
        assert.match(String((m.repository as { url?: string })?.url), new RegExp(`${repo}\\.git$`));
        assert.match(String(m.homepage), new RegExp(repo));
        assert.match(String((m.bugs as { url?: string })?.url), new RegExp(`${repo}/issues$`));
    });

    it("finds the README's relative links (the check below would pass on nothing otherwise)", function () {
        const sample = [
            "[a](examples/nginx-site/index.ts) [b](https://github.com/x) [c](#anchor) [d](./docs/x.md#part 'T')",
            "[ref]: ./scripts/demo.sh",
            '<img src="bench/chart.svg"> <a href="mailto:a@b">m</a>',
            "```sh",
            "[not](a/link.md)",
            "```",
        ].join("\n");
        assert.deepStrictEqual(relativeLinks(sample).sort(), [
            "bench/chart.svg",
            "docs/x.md",
            "examples/nginx-site/index.ts",
            "scripts/demo.sh",
        ]);
    });

    it("has no relative link in the README to a file the tarball does not ship (use the repository's URL)", function () {
        const dangling = relativeLinks(read("README.md")).filter((target) => !shipped(target) && !shippedDir(target));
        assert.deepStrictEqual(dangling, [], "README links that lead nowhere for someone who ran npm install");
    });

    it("ships no tests, benches, scripts or TypeScript sources", function () {
        const extra = pkg.files.filter(
            (f) => /^(dist\/)?(test|bench|scripts|examples)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")),
        );
        assert.deepStrictEqual(extra, []);
    });
});
