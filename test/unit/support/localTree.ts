/** A local source folder for tree tests, removed after the test. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Makes a temporary folder holding `files` (relative path -> content; mode 0755 for names ending in .sh). */
export function localTree(files: Record<string, string | Buffer>): {
    dir: string;
    write: (rel: string, content: string) => void;
    remove: () => void;
} {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-unit-"));
    const write = (rel: string, content: string | Buffer) => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content, { mode: rel.endsWith(".sh") ? 0o755 : 0o644 });
    };
    for (const [rel, content] of Object.entries(files)) {
        write(rel, content);
    }
    return { dir, write, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
