// The registry with basic and token auth, over HTTP: challenges, wrong credentials, rights per
// repository, the token round trip a client makes, and nothing stored by a refused request.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { listen, type RunningRegistry } from './server.ts';
import { serverAuth } from './auth/server-auth.ts';
import { parseAuthConfig } from './auth/access.ts';

const sha = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function accessConfig() {
  return parseAuthConfig(
    {
      users: { alice: bcrypt.hashSync('wonderland', 4), bob: bcrypt.hashSync('builder', 4) },
      access: [
        { account: 'alice', repository: '**', actions: ['pull', 'push', 'delete'] },
        { account: 'bob', repository: 'public/*', actions: ['pull'] },
        { account: 'anonymous', repository: 'public/*', actions: ['pull'] },
      ],
    },
    '/',
  );
}

describe('basic auth', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await listen(await serverAuth(await accessConfig(), 'basic'));
  });
  after(() => reg.close());

  test('/v2/ challenges anonymous clients and accepts good credentials', async () => {
    const anon = await fetch(`${reg.url}/v2/`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get('www-authenticate') ?? '', /^Basic realm="/);
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { Authorization: basic('alice', 'wonderland') } })).status, 200);
    const wrong = await fetch(`${reg.url}/v2/`, { headers: { Authorization: basic('alice', 'nope') } });
    assert.equal(wrong.status, 401);
    const body = (await wrong.json()) as { errors: { code: string }[] };
    assert.equal(body.errors[0]!.code, 'UNAUTHORIZED');
  });

  test('rights follow the access file; a refused push stores nothing', async () => {
    const data = 'blob for bob';
    const refused = await fetch(`${reg.url}/v2/public/app/blobs/uploads/?digest=${sha(data)}`, {
      method: 'POST',
      body: data,
      headers: { Authorization: basic('bob', 'builder') },
    });
    assert.equal(refused.status, 403);
    const head = await fetch(`${reg.url}/v2/public/app/blobs/${sha(data)}`, { method: 'HEAD', headers: { Authorization: basic('alice', 'wonderland') } });
    assert.equal(head.status, 404, 'nothing was stored');
    const ok = await fetch(`${reg.url}/v2/public/app/blobs/uploads/?digest=${sha(data)}`, {
      method: 'POST',
      body: data,
      headers: { Authorization: basic('alice', 'wonderland') },
    });
    assert.equal(ok.status, 201);
    // Anonymous pull where the file allows it; bob may pull but not delete.
    assert.equal((await fetch(`${reg.url}/v2/public/app/blobs/${sha(data)}`)).status, 200);
    assert.equal((await fetch(`${reg.url}/v2/public/app/blobs/${sha(data)}`, { method: 'DELETE', headers: { Authorization: basic('bob', 'builder') } })).status, 403);
    assert.equal((await fetch(`${reg.url}/v2/private/app/tags/list`)).status, 401);
  });
});

describe('token auth', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await listen(await serverAuth(await accessConfig(), 'token', { service: 'test-registry' }));
  });
  after(() => reg.close());

  async function token(scope: string, user?: [string, string]): Promise<{ status: number; token?: string }> {
    const r = await fetch(`${reg.url}/token?service=test-registry&scope=${encodeURIComponent(scope)}`, {
      headers: user ? { Authorization: basic(...user) } : {},
    });
    if (r.status !== 200) return { status: r.status };
    return { status: 200, token: ((await r.json()) as { token: string }).token };
  }

  test('the challenge names our realm, service and scope; the token then works', async () => {
    const c = await fetch(`${reg.url}/v2/team/app/tags/list`);
    assert.equal(c.status, 401);
    const challenge = c.headers.get('www-authenticate') ?? '';
    assert.equal(challenge, `Bearer realm="${reg.url}/token",service="test-registry",scope="repository:team/app:pull"`);
    const t = await token('repository:team/app:pull,push', ['alice', 'wonderland']);
    assert.equal(t.status, 200);
    const data = 'tokened blob';
    const up = await fetch(`${reg.url}/v2/team/app/blobs/uploads/?digest=${sha(data)}`, { method: 'POST', body: data, headers: { Authorization: `Bearer ${t.token}` } });
    assert.equal(up.status, 201);
  });

  test('wrong credentials get no token; a token with too few actions is refused with the wider scope', async () => {
    assert.equal((await token('repository:team/app:pull', ['alice', 'wrong'])).status, 401);
    const pullOnly = await token('repository:public/x:pull,push', ['bob', 'builder']);
    assert.equal(pullOnly.status, 200, 'a partly allowed scope still gets a token');
    const push = await fetch(`${reg.url}/v2/public/x/blobs/uploads/`, { method: 'POST', headers: { Authorization: `Bearer ${pullOnly.token}` } });
    assert.equal(push.status, 401);
    assert.match(push.headers.get('www-authenticate') ?? '', /scope="repository:public\/x:pull,push".*error="insufficient_scope"|error="insufficient_scope".*scope="repository:public\/x:pull,push"/);
    const forged = await fetch(`${reg.url}/v2/team/app/tags/list`, { headers: { Authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } });
    assert.equal(forged.status, 401);
  });
});
