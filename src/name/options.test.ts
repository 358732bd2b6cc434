import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadNameError } from '../errors/index.ts';
import { DEFAULT_REGISTRY, DEFAULT_TAG, resolveOptions } from './index.ts';

describe('resolveOptions', () => {
  it('defaults to weak, secure, Docker Hub and latest', () => {
    assert.deepEqual(resolveOptions(), { strict: false, insecure: false, defaultRegistry: DEFAULT_REGISTRY, defaultTag: DEFAULT_TAG });
    assert.equal(DEFAULT_REGISTRY, 'index.docker.io');
    assert.equal(DEFAULT_TAG, 'latest');
  });

  it('keeps what is given and treats empty defaults as not given', () => {
    assert.deepEqual(resolveOptions({ strict: true, insecure: true, defaultRegistry: 'gcr.io', defaultTag: 'stable' }), {
      strict: true,
      insecure: true,
      defaultRegistry: 'gcr.io',
      defaultTag: 'stable',
    });
    assert.deepEqual(resolveOptions({ defaultRegistry: '', defaultTag: '', strict: undefined }), resolveOptions());
  });

  it('rewrites a docker.io default registry like a parsed one', () => {
    assert.equal(resolveOptions({ defaultRegistry: 'docker.io' }).defaultRegistry, 'index.docker.io');
  });

  it('rejects defaults that could only produce bad names', () => {
    assert.throws(() => resolveOptions({ defaultRegistry: 'not a host' }), (err: unknown) => {
      assert.ok(err instanceof BadNameError);
      assert.match(err.message, /^default registry "not a host": must be a valid RFC 3986 authority/);
      return true;
    });
    assert.throws(() => resolveOptions({ defaultTag: 'no/slash' }), /^BadNameError: default tag "no\/slash": must contain only letters/);
  });
});
