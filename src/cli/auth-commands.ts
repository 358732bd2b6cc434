/**
 * @module `crane auth login | logout | get`: the credential store docker and podman share.
 */
import type { Command } from 'commander';
import type { ProgramIO } from './program.ts';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const c of process.stdin) text += (c as Buffer).toString('utf8');
  return text;
}

const auth = () => import('../crane/auth.ts');

export function registerAuthCommands(program: Command, io: ProgramIO, stdin: () => Promise<string> = readStdin): void {
  const a = program.command('auth').description('Log in or access credentials');

  a.command('login')
    .description('Log in to a registry')
    .argument('<server>')
    .option('-u, --username <username>', 'Username')
    .option('-p, --password <password>', 'Password')
    .option('--password-stdin', 'Take the password from stdin')
    .action(async (server: string, flags: { username?: string; password?: string; passwordStdin?: boolean }) => {
      let password = flags.password;
      if (flags.passwordStdin) password = (await stdin()).replace(/[\r\n]+$/, '');
      if (!flags.username || password === undefined) throw new Error('username and password required (-u and -p or --password-stdin)');
      const path = await (await auth()).login(server, flags.username, password);
      io.stderr(`logged in via ${path}\n`);
    });

  a.command('logout')
    .description('Log out of a registry')
    .argument('<server>')
    .action(async (server: string) => {
      const path = await (await auth()).logout(server);
      io.stderr(`logged out via ${path}\n`);
    });

  a.command('get')
    .description('Implements a credential helper')
    .argument('[registry]', 'registry address (else read from stdin, as a credential helper)')
    .action(async (registry?: string) => {
      const server = registry ?? (await stdin()).trim();
      const creds = await (await auth()).get(server);
      if (!creds) throw new Error('credentials not found in native keychain');
      io.stdout(`${JSON.stringify(creds)}\n`);
    });
}
