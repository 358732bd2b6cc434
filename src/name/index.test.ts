import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as name from './index.ts';

describe('containerregistry/name', () => {
  it('exports the ggcr constructors camelCased and the classes', () => {
    const want = [
      'BadNameError',
      'DEFAULT_REGISTRY',
      'DEFAULT_TAG',
      'DOCKER_HUB_ALIAS',
      'Digest',
      'MAX_REPOSITORY_LENGTH',
      'MAX_TAG_LENGTH',
      'Registry',
      'Repository',
      'Tag',
      'isErrBadName',
      'newDigest',
      'newInsecureRegistry',
      'newRegistry',
      'newRepository',
      'newTag',
      'parseReference',
      'registryScheme',
      'resolveOptions',
    ];
    assert.deepEqual(Object.keys(name).sort(), want.sort());
  });
});
