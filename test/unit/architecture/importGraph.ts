/**
 * The import graph of provider/ and sdk/, read from the TypeScript sources with the compiler's own scanner
 * (`ts.preProcessFile`: static, type-only, dynamic `import()` and `require` imports alike), and the floor plan it is
 * checked against. `node dist/test/unit/architecture/importGraph.js` prints the upward imports and cycles it finds.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** One import: `from` imports `to` (paths relative to the repository root, with `.ts`). */
export interface ImportEdge {
    readonly from: string;
    readonly to: string;
}

/**
 * The floors, top first (CONTRIBUTING.md, "Floor plan"). An import may point at its own floor or one below, never
 * above; the SDK, which runs in the user's program, may import the provider's faces, `plan/`, `trust/` (known_hosts
 * and key parsing: `commandConnection()` pins @pulumi/command's `hostKey` with it), `progress/` and the ground floor,
 * never the code that opens connections or runs handlers.
 */
export const FLOORS: readonly { readonly name: string; readonly match: (path: string) => boolean }[] = [
    { name: "sdk", match: (p) => p.startsWith("sdk/") },
    {
        name: "faces",
        match: (p) =>
            p === "provider/index.ts" || p.startsWith("provider/providers/") || p.startsWith("provider/plugin/"),
    },
    { name: "audit", match: (p) => p.startsWith("provider/audit/") },
    { name: "handlers", match: (p) => p.startsWith("provider/handlers/") },
    { name: "ops", match: (p) => p.startsWith("provider/ops/") },
    { name: "plan", match: (p) => p.startsWith("provider/plan/") },
    { name: "transport", match: (p) => p.startsWith("provider/transport/") },
    { name: "trust", match: (p) => p.startsWith("provider/trust/") },
    { name: "progress", match: (p) => p.startsWith("provider/progress/") },
    { name: "ground", match: (p) => /^provider\/[^/]+\.ts$/.test(p) },
];

/** Provider floors the SDK may import from (what runs in a user's program: no connection, no handler). */
const SDK_REACH = new Set(["faces", "plan", "trust", "progress", "ground"]);

/** The floor index of a file: 0 is the top. */
export function floorOf(path: string): number {
    const i = FLOORS.findIndex((f) => f.match(path));
    if (i < 0) {
        throw new Error(`${path} is on no floor: add it to FLOORS in test/unit/architecture/importGraph.ts`);
    }
    return i;
}

/** The repository root: the nearest folder above this file with a package.json. */
export function repositoryRoot(from = __dirname): string {
    let dir = resolve(from);
    while (!existsSync(join(dir, "package.json")) || existsSync(join(dir, "dist", "package.json"))) {
        if (dirname(dir) === dir) {
            throw new Error(`no package.json above ${from}`);
        }
        dir = dirname(dir);
    }
    return dir;
}

function sourcesUnder(root: string, folder: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const name of readdirSync(dir).sort()) {
            const p = join(dir, name);
            if (statSync(p).isDirectory()) {
                walk(p);
            } else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) {
                out.push(relative(root, p));
            }
        }
    };
    walk(join(root, folder));
    return out;
}

function resolveRelative(root: string, from: string, spec: string): string | undefined {
    const base = resolve(root, dirname(from), spec);
    for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) {
        if (candidate.endsWith(".ts") && existsSync(candidate)) {
            return relative(root, candidate);
        }
    }
    return undefined;
}

/** Every relative import between the TypeScript files of provider/ and sdk/. */
export function importEdges(root = repositoryRoot()): ImportEdge[] {
    const edges: ImportEdge[] = [];
    for (const from of [...sourcesUnder(root, "provider"), ...sourcesUnder(root, "sdk")]) {
        const info = ts.preProcessFile(readFileSync(join(root, from), "utf8"), true, true);
        for (const imported of info.importedFiles) {
            if (!imported.fileName.startsWith(".")) {
                continue;
            }
            const to = resolveRelative(root, from, imported.fileName);
            if (to === undefined) {
                throw new Error(`${from} imports ${imported.fileName}, which resolves to no .ts file`);
            }
            if (!edges.some((e) => e.from === from && e.to === to)) {
                edges.push({ from, to });
            }
        }
    }
    return edges;
}

/** The imports that point up the floors (or, from the SDK, past `plan/`). */
export function upwardImports(edges: readonly ImportEdge[]): ImportEdge[] {
    return edges.filter((e) => {
        const from = floorOf(e.from);
        const to = floorOf(e.to);
        if (FLOORS[from].name === "sdk" && FLOORS[to].name !== "sdk") {
            return !SDK_REACH.has(FLOORS[to].name);
        }
        return to < from;
    });
}

/** The cycles: each strongly connected set of more than one file (Tarjan), files sorted. */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
    const next = new Map<string, string[]>();
    for (const e of edges) {
        next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    }
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
        index.set(v, index.size);
        low.set(v, index.get(v)!);
        stack.push(v);
        onStack.add(v);
        for (const w of next.get(v) ?? []) {
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v)!, index.get(w)!));
            }
        }
        if (low.get(v) === index.get(v)) {
            const set: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                set.push(w);
            } while (w !== v);
            if (set.length > 1) {
                cycles.push(set.sort());
            }
        }
    };
    for (const v of [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort()) {
        if (!index.has(v)) {
            visit(v);
        }
    }
    return cycles;
}

if (require.main === module) {
    const edges = importEdges();
    const up = upwardImports(edges);
    const cycles = importCycles(edges);
    for (const e of up) {
        console.log(`upward: ${e.from} (${FLOORS[floorOf(e.from)].name}) → ${e.to} (${FLOORS[floorOf(e.to)].name})`);
    }
    for (const c of cycles) {
        console.log(`cycle of ${c.length} files: ${c.join(", ")}`);
    }
    console.log(`${edges.length} imports, ${up.length} upward, ${cycles.length} cycles`);
}
