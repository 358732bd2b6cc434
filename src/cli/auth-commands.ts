/**
 * @module `crane auth login | logout | get`: the credential store docker and podman share.
 */
import type { Command } from 'commander';
import type { ProgramIO } from './program.ts';
import { optionsFrom } from './globals.ts';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const c of process.stdin) text += (c as Buffer).toString('utf8');
  return text;
}

const auth = () => import('../crane/auth.ts');

/** Exit with `code` after the command printed its own answer (no `Error:` line). */
export class SilentExit extends Error {
  readonly exitCode: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.exitCode = code;
  }
}

export function registerAuthCommands(program: Command, io: ProgramIO, stdin: () => Promise<string> = readStdin): void {
  const a = program.command('auth').description('Log in or access credentials');
  registerTokenCommand(a, io, (cmd) => optionsFrom(cmd, io));

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
      if (!creds) {
        // A credential helper answers "not found" on stdout: docker's client reads it from there.
        io.stdout('credentials not found in native keychain\n');
        throw new SilentExit(1);
      }
      io.stdout(`${JSON.stringify(creds)}\n`);
    });
}

export function registerTokenCommand(auth: import('commander').Command, io: ProgramIO, options: (cmd: import('commander').Command) => object): void {
  auth
    .command('token')
    .description('Retrieves a token for a remote repo')
    .argument('<repo>')
    .option('-H, --header', 'Output in header format (Authorization: Bearer <token>)')
    .option('-m, --mount <repo>', 'Scopes to mount from', (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)])
    .option('--push', 'Request push scopes')
    .action(async function (this: import('commander').Command, repo: string, flags: { header?: boolean; mount?: string[]; push?: boolean }) {
      const { token } = await import('../crane/token.ts');
      const t = await token(repo, { ...options(this), ...(flags.push ? { push: true } : {}), ...(flags.mount ? { mounts: flags.mount } : {}) });
      io.stdout(flags.header ? `Authorization: Bearer ${t.token}` : `${JSON.stringify(t)}\n`);
    });
}
