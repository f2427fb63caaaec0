/** What the bench checks after each run: the bytes on the server (same machine) are the source's, by SHA-256. */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** SHA-256 (hex) of a file, streamed. */
export function sha256File(file: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const h = createHash("sha256");
        fs.createReadStream(file, { highWaterMark: 1 << 20 })
            .on("data", (d) => h.update(d))
            .on("error", reject)
            .on("end", () => resolve(h.digest("hex")));
    });
}

/** Throws unless `remote` holds the same bytes as `local`. */
export async function sameFile(local: string, remote: string, what: string): Promise<void> {
    if (!fs.existsSync(remote)) {
        throw new Error(`${what}: ${remote} is missing`);
    }
    const [a, b] = await Promise.all([sha256File(local), sha256File(remote)]);
    if (a !== b) {
        throw new Error(`${what}: ${remote} differs from ${local} (SHA-256 ${b} ≠ ${a})`);
    }
}

/** Every regular file below `dir`, relative, sorted. */
function filesBelow(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) {
                walk(p);
            } else if (e.isFile()) {
                out.push(path.relative(dir, p));
            }
        }
    };
    walk(dir);
    return out.sort();
}

/** Throws unless `remote` has exactly the files of `local`, each with the same SHA-256. */
export async function sameTree(local: string, remote: string, what: string): Promise<void> {
    const a = filesBelow(local);
    const b = fs.existsSync(remote) ? filesBelow(remote) : [];
    if (a.join("\n") !== b.join("\n")) {
        throw new Error(`${what}: ${remote} has ${b.length} files, ${local} has ${a.length} (or other names)`);
    }
    for (const rel of a) {
        await sameFile(path.join(local, rel), path.join(remote, rel), what);
    }
}
