import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { UserStore } from './UserStore';

export const DEMO_USER = 'demo';

/**
 * On the first start of a demo server, creates the `demo` account with a random password
 * and prints it once. A production configuration never gets here.
 */
export async function ensureDemoAccount(users: UserStore, logger: Logger): Promise<void> {
  if (users.findByName(DEMO_USER)) return;
  const password = randomBytes(9).toString('base64url');
  await users.add(DEMO_USER, password);
  const line = '-'.repeat(64);
  process.stdout.write(
    `${line}\nDemo account created (shown only this once):\n  user: ${DEMO_USER}\n  password: ${password}\n` +
      `Change it with: npm run users -- passwd ${DEMO_USER} --password <new password>\n${line}\n`,
  );
  logger.info({ user: DEMO_USER }, 'demo account created');
}
