import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as match from './index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';

const h1 = Hash.of('1');
const h2 = Hash.of('2');
const a: Descriptor = { mediaType: 'm/a', size: 1, digest: h1, annotations: { 'org.opencontainers.image.ref.name': 'v1', k: 'v' }, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } };
const b: Descriptor = { mediaType: 'm/b', size: 1, digest: h2 };

test('each matcher selects what it names and nothing else', () => {
  assert.deepEqual([a, b].filter(match.name('v1')), [a]);
  assert.deepEqual([a, b].filter(match.annotation('k', 'v')), [a]);
  assert.deepEqual([a, b].filter(match.annotation('k', 'w')), []);
  assert.deepEqual([a, b].filter(match.platforms({ os: 'linux', architecture: 'arm64', variant: 'v8' })), [a]);
  // Exact equality: a variant-less platform does not match, and descriptors without one never do.
  assert.deepEqual([a, b].filter(match.platforms({ os: 'linux', architecture: 'arm64' })), []);
  assert.deepEqual([a, b].filter(match.mediaTypes('m/b', 'm/c')), [b]);
  assert.deepEqual([a, b].filter(match.digests(h2)), [b]);
  assert.deepEqual([a, b].filter(match.all(match.mediaTypes('m/a'), match.digests(h1))), [a]);
  assert.deepEqual([a, b].filter(match.any(match.mediaTypes('m/a'), match.digests(h2))), [a, b]);
});
