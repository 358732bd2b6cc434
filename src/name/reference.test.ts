import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadNameError } from '../errors/index.ts';
import { Digest, isErrBadName, newDigest, newTag, parseReference, Tag, type NameOptions, type Reference } from './index.ts';

function assertBadName(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadNameError, `not a BadNameError: ${String(err)}`);
    assert.equal(err.code, 'ERR_BAD_NAME');
    if (message) assert.match(err.message, message);
    return true;
  });
}

const validDigest = 'sha256:deadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33f';

/** The observable state of a reference, to compare two parses. */
function facts(ref: Reference): unknown {
  return {
    kind: ref.kind,
    string: ref.toString(),
    name: ref.name(),
    context: ref.context().name(),
    identifier: ref.identifier(),
    scheme: ref.context().scheme(),
    scope: ref.scope('pull'),
  };
}

// ggcr's ref_test.go crosses the tag and digest lists from tag_test.go and digest_test.go.
const strict: NameOptions = { strict: true };
const weak: NameOptions = {};
const digestCases: Array<[string, NameOptions]> = [
  [`namespace/pathcomponent/image@${validDigest}`, weak],
  [`library/ubuntu@${validDigest}`, weak],
  [`gcr.io/g-convoy/hello-world@${validDigest}`, strict],
  [`gcr.io/google.com/project-id/hello-world@${validDigest}`, strict],
  [`us.gcr.io/project-id/sub-repo@${validDigest}`, strict],
  [`example.text/foo/bar@${validDigest}`, strict],
  [`nginx:latest@${validDigest}`, weak],
  [`library/nginx:latest@${validDigest}`, weak],
  [`example.text/foo/bar:latest@${validDigest}`, strict],
  [`example.text:8443/foo/bar:latest@${validDigest}`, strict],
  [`example.text/foo/bar:v1.0.0-alpine@${validDigest}`, strict],
];
const tagCases: Array<[string, NameOptions]> = [
  ['namespace/pathcomponent/image', weak],
  ['library/ubuntu', weak],
  ['gcr.io/project-id/implicit-latest', weak],
  ['www.example.test:12345/repo/path', weak],
  ['gcr.io/g-convoy/hello-world:latest', strict],
  ['gcr.io/google.com/g-convoy/hello-world:latest', strict],
  ['gcr.io/project-id/with-nums:v2', strict],
  ['us.gcr.io/project-id/image:with.period.in.tag', strict],
  ['gcr.io/project-id/image:w1th-alpha_num3ric.PLUScaps', strict],
  ['domain.with.port:9001/image:latest', strict],
];
const badNames = [
  'gcr.io/project-id/unknown-alg@unknown:abc123',
  'gcr.io/project-id/wrong-length@sha256:d34db33fd34db33f',
  'gcr.io/project-id/missing-digest@',
  "gcr.io/project-id/bad_chars:c@n'tuse",
  'gcr.io/project-id/wrong-length:white space',
  `gcr.io/project-id/too-many-chars:${'x'.repeat(129)}`,
  'library/ubuntu:',
  '@@',
  '',
];

describe('parseReference', () => {
  it('parses digest references as newDigest does (ggcr TestParseReference)', () => {
    for (const [name, opts] of digestCases) {
      const ref = parseReference(name, opts);
      assert.ok(ref instanceof Digest, name);
      assert.deepEqual(facts(ref), facts(newDigest(name, opts)));
    }
  });

  it('parses tag references as newTag does', () => {
    for (const [name, opts] of tagCases) {
      const ref = parseReference(name, opts);
      assert.ok(ref instanceof Tag, name);
      assert.deepEqual(facts(ref), facts(newTag(name, opts)));
    }
  });

  it('rejects bad references with BadNameError', () => {
    for (const name of badNames) assertBadName(() => parseReference(name));
  });

  it('says which part is wrong where ggcr says only "could not parse reference"', () => {
    assertBadName(() => parseReference('@@'), /^reference "@@": must contain exactly one "@"/);
    assertBadName(() => parseReference('Foo/bar:1'), /^repository "Foo\/bar" in "Foo\/bar:1": must contain only lowercase letters, digits and \. _ - \/$/);
    assertBadName(() => parseReference(''), /^repository "": must not be empty$/);
    assertBadName(() => parseReference('gcr.io/p/i@sha256:abc'), /^digest "sha256:abc" in /);
  });

  it('applies defaultRegistry and defaultTag (ggcr TestParseReferenceDefaulting)', () => {
    const opts = { defaultRegistry: 'registry.upbound.io', defaultTag: 'stable' };
    const cases: Array<[string, string]> = [
      ['crossplane/provider-gcp', 'registry.upbound.io/crossplane/provider-gcp:stable'],
      ['crossplane/provider-gcp:v0.14.0', 'registry.upbound.io/crossplane/provider-gcp:v0.14.0'],
      ['ubuntu', 'registry.upbound.io/ubuntu:stable'],
      ['gcr.io/crossplane/provider-gcp:latest', 'gcr.io/crossplane/provider-gcp:latest'],
    ];
    for (const [input, want] of cases) assert.equal(parseReference(input, opts).name(), want);
  });

  it('rejects URL schemes and points at the insecure option', () => {
    for (const name of ['http://gcr.io/foo', 'https://gcr.io/foo:v1', `HTTPS://gcr.io/foo@${validDigest}`]) {
      assertBadName(() => parseReference(name), /must not start with a URL scheme.*\{ insecure: true \}/);
    }
    assertBadName(() => parseReference('docker://alpine'), /^reference "docker:\/\/alpine": must not start with a URL scheme \("docker:\/\/"\); write registry\/repository\[:tag\|@digest\]$/);
  });

  it('lets callers narrow a Reference by kind', () => {
    const ref = parseReference(`gcr.io/p/i@${validDigest}`);
    assert.equal(ref.kind === 'digest' ? ref.digestStr() : ref.tagStr(), validDigest);
  });
});

describe('isErrBadName', () => {
  it('is true for name errors only (ggcr TestBadName)', () => {
    let caught: unknown;
    try {
      parseReference('@@');
    } catch (err) {
      caught = err;
    }
    assert.equal(isErrBadName(caught), true);
    assert.equal(isErrBadName(new Error('x')), false);
    assert.equal(isErrBadName(undefined), false);
  });
});
