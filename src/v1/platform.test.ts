import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Platform } from './platform.ts';
import { hasCode } from '../errors/index.ts';

test('Platform.parse reads os/arch[/variant][:osversion] and toString writes it back', () => {
  const cases: [string, Platform][] = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['windows/amd64:10.0.17763.1234', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1234' }],
    ['linux', { os: 'linux', architecture: '' }],
  ];
  for (const [s, want] of cases) {
    const p = Platform.parse(s);
    assert.deepEqual(p, want, s);
    assert.equal(Platform.toString(p), s);
  }
});

test('Platform.parse reads JSON and rejects more than three parts', () => {
  assert.deepEqual(Platform.parse('{"os":"windows","architecture":"amd64","os.version":"10.0"}'), {
    os: 'windows',
    architecture: 'amd64',
    'os.version': '10.0',
  });
  assert.throws(() => Platform.parse('linux/arm/v7/extra'), (e: unknown) => hasCode(e, 'ERR_BAD_PLATFORM'));
  assert.throws(() => Platform.parse('{"os": 3}'), /os: expected string/);
});

test('toString is empty when os is empty (ggcr)', () => {
  assert.equal(Platform.toString({ os: '', architecture: 'amd64' }), '');
});

test('equals compares feature lists without order; satisfies treats empty spec fields as wildcards', () => {
  const a: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8', features: ['b', 'a'] };
  assert.ok(Platform.equals(a, { os: 'linux', architecture: 'arm64', variant: 'v8', features: ['a', 'b'] }));
  assert.ok(!Platform.equals(a, { os: 'linux', architecture: 'arm64', features: ['a', 'b'] }));
  assert.ok(Platform.satisfies(a, { os: 'linux', architecture: '' }));
  assert.ok(Platform.satisfies(a, { os: 'linux', architecture: 'arm64', features: ['a'] }));
  assert.ok(!Platform.satisfies(a, { os: 'linux', architecture: 'arm64', features: ['c'] }));
  assert.ok(!Platform.satisfies(a, { os: 'linux', architecture: 'arm64', variant: 'v7' }));
  assert.ok(!Platform.satisfies({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }));
});
