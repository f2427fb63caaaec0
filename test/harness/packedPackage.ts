/**
 * The package as users get it. `npm pack` runs in a clean copy of the repository (the files git tracks or would
 * track, without dist/ or anything ignored), so its `prepack` script compiles from scratch and nothing stale or
 * local can slip into the tarball; test programs then install that tarball, as users install from the registry
 * (SPEC §5a: the dynamic provider is serialized as `require("pulumi-filedrop/…")`, so only an installed copy tests
 * the path users take). The pack is made once per process and shared by the suites that need it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../../..");

export interface PackedPackage {
    /** Absolute path of the .tgz npm pack wrote. */
    tarball: string;
    /** Paths inside the tarball, relative to the package root (as `npm pack --json` lists them). */
    files: string[];
}

let packed: PackedPackage | undefined;

function log(msg: string): void {
    process.stderr.write(`[package] ${msg}\n`);
}

/**
 * Copies the repository as a fresh clone would have it (the files git tracks or would track, with the working
 * tree's changes; no dist/, node_modules or ignored files) to `dest`.
 */
export function copyCleanTree(dest: string): void {
    const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        cwd: REPO,
        encoding: "utf8",
    });
    for (const rel of listed.split("\0").filter(Boolean)) {
        const from = path.join(REPO, rel);
        if (fs.existsSync(from) && fs.statSync(from).isFile()) {
            fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
            fs.copyFileSync(from, path.join(dest, rel));
            fs.chmodSync(path.join(dest, rel), fs.statSync(from).mode);
        }
    }
}

/** Packs a clean copy of the repository once per process and returns the tarball. */
export function packFromCleanTree(): PackedPackage {
    if (packed) {
        return packed;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-pack-"));
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const tree = path.join(dir, "tree");
    copyCleanTree(tree);
    // The compiler and type packages come from the repository's own install; npm pack leaves node_modules out.
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(tree, "node_modules"));
    log(`npm pack of a clean copy of the repository (prepack compiles it) in ${tree}`);
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
        cwd: tree,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, npm_config_foreground_scripts: "false", npm_config_loglevel: "error" },
    });
    const json = JSON.parse(out.slice(out.indexOf("[")))[0] as { filename: string; files: { path: string }[] };
    packed = { tarball: path.join(dir, json.filename), files: json.files.map((f) => f.path).sort() };
    return packed;
}

/**
 * Installs the packed package and `@pulumi/pulumi@<pulumiVersion>` into `programsDir` (a folder whose subfolders
 * are Pulumi programs), with the given environment (its PATH decides which Node runs npm's scripts).
 */
export function installPackedPackage(
    programsDir: string,
    pulumiVersion: string,
    env: NodeJS.ProcessEnv = process.env,
): PackedPackage {
    const p = packFromCleanTree();
    fs.writeFileSync(
        path.join(programsDir, "package.json"),
        JSON.stringify({ name: "filedrop-test-programs", private: true }),
    );
    log(`installing ${path.basename(p.tarball)} and @pulumi/pulumi@${pulumiVersion} into ${programsDir}`);
    execFileSync(
        "npm",
        ["install", "--no-audit", "--no-fund", "--loglevel=error", p.tarball, `@pulumi/pulumi@${pulumiVersion}`],
        {
            cwd: programsDir,
            env,
            stdio: ["ignore", "ignore", "inherit"],
        },
    );
    return p;
}
