import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadNameError } from '../errors/index.ts';
import { DEFAULT_REGISTRY, newInsecureRegistry, newRegistry, Registry } from './index.ts';

function assertBadName(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadNameError, `not a BadNameError: ${String(err)}`);
    assert.equal(err.code, 'ERR_BAD_NAME');
    if (message) assert.match(err.message, message);
    return true;
  });
}

// ggcr's registry_test.go lists.
const goodStrict = ['gcr.io', 'gcr.io:9001', 'index.docker.io', 'us.gcr.io', 'example.text', 'localhost', 'localhost:9090'];
const goodWeak = [''];
const bad = ['white space', 'gcr?com'];
// Ours: what Go's URL parser rejects as an authority, plus what would misroute a request.
const badExtra = [
  'user@gcr.io',
  'gcr.io/path',
  'gcr.io#frag',
  'gcr.io:port',
  'gcr.io:50a0',
  '[::1',
  '[notip]:5000',
  '[::1]x',
  'gcr%2eio',
  'ünïcode.example',
  'tab\there',
];

describe('newRegistry', () => {
  it('accepts explicit registries under strict validation and reproduces them', () => {
    for (const name of goodStrict) {
      const r = newRegistry(name, { strict: true });
      assert.equal(r.name(), name);
      assert.equal(r.toString(), name);
      assert.equal(r.registryStr(), name);
    }
  });

  it('rejects the empty registry and bad registries under strict validation', () => {
    assertBadName(() => newRegistry('', { strict: true }), /^registry "": strict validation requires an explicit registry/);
    for (const name of [...bad, ...badExtra]) assertBadName(() => newRegistry(name, { strict: true }), /^registry /);
  });

  it('accepts good registries and the empty one under weak validation', () => {
    for (const name of [...goodStrict, ...goodWeak]) assert.ok(newRegistry(name) instanceof Registry);
  });

  it('rejects bad registries under weak validation, saying what is wrong', () => {
    for (const name of [...bad, ...badExtra]) assertBadName(() => newRegistry(name), /^registry /);
    assertBadName(() => newRegistry('white space'), /^registry "white space": must be a valid RFC 3986 authority/);
    assertBadName(() => newRegistry('gcr.io:port'), /port "port" must be digits only/);
    assertBadName(() => newRegistry('[notip]:5000'), /"notip" in brackets is not an IPv6 address/);
  });

  it('accepts IPv6 literals, bare ::1 and an empty port as Go does', () => {
    for (const name of ['[::1]', '[::1]:5000', '[2001:db8::1]:5000', '::1', 'gcr.io:']) {
      assert.equal(newRegistry(name).name(), name);
    }
  });

  it('defaults the empty name and rewrites docker.io to index.docker.io', () => {
    for (const name of ['docker.io', '']) assert.equal(newRegistry(name).registryStr(), DEFAULT_REGISTRY);
  });

  it('uses defaultRegistry for the empty name but still rewrites docker.io', () => {
    const opts = { defaultRegistry: 'gcr.io' };
    assert.equal(newRegistry('docker.io', opts).registryStr(), 'index.docker.io');
    assert.equal(newRegistry('', opts).registryStr(), 'gcr.io');
  });

  it('rejects a non-string from untyped callers', () => {
    assertBadName(() => newRegistry(42 as unknown as string), /registry name must be a string, got number/);
  });
});

describe('newInsecureRegistry', () => {
  it('accepts and rejects the same names as newRegistry', () => {
    for (const name of [...goodStrict, ...goodWeak]) assert.equal(newInsecureRegistry(name).insecure, true);
    for (const name of bad) assertBadName(() => newInsecureRegistry(name));
  });

  it('uses http even for a public registry', () => {
    assert.equal(newInsecureRegistry('gcr.io').scheme(), 'http');
    assert.equal(newRegistry('gcr.io', { insecure: true }).scheme(), 'http');
    assert.equal(newRegistry('gcr.io').scheme(), 'https');
  });
});

describe('Registry', () => {
  it('Registry.parse is newRegistry', () => {
    assert.equal(Registry.parse('docker.io').name(), 'index.docker.io');
    assertBadName(() => Registry.parse('', { strict: true }));
  });

  it('has the catalog scope whatever the action', () => {
    const r = newRegistry('gcr.io', { strict: true });
    assert.equal(r.scope('whatever'), 'registry:catalog:*');
    assert.equal(r.scope('pull'), 'registry:catalog:*');
  });

  it('builds child repositories with repo(...parts), joined like Go path.Join and not validated', () => {
    const r = newRegistry('gcr.io');
    assert.equal(r.repo('project', 'image').name(), 'gcr.io/project/image');
    assert.equal(r.repo('a/', '/b/').repositoryStr(), 'a/b');
    assert.equal(r.repo('a', '', 'b').repositoryStr(), 'a/b');
    assert.equal(r.repo('a', '..', 'b').repositoryStr(), 'b');
    assert.equal(r.repo().repositoryStr(), '');
    assert.equal(r.repo('NOT_Valid').repositoryStr(), 'NOT_Valid');
    assert.equal(newRegistry('').repo('ubuntu').name(), 'index.docker.io/library/ubuntu');
  });

  it('keeps insecure on its children', () => {
    const repo = newRegistry('gcr.io', { insecure: true }).repo('x');
    assert.equal(repo.scheme(), 'http');
    assert.equal(repo.tag('v1').scheme(), 'http');
  });

  it('is immutable and serialises as its name', () => {
    const r = newRegistry('docker.io');
    assert.ok(Object.isFrozen(r));
    assert.throws(() => {
      (r as unknown as { insecure: boolean }).insecure = true;
    }, TypeError);
    assert.equal(r.scheme(), 'https');
    assert.equal(JSON.stringify({ r }), '{"r":"index.docker.io"}');
  });
});
