// Validate several .xlsx files in one process (the validator's .NET runtime starts once) and
// print one JSON object: {"<path>": [errors...], ...}. Used by tests/test_ooxml_validation.py.
import { readFile } from "node:fs/promises";
import validate from "@ooxml-tools/validate";

const results = {};
for (const path of process.argv.slice(2)) {
  const bytes = new Uint8Array(await readFile(path));
  results[path] = await validate(bytes, "xlsx", "Microsoft365");
}
process.stdout.write(JSON.stringify(results));
