/**
 * `npm run conformance -- <dir> [--check list.json] [--update list.json] [--verbose]`
 * Runs the openEO process conformance cases in <dir>; see src/processes/conformance/command.ts.
 */
import { createProcessRegistry } from '../processes';
import { conformanceCommand } from '../tools/conformance/command';

conformanceCommand(process.argv.slice(2), createProcessRegistry(), { log: console.log, error: console.error }).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
