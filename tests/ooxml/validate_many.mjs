// Validate several files in one process (the validator's .NET runtime starts once) and print one JSON object:
// {"<path>": [errors...], ...}. Used by tests/test_ooxml_validation.py.
// Usage: node validate_many.mjs [--office-version Office2016] FILE...   (default Microsoft365; the validator also
// knows Office2007, Office2010, Office2013, Office2019 and Office2021). Add-ins (.xlam) are SpreadsheetML packages:
// they are validated as "xlsx".
import { readFile } from "node:fs/promises";
import validate from "@ooxml-tools/validate";

const args = process.argv.slice(2);
let officeVersion = "Microsoft365";
const flag = args.indexOf("--office-version");
if (flag >= 0) {
  officeVersion = args[flag + 1];
  args.splice(flag, 2);
}
const results = {};
for (const path of args) {
  const bytes = new Uint8Array(await readFile(path));
  results[path] = await validate(bytes, "xlsx", officeVersion);
}
process.stdout.write(JSON.stringify(results));
