/**
 * An earlier release of the package, as its users have it installed: the files of a git commit, packed with
 * `npm pack` (its own `prepack` compiles them) and installed with `@pulumi/pulumi` into a programs folder. Upgrade
 * tests write a state with it, then install the current package (packedPackage.ts) over it, as a user upgrades.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "./servers/paths";

function log(msg: string): void {
    process.stderr.write(`[package] ${msg}\n`);
}

/** Packs the package as it was at `commit` (a fresh copy of that commit's files) and returns the tarball. */
export function packCommit(commit: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-release-"));
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const tree = path.join(dir, "tree");
    fs.mkdirSync(tree);
    const archive = path.join(dir, "tree.tar");
    execFileSync("git", ["archive", "--format=tar", "-o", archive, commit], { cwd: REPO, stdio: "inherit" });
    execFileSync("tar", ["-xf", archive, "-C", tree], { stdio: "inherit" });
    // The compiler and type packages come from the repository's own install, as for the current package.
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(tree, "node_modules"));
    log(`npm pack of commit ${commit.slice(0, 12)} in ${tree}`);
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
        cwd: tree,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, npm_config_foreground_scripts: "false", npm_config_loglevel: "error" },
    });
    return path.join(dir, (JSON.parse(out.slice(out.indexOf("[")))[0] as { filename: string }).filename);
}

/** `npm install`s the given tarballs (and packages) into `dir`, a programs folder made if needed. */
export function npmInstall(dir: string, packages: string[], env: NodeJS.ProcessEnv = process.env): void {
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(path.join(dir, "package.json"))) {
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "filedrop-upgrade-programs" }));
    }
    log(`installing ${packages.map((p) => path.basename(p)).join(", ")} into ${dir}`);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...packages], {
        cwd: dir,
        env,
        stdio: ["ignore", "ignore", "inherit"],
    });
}
