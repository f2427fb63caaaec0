#!/usr/bin/env node
/**
 * Turns `pulumi preview --json` into a short Markdown summary for a pull request comment: per pulumi-filedrop
 * resource, the server, the remote path, and what changes (files added/changed/removed for a RemoteTree, lines
 * added/removed for a text RemoteFile, "changed (secret: not shown)" for a secret). Plain Node, no dependencies.
 *
 *   pulumi preview --json > preview.json && node summarize.js preview.json > comment.md
 *   pulumi preview --json | node summarize.js > comment.md
 */

const fs = require("node:fs");

const KINDS = {
    "pulumi-nodejs:dynamic/filedrop:RemoteFile": "RemoteFile",
    "pulumi-nodejs:dynamic/filedrop:RemoteDirectory": "RemoteDirectory",
    "pulumi-nodejs:dynamic/filedrop:RemoteTree": "RemoteTree",
};
const OPS = {
    create: "+",
    update: "~",
    delete: "-",
    replace: "+-",
    "create-replacement": "+-",
    "delete-replaced": "-",
};
/** Most files listed per tree in the comment (the preview itself lists up to 50 per kind). */
const FILES_SHOWN = 20;
/** Inputs that are no change by themselves, or said better by `changes`. */
const QUIET = new Set(["__provider", "changes", "manifest", "problems", "sha256", "size", "sourceText", "credentials"]);

/** `sftp://deploy@10.0.0.5:22` from a resource's `connection` input. */
function serverOf(inputs) {
    const c = inputs.connection || {};
    const protocol = c.protocol || "sftp";
    return `${protocol}://${c.user ? `${c.user}@` : ""}${c.host || "?"}${c.port ? `:${c.port}` : ""}`;
}

/** Input keys whose values differ between two input objects (values compared as JSON). */
function changedKeys(olds, news) {
    const keys = new Set([...Object.keys(olds || {}), ...Object.keys(news || {})]);
    return [...keys].filter((k) => !QUIET.has(k) && JSON.stringify(olds?.[k]) !== JSON.stringify(news?.[k])).sort();
}

function cell(text) {
    return String(text).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** One table row and, for a tree, its list of files. */
function describe(step) {
    const state = step.newState || step.oldState;
    const kind = KINDS[state.type];
    const inputs = state.inputs || {};
    const name = step.urn.split("::").pop();
    const changes = step.op === "update" || step.op === "replace" ? (step.newState?.inputs?.changes ?? {}) : {};
    const what = [];
    let lines = "";
    if (step.op === "create" || step.op === "create-replacement") {
        what.push("new");
    } else if (step.op === "delete" || step.op === "delete-replaced") {
        what.push("removed from the stack");
    }
    if (changes.summary) {
        what.push(changes.summary);
    }
    if (changes.linesAdded !== undefined) {
        lines = `+${changes.linesAdded} −${changes.linesRemoved}`;
    }
    if (step.op === "update" || step.op === "replace") {
        const keys = changedKeys(step.oldState?.inputs, step.newState?.inputs);
        if (keys.length > 0) {
            what.push(`changed: ${keys.join(", ")}`);
        }
    }
    const files = [
        ...(changes.added || []).map((f) => `+ ${f}`),
        ...(changes.changed || []).map((f) => `~ ${f}`),
        ...(changes.removed || []).map((f) => `- ${f}`),
    ];
    const row = `| ${OPS[step.op] || step.op} | ${kind} \`${cell(name)}\` | ${cell(serverOf(inputs))} | \`${cell(inputs.path || inputs.destination || "")}\` | ${cell(what.join("; ") || "changed")} | ${lines} |`;
    return { row, name, files };
}

/** The Markdown summary of a parsed `pulumi preview --json`. */
function summarize(preview) {
    const steps = (preview.steps || []).filter((s) => s.op !== "same" && KINDS[(s.newState || s.oldState)?.type]);
    const counts = Object.entries(preview.changeSummary || {})
        .filter(([op]) => op !== "same")
        .map(([op, n]) => `${n} to ${op}`);
    const out = [`### pulumi-filedrop preview: ${counts.join(", ") || "no changes"}`, ""];
    if (steps.length === 0) {
        out.push("No file on any server changes.");
        return `${out.join("\n")}\n`;
    }
    out.push("| | resource | server | path | what changes | lines |", "|---|---|---|---|---|---|");
    const described = steps.map(describe);
    out.push(...described.map((d) => d.row));
    for (const d of described.filter((x) => x.files.length > 0)) {
        const shown = d.files.slice(0, FILES_SHOWN);
        const more = d.files.length - shown.length;
        out.push("", `<details><summary><code>${d.name}</code>: ${d.files.length} file(s)</summary>`, "");
        out.push(...shown.map((f) => `- \`${f}\``));
        if (more > 0) {
            out.push(`- … and ${more} more`);
        }
        out.push("", "</details>");
    }
    const warnings = (preview.diagnostics || []).filter((d) => d.severity === "warning").map((d) => d.message.trim());
    for (const w of [...new Set(warnings)]) {
        out.push("", `> ⚠️ ${w}`);
    }
    return `${out.join("\n")}\n`;
}

module.exports = { summarize };

if (require.main === module) {
    const text = fs.readFileSync(process.argv[2] || 0, "utf8");
    process.stdout.write(summarize(JSON.parse(text)));
}
