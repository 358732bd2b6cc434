import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadNameError } from '../errors/index.ts';
import { newTag, Tag } from './index.ts';
import { splitTag } from './tag.ts';

function assertBadName(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadNameError, `not a BadNameError: ${String(err)}`);
    assert.equal(err.code, 'ERR_BAD_NAME');
    if (message) assert.match(err.message, message);
    return true;
  });
}

const validDigest = 'sha256:deadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33f';

// ggcr's tag_test.go lists.
const goodStrict = [
  'gcr.io/g-convoy/hello-world:latest',
  'gcr.io/google.com/g-convoy/hello-world:latest',
  'gcr.io/project-id/with-nums:v2',
  'us.gcr.io/project-id/image:with.period.in.tag',
  'gcr.io/project-id/image:w1th-alpha_num3ric.PLUScaps',
  'domain.with.port:9001/image:latest',
];
const goodWeak = ['namespace/pathcomponent/image', 'library/ubuntu', 'gcr.io/project-id/implicit-latest', 'www.example.test:12345/repo/path'];
const bad = [
  "gcr.io/project-id/bad_chars:c@n'tuse",
  'gcr.io/project-id/wrong-length:white space',
  'gcr.io/project-id/too-many-chars:thisisthetagthatneverendsitgoesonandonmyfriendsomepeoplestartedtaggingitnotknowingwhatitwasandtheyllcontinuetaggingitforeverjustbecausethisisthetagthatneverends',
  'library/ubuntu:',
];
// ggcr also checks that no digest reference parses as a tag.
const digestNames = [
  `gcr.io/g-convoy/hello-world@${validDigest}`,
  `library/ubuntu@${validDigest}`,
  `example.text:8443/foo/bar:latest@${validDigest}`,
  `nginx:latest@${validDigest}`,
];

describe('newTag', () => {
  it('accepts fully written tags under strict validation and reproduces them', () => {
    for (const name of goodStrict) {
      const tag = newTag(name, { strict: true });
      assert.equal(tag.name(), name);
      assert.equal(tag.toString(), name);
    }
  });

  it('rejects implicit forms, digests and bad tags under strict validation', () => {
    for (const name of [...goodWeak, ...digestNames, ...bad]) assertBadName(() => newTag(name, { strict: true }));
    assertBadName(() => newTag('gcr.io/project/image', { strict: true }), /^tag "" in "gcr.io\/project\/image": strict validation requires an explicit tag$/);
  });

  it('accepts good tags under weak validation', () => {
    for (const name of [...goodStrict, ...goodWeak]) assert.ok(newTag(name) instanceof Tag);
  });

  it('rejects digests and bad tags under weak validation, naming the part and the reason', () => {
    for (const name of [...digestNames, ...bad]) assertBadName(() => newTag(name));
    assertBadName(() => newTag('gcr.io/project-id/wrong-length:white space'), /^tag "white space" in ".*": must contain only letters, digits and \. _ -$/);
    assertBadName(() => newTag('library/ubuntu:'), /^tag "" in "library\/ubuntu:": must not be empty/);
    assertBadName(() => newTag(`library/ubuntu@${validDigest}`), /has a digest \("@"\); parse it with newDigest or parseReference/);
    assertBadName(() => newTag('gcr.io/Project/image:v1'), /^repository "Project\/image" in "gcr.io\/Project\/image:v1"/);
  });

  it('allows tags of 1 to 128 characters', () => {
    assert.equal(newTag('gcr.io/p/i:a').tagStr(), 'a');
    assert.equal(newTag(`gcr.io/p/i:${'t'.repeat(128)}`).tagStr().length, 128);
    assertBadName(() => newTag(`gcr.io/p/i:${'t'.repeat(129)}`), /is 129 characters long; the limit is 128/);
  });

  it('splits components (ggcr TestTagComponents)', () => {
    const input = 'gcr.io/project-id/image:latest';
    const tag = newTag(input, { strict: true });
    assert.equal(tag.registryStr(), 'gcr.io');
    assert.equal(tag.repositoryStr(), 'project-id/image');
    assert.equal(tag.tagStr(), 'latest');
    assert.equal(tag.context().toString(), 'gcr.io/project-id/image');
    assert.equal(tag.identifier(), 'latest');
    assert.equal(tag.toString(), input);
    assert.equal(tag.registry, tag.repository.registry);
    assert.equal(tag.kind, 'tag');
  });

  it('has the repository scope (ggcr TestTagScopes)', () => {
    assert.equal(newTag('gcr.io/project-id/image:latest', { strict: true }).scope('pull'), 'repository:project-id/image:pull');
  });

  it('fills in every default (ggcr TestAllDefaults) and keeps the input as its string', () => {
    const tag = newTag('ubuntu');
    assert.equal(tag.name(), 'index.docker.io/library/ubuntu:latest');
    assert.equal(tag.toString(), 'ubuntu');
    assert.equal(JSON.stringify(tag), '"ubuntu"');
  });

  it('uses defaultTag (ggcr TestOverrideDefault)', () => {
    assert.equal(newTag('ubuntu', { defaultTag: 'other' }).name(), 'index.docker.io/library/ubuntu:other');
    assert.equal(newTag('ubuntu:22.04', { defaultTag: 'other' }).tagStr(), '22.04');
  });

  it('splits the tag on the last ":" unless a "/" follows it (a registry port)', () => {
    const cases: Array<[string, string, string]> = [
      ['localhost:5000/app', 'localhost:5000/app', 'latest'],
      ['localhost:5000/app:v1', 'localhost:5000/app', 'v1'],
      ['[::1]:5000/app:v1', '[::1]:5000/app', 'v1'],
      // ggcr behaviour: with no "/" the port is a tag on a Docker Hub repository.
      ['localhost:5000', 'index.docker.io/library/localhost', '5000'],
    ];
    for (const [input, repository, tag] of cases) {
      const t = newTag(input);
      assert.equal(t.repository.name(), repository, input);
      assert.equal(t.tagStr(), tag, input);
    }
    assert.deepEqual(splitTag('a:b:c'), { base: 'a:b', tag: 'c' });
    assert.deepEqual(splitTag('a'), { base: 'a', tag: undefined });
    assert.deepEqual(splitTag('a:'), { base: 'a', tag: '' });
  });

  it('Tag.parse is newTag; tags are immutable', () => {
    const tag = Tag.parse('gcr.io/p/i:v1');
    assert.equal(tag.name(), 'gcr.io/p/i:v1');
    assert.ok(Object.isFrozen(tag));
    assert.throws(() => {
      (tag as unknown as { repository: unknown }).repository = null;
    }, TypeError);
  });
});
