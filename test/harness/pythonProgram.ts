/**
 * The Python program of the language tests, as a user writes it: `__main__.py` importing the SDK that
 * `pulumi package add <plugin folder>` generates into `sdks/filedrop`, declaring the site of languageSite.ts on
 * each server, with the credentials and the page's text from config (`pulumi config set [--secret]`) and the local
 * tree in `./assets`.
 *
 * Virtualenvs: scripts/python.sh makes once the shared one (pip `pulumi==<line version>`, parver, semver,
 * setuptools, wheel). Each program gets its own `venv/` (Pulumi.yaml `virtualenv: venv`) made without pip and with a
 * .pth file that puts the shared one's packages on its path: `pulumi package add` then installs the generated SDK
 * into the program's venv in a second or two, offline (PIP_NO_INDEX: everything it needs is already there), and the
 * shared virtualenv never changes.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { assetFiles, CONF, type SiteServer } from "./languageSite";
import { REPO } from "./servers/paths";
import type { TestStack } from "./stack";
import type { World } from "./world";

const q = (v: string | number) => (typeof v === "number" ? String(v) : JSON.stringify(v));
/** A connection field's name as the generated Python SDK spells it (`knownHosts` → `known_hosts`). */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The program's files (Pulumi.yaml, requirements.txt, __main__.py, assets/), by path in the program folder. */
export function pythonProgram(name: string, servers: SiteServer[]): Record<string, string> {
    const sites = servers.map((s) => {
        const fields = Object.entries(s.connection).map(([k, v]) => `    "${snake(k)}": ${q(v)},`);
        fields.push(`    "${snake(s.secretField)}": config.require_secret("${s.prefix}Secret"),`);
        if (s.caFile) {
            fields.push(`    "ca": open(${q(s.caFile)}).read(),`);
        }
        return [`${s.prefix} = {`, ...fields, "}", `site("${s.prefix}", ${s.prefix}, ${q(s.root)})`, ""].join("\n");
    });
    const main = `import pulumi
import pulumi_filedrop as filedrop

config = pulumi.Config()
greeting = config.require("greeting")


def site(prefix, connection, root):
    www = filedrop.RemoteDirectory(f"{prefix}Site", connection=connection, path=f"{root}/www")
    inside = pulumi.ResourceOptions(depends_on=[www])
    page = filedrop.RemoteFile(
        f"{prefix}Page", connection=connection, path=f"{root}/www/index.html", content=greeting, mode="0644", opts=inside
    )
    filedrop.RemoteTree(
        f"{prefix}Assets", connection=connection, source="assets", destination=f"{root}/www/assets", opts=inside
    )
    filedrop.RemoteFile(
        f"{prefix}Conf", connection=connection, path=f"{root}/app.conf", content=${q(CONF.managed)}, on_delete="restore"
    )
    motd = filedrop.RemoteDownload(f"{prefix}Motd", connection=connection, path=f"{root}/motd.txt")
    pulumi.export(f"{prefix}Motd", motd.content)
    pulumi.export(f"{prefix}PageSha256", page.sha256)


${sites.join("\n")}`;
    return {
        "Pulumi.yaml": `name: ${name}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n`,
        "requirements.txt": "",
        "__main__.py": main,
        ...assetFiles(),
    };
}

/** The shared virtualenv (FILEDROP_PYTHON_VENV, else scripts/python.sh for the world's line). */
export function sharedVenv(w: World): string {
    const given = process.env.FILEDROP_PYTHON_VENV;
    if (given) {
        return given;
    }
    const out = execFileSync("bash", [path.join(REPO, "scripts/python.sh"), w.line.pulumiVersion], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    return out.trim().split("\n").pop()!;
}

/**
 * Makes the program's own virtualenv (seeing the shared one's packages) and runs `pulumi package add
 * <pluginFolder>` in the program folder, as a user adds the package; fails with the CLI's output if it fails.
 */
export async function addPackage(stack: TestStack, w: World, pluginFolder: string): Promise<void> {
    const shared = sharedVenv(w);
    const venv = path.join(stack.dir, "venv");
    // The shared virtualenv's interpreter makes the new one from the same base Python, so the versions match.
    execFileSync(path.join(shared, "bin", "python"), ["-m", "venv", "--without-pip", venv], { stdio: "inherit" });
    const purelib = (python: string) =>
        execFileSync(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], {
            encoding: "utf8",
        }).trim();
    fs.writeFileSync(
        path.join(purelib(path.join(venv, "bin", "python")), "filedrop-shared.pth"),
        `${purelib(path.join(shared, "bin", "python"))}\n`,
    );
    Object.assign(stack.env, { PIP_NO_INDEX: "1", PIP_NO_BUILD_ISOLATION: "1", PIP_DISABLE_PIP_VERSION_CHECK: "1" });
    const r = await stack.runPulumi(["package", "add", pluginFolder]);
    if (r.code !== 0 || !fs.existsSync(path.join(stack.dir, "sdks", "filedrop"))) {
        throw new Error(`pulumi package add ${pluginFolder} failed (exit ${r.code}):\n${r.output}`);
    }
}
