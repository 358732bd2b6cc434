import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadNameError } from '../errors/index.ts';
import { newRepository, Repository } from './index.ts';

function assertBadName(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadNameError, `not a BadNameError: ${String(err)}`);
    assert.equal(err.code, 'ERR_BAD_NAME');
    if (message) assert.match(err.message, message);
    return true;
  });
}

// ggcr's repository_test.go lists.
const goodStrict = [
  'gcr.io/g-convoy/hello-world',
  'gcr.io/google.com/project-id/hello-world',
  'us.gcr.io/project-id/sub-repo',
  'example.text/foo/bar',
  'mirror.gcr.io/ubuntu',
  'index.docker.io/library/ubuntu',
  'example.com/a', // single-character components (ggcr #2407)
  'example.com/a/b',
  'localhost/testimage',
];
const goodWeak = ['namespace/pathcomponent/image', 'library/ubuntu', 'ubuntu', 'a', '0'];
const bad = ['white space', 'b@char/image', ''];
// Ours.
const badExtra = ['Foo/bar', 'gcr.io/', 'gcr.io/UPPER', 'gcr.io/a:b', 'a'.repeat(256), `gcr.io/${'a'.repeat(256)}`, 'bad host.io/foo'];

describe('newRepository', () => {
  it('accepts fully written names under strict validation and reproduces them', () => {
    for (const name of goodStrict) assert.equal(newRepository(name, { strict: true }).name(), name);
  });

  it('rejects names that rely on defaults, and bad names, under strict validation', () => {
    for (const name of [...goodWeak, ...bad, ...badExtra]) assertBadName(() => newRepository(name, { strict: true }));
  });

  it('accepts good names under weak validation', () => {
    for (const name of [...goodStrict, ...goodWeak]) assert.ok(newRepository(name) instanceof Repository);
  });

  it('rejects bad names under weak validation, naming the part and the reason', () => {
    for (const name of [...bad, ...badExtra]) assertBadName(() => newRepository(name));
    assertBadName(() => newRepository(''), /^repository "": must not be empty$/);
    assertBadName(() => newRepository('gcr.io/'), /^repository "" in "gcr.io\/": must not be empty$/);
    assertBadName(
      () => newRepository('Foo/bar'),
      /^repository "Foo\/bar": must contain only lowercase letters, digits and \. _ - \/$/,
    );
    assertBadName(() => newRepository('bad host.io/foo'), /^registry "bad host.io" in "bad host.io\/foo": must be a valid RFC 3986 authority/);
    assertBadName(() => newRepository(`gcr.io/${'a'.repeat(256)}`), /is 256 characters long; the limit is 255/);
  });

  it('splits registry and repository (ggcr TestRepositoryComponents)', () => {
    const r = newRepository('gcr.io/project-id/image', { strict: true });
    assert.equal(r.registryStr(), 'gcr.io');
    assert.equal(r.repositoryStr(), 'project-id/image');
    assert.equal(r.registry.name(), 'gcr.io');
  });

  it('treats the first component as the registry only if it has "." or ":" or is localhost', () => {
    const cases: Array<[string, string, string]> = [
      ['my.host/foo', 'my.host', 'foo'],
      ['host:5000/foo/bar', 'host:5000', 'foo/bar'],
      ['localhost/foo', 'localhost', 'foo'],
      ['localhost:5000/foo', 'localhost:5000', 'foo'],
      ['myhost/foo', 'index.docker.io', 'myhost/foo'],
      ['localhost', 'index.docker.io', 'library/localhost'],
      ['my.host', 'index.docker.io', 'library/my.host'],
      ['[::1]:5000/foo', '[::1]:5000', 'foo'],
    ];
    for (const [input, registry, repository] of cases) {
      const r = newRepository(input);
      assert.equal(r.registryStr(), registry, input);
      assert.equal(r.repositoryStr(), repository, input);
    }
  });

  it('normalises Docker Hub names to index.docker.io with the implicit library/ namespace', () => {
    for (const name of ['ubuntu', 'docker.io/ubuntu', 'docker.io/library/ubuntu', 'index.docker.io/ubuntu', 'library/ubuntu']) {
      const r = newRepository(name);
      assert.equal(r.name(), 'index.docker.io/library/ubuntu', name);
      assert.equal(r.repositoryStr(), 'library/ubuntu', name);
    }
    assert.equal(newRepository('foo/bar').name(), 'index.docker.io/foo/bar');
    assert.equal(newRepository('gcr.io/ubuntu').repositoryStr(), 'ubuntu');
  });

  it('adds library/ only on Docker Hub, not on another default registry', () => {
    const r = newRepository('ubuntu', { defaultRegistry: 'registry.upbound.io' });
    assert.equal(r.name(), 'registry.upbound.io/ubuntu');
    assert.equal(r.hasImplicitNamespace(), false);
    assert.equal(newRepository('ubuntu', { defaultRegistry: 'docker.io' }).name(), 'index.docker.io/library/ubuntu');
  });

  it('rejects the implicit namespace under strict validation, even with an explicit registry', () => {
    assertBadName(
      () => newRepository('index.docker.io/foo', { strict: true }),
      /^repository "foo" in "index.docker.io\/foo": strict validation requires the full path on index.docker.io \("library\/foo"\)$/,
    );
    assertBadName(() => newRepository('docker.io/foo', { strict: true }), /library\/foo/);
    assertBadName(() => newRepository('library/ubuntu', { strict: true }), /^registry "" in "library\/ubuntu": strict validation/);
  });

  it('limits the length to 255 including the implicit namespace', () => {
    assert.equal(newRepository(`gcr.io/${'a'.repeat(255)}`).repositoryStr().length, 255);
    assert.equal(newRepository('a'.repeat(247)).repositoryStr().length, 255);
    assertBadName(() => newRepository('a'.repeat(248)), /^repository "library\/a+" in "a+": is 256 characters long/);
  });

  it('rejects URL schemes', () => {
    assertBadName(() => newRepository('https://gcr.io/foo'), /must not start with a URL scheme \("https:\/\/"\).*insecure: true/);
    assertBadName(() => newRepository('docker://alpine'), /must not start with a URL scheme \("docker:\/\/"\)/);
  });

  it('Repository.parse is newRepository', () => {
    assert.equal(Repository.parse('ubuntu').name(), 'index.docker.io/library/ubuntu');
  });
});

describe('Repository', () => {
  it('has repository:<path>:<action> scopes (ggcr TestRepositoryScopes)', () => {
    assert.equal(newRepository('gcr.io/project-id/image', { strict: true }).scope('pull'), 'repository:project-id/image:pull');
    assert.equal(newRepository('ubuntu').scope('pull,push'), 'repository:library/ubuntu:pull,push');
  });

  it('builds children that keep the registry settings (ggcr TestRepositoryChildren)', () => {
    const repo = newRepository('example.com/repo', { insecure: true });
    const tag = repo.tag('foo');
    assert.equal(tag.scheme(), 'http');
    assert.equal(tag.toString(), 'example.com/repo:foo');
    const digest = repo.digest('badf00d');
    assert.equal(digest.scheme(), 'http');
    assert.equal(digest.toString(), 'example.com/repo@badf00d');
    assert.equal(repo.tag('').tagStr(), 'latest');
    assert.equal(newRepository('ubuntu').tag('22.04').toString(), 'index.docker.io/library/ubuntu:22.04');
  });

  it('is immutable and serialises as its full name', () => {
    const r = newRepository('ubuntu');
    assert.ok(Object.isFrozen(r));
    assert.throws(() => {
      (r as unknown as { registry: unknown }).registry = null;
    }, TypeError);
    assert.equal(r.toString(), 'index.docker.io/library/ubuntu');
    assert.equal(JSON.stringify([r]), '["index.docker.io/library/ubuntu"]');
  });
});
