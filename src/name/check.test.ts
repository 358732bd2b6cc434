import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadHashError, BadNameError } from '../errors/index.ts';
import { badName, checkDigest, checkRegistry, checkRepository, checkTag } from './check.ts';

describe('badName', () => {
  it('names the part, its value, the input and the reason', () => {
    const err = badName('tag', 'x y', 'repo:x y', 'must contain only letters');
    assert.ok(err instanceof BadNameError);
    assert.equal(err.code, 'ERR_BAD_NAME');
    assert.equal(err.message, 'tag "x y" in "repo:x y": must contain only letters');
    assert.equal(badName('registry', 'a b', 'a b', 'why').message, 'registry "a b": why');
  });

  it('escapes control characters so the message stays on one line', () => {
    assert.equal(badName('tag', 'a\nb', 'a\nb', 'why').message, 'tag "a\\nb": why');
  });
});

describe('the part checks', () => {
  it('pass good parts and throw for bad ones', () => {
    assert.doesNotThrow(() => checkRegistry('', ''));
    assert.doesNotThrow(() => checkRegistry('a.b-c_d~e:0', ''));
    assert.throws(() => checkRegistry('a/b', 'a/b'), BadNameError);
    assert.doesNotThrow(() => checkRepository('a/b-c_d.e', ''));
    assert.throws(() => checkRepository('a b', 'a b'), BadNameError);
    assert.doesNotThrow(() => checkTag('V1.2_3-rc', ''));
    assert.throws(() => checkTag('v:1', 'v:1'), BadNameError);
  });

  it('checkDigest returns the Hash and keeps the hash error as the cause', () => {
    const hex = 'a'.repeat(64);
    assert.equal(checkDigest(`sha256:${hex}`, '').hex, hex);
    assert.throws(() => checkDigest('sha256:zz', 'r@sha256:zz'), (err: unknown) => {
      assert.ok(err instanceof BadNameError);
      assert.ok(err.cause instanceof BadHashError);
      assert.match(err.message, /^digest "sha256:zz" in "r@sha256:zz": /);
      return true;
    });
  });
});
