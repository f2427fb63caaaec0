/**
 * The Pulumi YAML program of the language tests, as a user writes it: Pulumi.yaml names the plugin folder of the
 * installed package under `packages:` and declares the site of languageSite.ts on each server. The credentials
 * and the page's text are config values (`pulumi config set [--secret]`), the local tree is `./assets`.
 */
import { assetFiles, CONF, type SiteServer, sitePaths } from "./languageSite";

const q = (v: string | number) => (typeof v === "number" ? String(v) : JSON.stringify(v));

/** The program's files (Pulumi.yaml and assets/), by path in the program folder. */
export function yamlProgram(name: string, pluginFolder: string, servers: SiteServer[]): Record<string, string> {
    const lines = [
        `name: ${name}`,
        "runtime: yaml",
        "packages:",
        `  filedrop: ${pluginFolder}`,
        "config:",
        "  greeting:",
        "    type: string",
    ];
    for (const s of servers) {
        lines.push(`  ${s.prefix}Secret:`, "    type: string", "    secret: true");
    }
    lines.push("variables:");
    for (const s of servers) {
        lines.push(`  ${s.prefix}:`);
        for (const [k, v] of Object.entries(s.connection)) {
            lines.push(`    ${k}: ${q(v)}`);
        }
        lines.push(`    ${s.secretField}: \${${s.prefix}Secret}`);
        if (s.caFile) {
            lines.push("    ca:", `      fn::readFile: ${q(s.caFile)}`);
        }
    }
    lines.push("resources:");
    for (const s of servers) {
        const p = sitePaths(s);
        const c = `      connection: \${${s.prefix}}`;
        lines.push(
            `  ${s.prefix}Site:`,
            "    type: filedrop:index:RemoteDirectory",
            "    properties:",
            c,
            `      path: ${q(p.www)}`,
            `  ${s.prefix}Page:`,
            "    type: filedrop:index:RemoteFile",
            "    properties:",
            c,
            `      path: ${q(p.page)}`,
            `      content: \${greeting}`,
            '      mode: "0644"',
            "    options:",
            "      dependsOn:",
            `        - \${${s.prefix}Site}`,
            `  ${s.prefix}Assets:`,
            "    type: filedrop:index:RemoteTree",
            "    properties:",
            c,
            "      source: ./assets",
            `      destination: ${q(p.assets)}`,
            "    options:",
            "      dependsOn:",
            `        - \${${s.prefix}Site}`,
            `  ${s.prefix}Conf:`,
            "    type: filedrop:index:RemoteFile",
            "    properties:",
            c,
            `      path: ${q(p.conf)}`,
            `      content: ${q(CONF.managed)}`,
            "      onDelete: restore",
            `  ${s.prefix}Motd:`,
            "    type: filedrop:index:RemoteDownload",
            "    properties:",
            c,
            `      path: ${q(p.motd)}`,
        );
    }
    lines.push("outputs:");
    for (const s of servers) {
        lines.push(
            `  ${s.prefix}Motd: \${${s.prefix}Motd.content}`,
            `  ${s.prefix}PageSha256: \${${s.prefix}Page.sha256}`,
        );
    }
    return { "Pulumi.yaml": `${lines.join("\n")}\n`, ...assetFiles() };
}
