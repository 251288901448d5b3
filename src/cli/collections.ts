import { ConfigError, loadConfig } from '../config/load';
import { runCollectionsCommand } from './collectionsCommand';

/** `npm run collections -- …`: the administrators' view of the catalogue (see collectionsCommand.ts). */
runCollectionsCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  config: () => loadConfig(),
}).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const message = e instanceof ConfigError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`collections: ${message}\n`);
    process.exit(1);
  },
);
