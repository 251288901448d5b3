import { ConfigError, loadConfig } from '../config/load';
import { createLogger } from '../logger';
import { createContext, closeContext } from '../server';
import { option } from './options';

const USAGE = `Manage the accounts of this openEO server.

  npm run users -- list
  npm run users -- add <name> --password <password> [--email <address>] [--quota <bytes>]
  npm run users -- passwd <name> --password <password>
  npm run users -- remove <name>

Without --password, add and passwd read the password from the OPENEO_PASSWORD environment variable.`;

function password(args: string[]): string {
  const value = option(args, '--password') ?? process.env.OPENEO_PASSWORD;
  if (!value) throw new Error('give the password with --password <password> (or OPENEO_PASSWORD)');
  return value;
}

async function run(args: string[]): Promise<number> {
  const [command, name] = args;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const config = loadConfig();
  const ctx = await createContext(config, createLogger('warn'));
  try {
    switch (command) {
      case 'list': {
        for (const u of ctx.users.list()) process.stdout.write(`${u.name}\t${u.id}\t${u.email ?? ''}\t${u.created}\n`);
        return 0;
      }
      case 'add': {
        if (!name) throw new Error('add needs a user name');
        const quota = option(args, '--quota');
        if (quota !== undefined && !/^\d+$/.test(quota)) throw new Error('--quota takes a number of bytes');
        const user = await ctx.users.add(name, password(args), {
          email: option(args, '--email'),
          storageQuota: quota === undefined ? undefined : Number(quota),
        });
        process.stdout.write(`added user ${user.name} (${user.id})\n`);
        return 0;
      }
      case 'passwd': {
        if (!name) throw new Error('passwd needs a user name');
        await ctx.users.setPassword(name, password(args));
        process.stdout.write(`password of ${name} changed; existing tokens were revoked\n`);
        return 0;
      }
      case 'remove': {
        if (!name) throw new Error('remove needs a user name');
        if (!ctx.users.remove(name)) throw new Error(`there is no user '${name}'`);
        process.stdout.write(`removed user ${name}\n`);
        return 0;
      }
      default:
        throw new Error(`unknown command '${command}'\n\n${USAGE}`);
    }
  } finally {
    closeContext(ctx);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const message = e instanceof ConfigError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`users: ${message}\n`);
    process.exit(1);
  },
);
