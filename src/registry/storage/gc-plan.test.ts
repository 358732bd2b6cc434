import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planGc, type GcRepository } from './gc-plan.ts';
import type { ManifestReferences } from './manifest-references.ts';

const d = (name: string) => `sha256:${name.padEnd(64, '0')}`;

function repo(name: string, tags: string[], manifests: Record<string, Partial<ManifestReferences>>): GcRepository {
  return {
    name,
    tags: tags.map(d),
    manifests: new Map(
      Object.entries(manifests).map(([k, v]) => [
        d(k),
        { blobs: (v.blobs ?? []).map(d), manifests: (v.manifests ?? []).map(d), ...(v.subject ? { subject: d(v.subject) } : {}) },
      ]),
    ),
  };
}

// One repository: tag -> index a -> child b; c refers to b, e refers to c; f is untagged with its
// own child g; h and i refer to each other (a cycle no tag reaches); the tag "gone" names nothing.
const shapes = repo('r', ['a', '99'], {
  a: { manifests: ['b'] },
  b: { blobs: ['1', '2'] },
  c: { blobs: ['3'], subject: 'b' },
  e: { blobs: ['4'], subject: 'c' },
  f: { blobs: ['2', '5'], manifests: ['g'] },
  g: { blobs: ['6'] },
  h: { blobs: ['7'], subject: 'i' },
  i: { blobs: ['8'], subject: 'h' },
});

test('without untagged every stored manifest stays, and all it names is referenced', () => {
  const plan = planGc([shapes]);
  assert.deepEqual(plan.manifests, []);
  for (const x of ['a', 'b', 'c', 'e', 'f', 'g', 'h', 'i', '1', '2', '3', '4', '5', '6', '7', '8']) assert.ok(plan.referenced.has(d(x)), x);
  assert.equal(plan.referenced.has(d('99')), false);
});

test('with untagged, manifests survive through tags, index children and referrers (transitively), cycles included', () => {
  const plan = planGc([shapes], { untagged: true });
  assert.deepEqual(
    plan.manifests.map((m) => m.digest),
    ['f', 'g', 'h', 'i'].map(d),
  );
  assert.deepEqual(
    [...plan.referenced].sort(),
    ['1', '2', '3', '4', 'a', 'b', 'c', 'e'].map(d).sort(),
  );
});

test('reachability is per repository, and removals sort by repository then digest', () => {
  const plan = planGc(
    [
      repo('z', [], { x: { blobs: ['1'] } }),
      repo('a', ['x'], { y: {}, x: { blobs: ['1'] } }),
      repo('a/b', [], { x: {} }),
    ],
    { untagged: true },
  );
  assert.deepEqual(plan.manifests, [
    { repository: 'a', digest: d('y') },
    { repository: 'a/b', digest: d('x') },
    { repository: 'z', digest: d('x') },
  ]);
  assert.ok(plan.referenced.has(d('1')));
  assert.ok(plan.referenced.has(d('x')));
});
