import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { serverAuthFromFile } from './server-auth.ts';

const headers = (h: Record<string, string>) => ({ headers: h });

test('an auth file selects the mode; token mode keeps its key in keyDir, relative to the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'server-auth-'));
  try {
    const users = { alice: bcrypt.hashSync('pw', 4) };
    await writeFile(join(dir, 'basic.json'), JSON.stringify({ users }));
    const b = await serverAuthFromFile(join(dir, 'basic.json'));
    assert.equal(b.extraRoutes, undefined);
    const ok = await b.authorize(headers({ authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` }) as never, { repository: 'x', actions: ['push'] });
    assert.equal(ok.ok, true);

    await writeFile(join(dir, 'token.json'), JSON.stringify({ mode: 'token', users, token: { service: 'svc', keyDir: 'keys' } }));
    const t = await serverAuthFromFile(join(dir, 'token.json'));
    assert.ok(t.extraRoutes && t.tokenServer);
    assert.equal(t.tokenServer.service, 'svc');
    assert.ok((await readdir(join(dir, 'keys'))).length >= 2, 'key and certificate written to keyDir');
    const again = await serverAuthFromFile(join(dir, 'token.json'));
    assert.equal(again.tokenServer!.signingKey.certPem, t.tokenServer.signingKey.certPem, 'a restart keeps the same key');
    const anon = await t.authorize(headers({ host: 'reg.example:5000' }) as never, { repository: 'x', actions: ['pull'] });
    assert.equal(anon.ok, false);
    if (!anon.ok) assert.match(anon.challenge ?? '', /^Bearer realm="http:\/\/reg\.example:5000\/token",service="svc"/);

    await writeFile(join(dir, 'bad.json'), JSON.stringify({ mode: 'kerberos', users }));
    await assert.rejects(serverAuthFromFile(join(dir, 'bad.json')), /mode must be "basic" or "token"/);
    await writeFile(join(dir, 'broken.json'), '{');
    await assert.rejects(serverAuthFromFile(join(dir, 'broken.json')), /is not JSON/);
    // A missing file is that, not "not JSON"; a non-object and bad token settings name the field.
    await assert.rejects(serverAuthFromFile(join(dir, 'missing.json')), { code: 'ENOENT' });
    await writeFile(join(dir, 'null.json'), 'null');
    await assert.rejects(serverAuthFromFile(join(dir, 'null.json')), /must hold a JSON object/);
    for (const [token, field] of [[{ keyType: 'dsa' }, 'token.keyType'], [{ servcie: 'typo' }, 'token.servcie'], [{ lifetimeSeconds: -5 }, 'token.lifetimeSeconds'], ['x', 'token']] as const) {
      await writeFile(join(dir, 'token-bad.json'), JSON.stringify({ mode: 'token', users, token }));
      await assert.rejects(serverAuthFromFile(join(dir, 'token-bad.json')), (err: Error & { path?: string }) => {
        assert.equal(err.path, field, err.message);
        return true;
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
