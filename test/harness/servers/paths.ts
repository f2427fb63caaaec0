/** Where the harness finds the repository (it runs as dist/test/harness/servers/*.js) and its template files. */
import * as path from "node:path";

/** The repository root. */
export const REPO = path.resolve(__dirname, "../../../..");

/** The folder of the server configuration templates (read from the sources: tsc does not copy them to dist). */
export const TEMPLATES = path.join(REPO, "test/harness/servers/templates");
