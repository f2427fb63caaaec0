// The `filedrop` provider plugin: Pulumi's Node.js language host runs this folder (PulumiPlugin.yaml). The code is
// the package's own (dist/provider/plugin/main.js); @pulumi/pulumi resolves from the program's node_modules.
require("../dist/provider/plugin/main");
