/**
 * Every link in the Markdown files works where it is read: a relative link names a file (and heading) that exists,
 * a link to this repository on GitHub (…/blob/main/<path>, …/tree/main/<path>) names a path that exists, and
 * README.md, which npm shows on the package's page without the rest of the repository, links with relative paths
 * only to files the package ships (package.json `files`); everything else there needs the absolute GitHub URL.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../../..");
const GITHUB = /^https:\/\/github\.com\/pulumi-filedrop\/pulumi-filedrop\/(?:blob|tree)\/main\/([^#?]*)(?:#(.*))?$/;
const SKIP = new Set(["node_modules", "dist", ".git"]);

function markdownFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
            return SKIP.has(e.name) || e.name.startsWith(".") ? [] : markdownFiles(p);
        }
        return e.name.endsWith(".md") ? [p] : [];
    });
}

/** The lines of a Markdown file outside fenced code blocks, with inline code spans removed. */
function prose(text: string): string[] {
    let fenced = false;
    return text.split("\n").flatMap((line) => {
        if (line.trimStart().startsWith("```")) {
            fenced = !fenced;
            return [];
        }
        return fenced ? [] : [line.replace(/``.*?``|`[^`]*`/g, "")];
    });
}

/** GitHub's anchors of a file's headings ("## Checks: `validate`" → "checks-validate"), with -1, -2 for repeats. */
function anchors(file: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    let fenced = false;
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (line.trimStart().startsWith("```")) {
            fenced = !fenced;
        }
        const m = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
        if (m) {
            const slug = m[1]
                .trim()
                .toLowerCase()
                .replace(/[^\p{L}\p{N}\s_-]/gu, "")
                .replace(/\s/g, "-");
            const n = seen.get(slug) ?? 0;
            seen.set(slug, n + 1);
            out.add(n === 0 ? slug : `${slug}-${n}`);
        }
    }
    return out;
}

/** What is wrong with one link of `file`, or undefined. */
function problem(file: string, target: string, shipped: (p: string) => boolean): string | undefined {
    const github = GITHUB.exec(target);
    let resolved: string;
    let anchor: string | undefined;
    if (github) {
        resolved = path.join(REPO, decodeURIComponent(github[1]));
        anchor = github[2];
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        return undefined; // another site, mailto: …
    } else {
        const [p, a] = target.split("#");
        resolved = p === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(p));
        anchor = a;
        if (path.basename(file) === "README.md" && path.dirname(file) === REPO && p !== "" && !shipped(resolved)) {
            return "is not in the npm package, so it is broken on the package's page: use the https://github.com/pulumi-filedrop/pulumi-filedrop/blob/main/… URL";
        }
    }
    if (!fs.existsSync(resolved)) {
        return `names ${path.relative(REPO, resolved)}, which does not exist`;
    }
    if (anchor && resolved.endsWith(".md") && !anchors(resolved).has(anchor)) {
        return `names the heading #${anchor}, which ${path.relative(REPO, resolved)} does not have`;
    }
    return undefined;
}

describe("documentation links", function () {
    const files = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { files: string[] }).files;
    const shipped = (p: string) =>
        files.some((f) => {
            const rel = path.relative(path.join(REPO, f), p);
            return rel === "" || !(rel.startsWith("..") || path.isAbsolute(rel));
        });

    it("every Markdown link works, from GitHub and (README.md) from the npm page", function () {
        const bad: string[] = [];
        const md = markdownFiles(REPO);
        assert.ok(md.includes(path.join(REPO, "README.md")) && md.length > 5, `found only ${md}`);
        for (const file of md) {
            prose(fs.readFileSync(file, "utf8")).forEach((line) => {
                for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
                    const why = problem(file, m[1], shipped);
                    if (why) {
                        bad.push(`${path.relative(REPO, file)}: (${m[1]}) ${why}`);
                    }
                }
            });
        }
        assert.deepStrictEqual(bad, []);
    });
});
