// Validate several files in one process (the validator's .NET runtime starts once) and print one JSON object:
// {"<office version>": {"<path>": [errors...], ...}, ...}. Used by tests/ooxml_support.py.
// Usage: node validate_many.mjs [--office-version V] FILE... [--office-version V2 FILE...]...
// Each --office-version applies to the files after it (before any: Microsoft365); the validator also knows
// Office2007, Office2010, Office2013, Office2016, Office2019 and Office2021. Starting the validator costs several
// seconds, so a caller hands it everything at once, one file under several versions if it needs to.
// Add-ins (.xlam) are SpreadsheetML packages: they are validated as "xlsx".
import { readFile } from "node:fs/promises";
import validate from "@ooxml-tools/validate";

const args = process.argv.slice(2);
let officeVersion = "Microsoft365";
const results = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--office-version") {
    officeVersion = args[++i];
    continue;
  }
  const bytes = new Uint8Array(await readFile(args[i]));
  results[officeVersion] ??= {};
  results[officeVersion][args[i]] = await validate(bytes, "xlsx", officeVersion);
}
process.stdout.write(JSON.stringify(results));
