// crane auth login/get/logout with a temporary Docker config, and a basic-auth registry that
// crane then reaches with the stored credentials (the default keychain).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { buildProgram } from './program.ts';
import { listen, type RunningRegistry } from '../registry/server.ts';
import { serverAuth } from '../registry/auth/server-auth.ts';
import { parseAuthConfig } from '../registry/auth/access.ts';
import * as remote from '../remote/index.ts';
import * as random from '../random/index.ts';
import { basic } from '../authn/authenticator.ts';

let reg: RunningRegistry;
let home: string;
const saved = { ...process.env };
before(async () => {
  const config = await parseAuthConfig({ users: { ci: bcrypt.hashSync('s3cret', 4) } }, '/');
  reg = await listen(await serverAuth(config, 'basic'));
  home = await mkdtemp(join(tmpdir(), 'crane-auth-'));
  process.env['DOCKER_CONFIG'] = home;
  await remote.write(`${reg.host}/private/app:v1`, random.image(100, 1, { seed: 'auth' }), { auth: basic('ci', 's3cret') });
});
after(async () => {
  await reg.close();
  await rm(home, { recursive: true, force: true });
  process.env = saved;
});

async function crane(args: string[], stdin = ''): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const program = buildProgram({ stdout: (s) => (out += s), stderr: (s) => (err += s), stdoutBytes: (_b, done) => done() }, { stdin: async () => stdin });
  program.exitOverride();
  await program.parseAsync(args, { from: 'user' });
  return { out, err };
}

test('login stores credentials docker can read; crane then uses them; logout erases them', async () => {
  await assert.rejects(crane(['ls', `${reg.host}/private/app`]), (e: { status?: number }) => e.status === 401);
  const login = await crane(['auth', 'login', reg.host, '-u', 'ci', '--password-stdin'], 's3cret\n');
  assert.match(login.err, new RegExp(`logged in via ${join(home, 'config.json')}`));
  const cfg = JSON.parse(await readFile(join(home, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
  assert.equal(Buffer.from(cfg.auths[reg.host]!.auth, 'base64').toString(), 'ci:s3cret');
  assert.deepEqual(JSON.parse((await crane(['auth', 'get', reg.host])).out), { Username: 'ci', Secret: 's3cret' });
  assert.equal((await crane(['ls', `${reg.host}/private/app`])).out, 'v1\n');
  await crane(['auth', 'logout', reg.host]);
  // As a credential helper: the "not found" answer on stdout, and exit status 1.
  let out = '';
  const program = buildProgram({ stdout: (s) => (out += s), stderr: () => {}, stdoutBytes: (_b, done) => done() });
  program.exitOverride();
  await assert.rejects(program.parseAsync(['auth', 'get', reg.host], { from: 'user' }), (e: { exitCode?: number }) => e.exitCode === 1);
  assert.equal(out, 'credentials not found in native keychain\n');
});
