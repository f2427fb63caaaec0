/**
 * The `filedrop` plugin's entry point: the package's `plugin/` folder (PulumiPlugin.yaml, `runtime: nodejs`) loads
 * this file, which serves the provider on the port it prints (see docs/plugin.md).
 */
import { markPluginProcess } from "../engineGone";
import { messageOf } from "../errors";
import { filedropProvider } from "./provider";
import { serve } from "./server";

markPluginProcess();
serve(filedropProvider(), process.argv.slice(2)).catch((e: unknown) => {
    console.error(`filedrop plugin: ${messageOf(e)}`);
    process.exit(1);
});
