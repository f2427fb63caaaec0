/**
 * The `filedrop` plugin's entry point: the package's `plugin/` folder (PulumiPlugin.yaml, `runtime: nodejs`) loads
 * this file, which serves the provider on the port it prints (see docs/plugin.md).
 */
import { engineAddressOf, markPluginProcess } from "../engineGone";
import { sendProgressTo } from "../engineReport";
import { messageOf } from "../errors";
import { sendWarningsTo } from "../warnings";
import { filedropProvider } from "./provider";
import { engineLog, serve } from "./server";

markPluginProcess();
// What the plugin writes on stderr or stdout the CLI does not show (unlike a dynamic provider's): warnings and
// progress lines go to the engine's log instead, at the address the engine started the plugin with.
const engine = engineAddressOf();
if (engine !== undefined) {
    const log = engineLog(engine);
    sendWarningsTo((line) => log("warning", line));
    sendProgressTo((line) => log("status", line));
}
serve(filedropProvider(), process.argv.slice(2)).catch((e: unknown) => {
    console.error(`filedrop plugin: ${messageOf(e)}`);
    process.exit(1);
});
