// The transport against our own registry in token mode: the whole Docker token flow end to end,
// rights from the access file, scope growth on insufficient_scope, and the registry's errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { Anonymous, basic } from '../../authn/authenticator.ts';
import { Repository } from '../../name/repository.ts';
import { listen, type RunningRegistry } from '../../registry/server.ts';
import { serverAuth } from '../../registry/auth/server-auth.ts';
import { parseAuthConfig } from '../../registry/auth/access.ts';
import { ErrorCode, isTransportError, TransportError } from './errors.ts';
import { newTransport } from './transport.ts';
import { PULL_SCOPE, PUSH_SCOPE } from './scopes.ts';
import { text } from './servers.test-fixtures.ts';

const digestOf = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const opts = { certsDirs: [], retry: { attempts: 1 } };
let reg: RunningRegistry;

before(async () => {
  const config = await parseAuthConfig(
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
  reg = await listen(await serverAuth(config, 'token', { service: 'test-registry' }));
});
after(() => reg.close());

test('alice pushes and pulls a blob through the token flow', async () => {
  const repo = Repository.parse(`${reg.host}/team/app`);
  const t = await newTransport(repo.registry, [repo.scope(PUSH_SCOPE)], { ...opts, authenticator: basic('alice', 'wonderland') });
  assert.equal(t.scheme, 'http');
  const data = 'bytes through the token flow';
  const up = await t.request({
    method: 'POST',
    url: `/v2/${repo.repositoryStr()}/blobs/uploads/?digest=${encodeURIComponent(digestOf(data))}`,
    body: data,
    headers: { 'content-type': 'application/octet-stream' },
    expect: [201],
  });
  await text(up.body);
  const got = await t.request({ method: 'GET', url: `/v2/${repo.repositoryStr()}/blobs/${digestOf(data)}` });
  assert.equal(await text(got.body), data);
  await assert.rejects(t.request({ method: 'HEAD', url: `/v2/${repo.repositoryStr()}/blobs/${digestOf('absent')}` }), (err: unknown) => {
    assert.ok(err instanceof TransportError);
    assert.equal(err.status, 404);
    assert.match(err.message, /HEAD responses have no body/);
    return true;
  });
  await assert.rejects(t.request({ method: 'GET', url: `/v2/${repo.repositoryStr()}/manifests/nope` }), (err: unknown) => isTransportError(err, ErrorCode.MANIFEST_UNKNOWN));
});

test('a transport made for pulling gains the push scope when the registry asks for it', async () => {
  const repo = Repository.parse(`${reg.host}/team/widened`);
  const t = await newTransport(repo.registry, [repo.scope(PULL_SCOPE)], { ...opts, authenticator: basic('alice', 'wonderland') });
  const data = 'widened';
  const up = await t.request({
    method: 'POST',
    url: `/v2/${repo.repositoryStr()}/blobs/uploads/?digest=${encodeURIComponent(digestOf(data))}`,
    body: data,
    expect: [201],
  });
  await text(up.body);
  const head = await t.request({ method: 'HEAD', url: `/v2/${repo.repositoryStr()}/blobs/${digestOf(data)}` });
  assert.equal(head.status, 200);
  await text(head.body);
});

test('rights follow the access file: bob and anonymous may pull public repositories only', async () => {
  const pub = Repository.parse(`${reg.host}/public/tools`);
  const bob = await newTransport(pub.registry, [pub.scope(PUSH_SCOPE)], { ...opts, authenticator: basic('bob', 'builder') });
  const tags = await bob.request({ method: 'GET', url: `/v2/${pub.repositoryStr()}/tags/list`, expect: [200, 404] });
  await text(tags.body);
  await assert.rejects(bob.request({ method: 'POST', url: `/v2/${pub.repositoryStr()}/blobs/uploads/` }), (err: unknown) => {
    assert.ok(err instanceof TransportError);
    assert.equal(err.status, 401);
    assert.doesNotMatch(err.message, /builder/);
    return true;
  });
  const anon = await newTransport(pub.registry, [pub.scope(PULL_SCOPE)], { ...opts, authenticator: Anonymous });
  const open = await anon.request({ method: 'GET', url: `/v2/${pub.repositoryStr()}/tags/list`, expect: [200, 404] });
  await text(open.body);
  await assert.rejects(anon.request({ method: 'GET', url: '/v2/team/app/tags/list' }), (err: unknown) => isTransportError(err, 401));
  await assert.rejects(newTransport(pub.registry, [], { ...opts, authenticator: basic('bob', 'wrong') }), (err: unknown) => isTransportError(err, 401));
});
