/** Server configuration files are templates in ./templates with `${NAME}` placeholders, filled in here. */
import * as fs from "node:fs";
import * as path from "node:path";
import { TEMPLATES } from "./paths";

/**
 * Renders `templates/<name>` with `vars` and writes it to `dest` (mode 0600: configs name key files). An unknown or
 * unused placeholder is an error, so a template and its caller cannot drift apart silently.
 */
export function writeTemplate(name: string, dest: string, vars: Record<string, string | number>): void {
    const text = fs.readFileSync(path.join(TEMPLATES, name), "utf8");
    const used = new Set<string>();
    const out = text.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, key: string) => {
        if (!(key in vars)) {
            throw new Error(`template ${name} needs \${${key}}`);
        }
        used.add(key);
        return String(vars[key]);
    });
    const unused = Object.keys(vars).filter((k) => !used.has(k));
    if (unused.length > 0) {
        throw new Error(`template ${name} has no placeholder for ${unused.join(", ")}`);
    }
    fs.writeFileSync(dest, out, { mode: 0o600 });
}
