import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadNameError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import { Digest, newDigest, newRepository, newTag } from './index.ts';

function assertBadName(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadNameError, `not a BadNameError: ${String(err)}`);
    assert.equal(err.code, 'ERR_BAD_NAME');
    if (message) assert.match(err.message, message);
    return true;
  });
}

const validDigest = 'sha256:deadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33f';
const sha512Digest = `sha512:${'0123456789abcdef'.repeat(8)}`;

// ggcr's digest_test.go lists.
const goodStrict = [
  `gcr.io/g-convoy/hello-world@${validDigest}`,
  `gcr.io/google.com/project-id/hello-world@${validDigest}`,
  `us.gcr.io/project-id/sub-repo@${validDigest}`,
  `example.text/foo/bar@${validDigest}`,
];
const goodStrictTagDigest = [
  `example.text/foo/bar:latest@${validDigest}`,
  `example.text:8443/foo/bar:latest@${validDigest}`,
  `example.text/foo/bar:v1.0.0-alpine@${validDigest}`,
];
const goodWeak = [`namespace/pathcomponent/image@${validDigest}`, `library/ubuntu@${validDigest}`];
const goodWeakTagDigest = [`nginx:latest@${validDigest}`, `library/nginx:latest@${validDigest}`];
const bad = [
  'gcr.io/project-id/unknown-alg@unknown:abc123',
  'gcr.io/project-id/wrong-length@sha256:d34db33fd34db33f',
  'gcr.io/project-id/missing-digest@',
  // ggcr issue #1394: digests made of the allowed characters but not of hex.
  `repo@sha256:${':'.repeat(64)}`,
  `repo@sha256:${'sh'.repeat(32)}`,
  `repo@sha256:${validDigest}@${validDigest}`,
  `library/nginx:@${validDigest}`,
];
// Ours: the digest rules beyond ggcr's lists.
const badExtra = [
  `repo@sha256:${'A'.repeat(64)}`, // uppercase hex
  `repo@sha512:${'a'.repeat(64)}`, // sha512 needs 128 hex digits
  `repo@md5:${'a'.repeat(32)}`,
  `repo@${'a'.repeat(64)}`, // no algorithm
  `repo:bad tag@${validDigest}`,
  `Repo@${validDigest}`,
  'repo',
];

describe('newDigest', () => {
  it('accepts fully written digests under strict validation and reproduces them', () => {
    for (const name of goodStrict) assert.equal(newDigest(name, { strict: true }).name(), name);
    for (const name of goodStrictTagDigest) assert.ok(newDigest(name, { strict: true }) instanceof Digest);
  });

  it('rejects implicit forms and bad digests under strict validation', () => {
    for (const name of [...goodWeak, ...goodWeakTagDigest, ...bad, ...badExtra]) {
      assertBadName(() => newDigest(name, { strict: true }));
    }
  });

  it('accepts good digests under weak validation', () => {
    for (const name of [...goodStrict, ...goodWeak, ...goodStrictTagDigest, ...goodWeakTagDigest]) {
      assert.ok(newDigest(name) instanceof Digest);
    }
  });

  it('rejects bad digests under weak validation, naming the part and the reason', () => {
    for (const name of [...bad, ...badExtra]) assertBadName(() => newDigest(name));
    assertBadName(
      () => newDigest('gcr.io/project-id/wrong-length@sha256:d34db33fd34db33f'),
      /^digest "sha256:d34db33fd34db33f" in ".*": sha256 hex must be 64 characters, got 16/,
    );
    assertBadName(() => newDigest('gcr.io/project-id/missing-digest@'), /^digest "" in ".*": must not be empty/);
    assertBadName(() => newDigest('gcr.io/p/unknown-alg@unknown:abc123'), /^digest "unknown:abc123" in ".*": unsupported hash algorithm "unknown"/);
    assertBadName(() => newDigest(`repo@sha256:${validDigest}@${validDigest}`), /must contain exactly one "@"/);
    assertBadName(() => newDigest(`library/nginx:@${validDigest}`), /^tag "" in "library\/nginx:@sha256:[0-9a-f]+": must not be empty/);
    assertBadName(() => newDigest(`repo:bad tag@${validDigest}`), /^tag "bad tag" in /);
    assertBadName(() => newDigest('repo'), /^reference "repo": has no digest/);
  });

  it('accepts sha512 digests, beyond ggcr', () => {
    const d = newDigest(`gcr.io/p/i@${sha512Digest}`, { strict: true });
    assert.equal(d.digestStr(), sha512Digest);
    assert.equal(d.hash().algorithm, 'sha512');
  });

  it('splits components (ggcr TestDigestComponents)', () => {
    const input = `gcr.io/project-id/image@${validDigest}`;
    const d = newDigest(input, { strict: true });
    assert.equal(d.toString(), input);
    assert.equal(d.identifier(), validDigest);
    assert.equal(d.registryStr(), 'gcr.io');
    assert.equal(d.repositoryStr(), 'project-id/image');
    assert.equal(d.context().toString(), 'gcr.io/project-id/image');
    assert.equal(d.digestStr(), validDigest);
    assert.ok(d.hash().equals(Hash.parse(validDigest)));
    assert.equal(d.registry, d.repository.registry);
    assert.equal(d.kind, 'digest');
  });

  it('has the repository scope (ggcr TestDigestScopes)', () => {
    assert.equal(newDigest(`gcr.io/project-id/image@${validDigest}`, { strict: true }).scope('pull'), 'repository:project-id/image:pull');
  });

  it('discards a tag written before the digest but keeps it in the string form', () => {
    for (const name of [...goodStrictTagDigest, ...goodWeakTagDigest]) {
      const d = newDigest(name);
      const tag = newTag(name.slice(0, name.indexOf('@')));
      assert.equal(d.toString(), name);
      assert.equal(d.name(), `${tag.context().name()}@${validDigest}`);
      // ggcr TestTagRetrieval: tag name + digest reconstitutes the normalised input.
      assert.equal(`${tag.name()}@${d.digestStr()}`, `${d.context().name()}:${tag.identifier()}@${d.digestStr()}`);
    }
    assert.equal(newDigest(`example.text:8443/foo/bar:latest@${validDigest}`).name(), `example.text:8443/foo/bar@${validDigest}`);
    assert.equal(newDigest(`nginx:latest@${validDigest}`).name(), `index.docker.io/library/nginx@${validDigest}`);
  });

  it('serialises as its string form, alone and inside objects (ggcr TestJSON)', () => {
    const input = `gcr.io/project-id/image@${validDigest}`;
    const d = newDigest(input, { strict: true });
    assert.equal(JSON.stringify(d), JSON.stringify(input));
    const out = JSON.parse(JSON.stringify({ a: d })) as { a: string };
    assert.deepEqual(out, { a: input });
    assert.equal(newDigest(out.a).name(), d.name());
  });

  it('Digest.parse is newDigest; digests are immutable; unvalidated children parse their hash lazily', () => {
    const d = Digest.parse(`gcr.io/p/i@${validDigest}`);
    assert.ok(Object.isFrozen(d));
    assert.throws(() => {
      (d as unknown as { repository: unknown }).repository = null;
    }, TypeError);
    const child = newRepository('gcr.io/p/i').digest('badf00d');
    assert.equal(child.toString(), 'gcr.io/p/i@badf00d');
    assert.throws(() => child.hash(), { code: 'ERR_BAD_HASH' });
  });
});
