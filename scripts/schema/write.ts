/** `npm run schema`: writes plugin/schema.json from the SDK's declarations (generate.ts). */
import * as fs from "node:fs";
import * as path from "node:path";
import { schemaJson } from "./generate";

const root = path.join(__dirname, "..", "..", "..");
const file = path.join(root, "plugin", "schema.json");
fs.writeFileSync(file, schemaJson(root));
console.log(`wrote ${path.relative(root, file)} (${fs.statSync(file).size} bytes)`);
