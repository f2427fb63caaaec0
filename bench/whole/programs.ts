/**
 * The bench's yardstick programs, plain JavaScript like the test programs (test/harness/programs.ts): an empty
 * stack, and N dynamic resources whose provider does nothing (Pulumi's own floor for dynamic resources: the same
 * engine, language host, dynamic-provider host and serialization path as ours, with no work in the provider).
 */

/** A program with no resources. */
export const emptyProgram = "module.exports = {};\n";

/** settings.count dynamic resources of 1 KiB of input each, whose provider returns its inputs. */
export const noopProgram = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const provider = {
    async create(inputs) { return { id: inputs.name, outs: inputs }; },
    async diff(id, olds, news) { return { changes: olds.content !== news.content }; },
    async update(id, olds, news) { return { outs: news }; },
};
class Noop extends pulumi.dynamic.Resource {
    constructor(name, props) { super(provider, name, props, undefined, "bench", "Noop"); }
}
for (let i = 0; i < s.count; i++) new Noop("n" + i, { name: "n" + i, content: "x".repeat(1024) });
module.exports = {};
`;
