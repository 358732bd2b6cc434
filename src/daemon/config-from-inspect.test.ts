import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadDocumentError } from '../errors/index.ts';
import { configFromInspect } from './config-from-inspect.ts';
import type { HistoryItem, ImageInspect } from './client.ts';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const inspect: ImageInspect = {
  Id: `sha256:${'c'.repeat(64)}`,
  Created: '2024-05-06T07:08:09.123456789Z',
  Author: 'someone',
  DockerVersion: '20.10.24',
  Architecture: 'arm64',
  Variant: 'v8',
  Os: 'linux',
  Config: {
    Hostname: 'abc123',
    Tty: false,
    Env: ['PATH=/bin'],
    Cmd: ['sh'],
    ExposedPorts: { '80/tcp': {} },
    Labels: { a: 'b' },
    Healthcheck: { Test: ['CMD', 'true'], Interval: 1_000_000_000 },
  },
  RootFS: { Type: 'layers', Layers: [A, B] },
};

// The Engine lists history newest first.
const history: HistoryItem[] = [
  { Id: 'sha256:top', Created: 1_700_000_200, CreatedBy: '/bin/sh -c #(nop) CMD ["sh"]', Size: 0, Comment: '' },
  { Id: '<missing>', Created: 1_700_000_100, CreatedBy: 'COPY b /', Size: 20, Comment: 'second' },
  { Id: '<missing>', Created: 1_700_000_000, CreatedBy: 'ADD a /', Size: 10, Comment: '' },
];

test('the config is rebuilt from inspect: platform, rootfs, image config fields only', () => {
  const cf = configFromInspect(inspect, history);
  assert.equal(cf.architecture, 'arm64');
  assert.equal(cf.variant, 'v8');
  assert.equal(cf.os, 'linux');
  assert.equal(cf.author, 'someone');
  assert.equal(cf.docker_version, '20.10.24');
  assert.equal(cf.created?.toString(), '2024-05-06T07:08:09.123456789Z');
  assert.deepEqual(cf.rootfs.diff_ids.map(String), [A, B]);
  assert.deepEqual(cf.config.Env, ['PATH=/bin']);
  assert.deepEqual(cf.config.ExposedPorts, { '80/tcp': {} });
  assert.deepEqual(cf.config.Healthcheck, { Test: ['CMD', 'true'], Interval: 1_000_000_000 });
  // Container settings that describe no image are dropped, as ggcr drops them.
  assert.equal(cf.config.Hostname, undefined);
  assert.equal(cf.config.Tty, undefined);
});

test('history comes oldest first, with the image author and empty_layer where nothing was added', () => {
  const cf = configFromInspect(inspect, history);
  assert.deepEqual(
    cf.history?.map((h) => [h.created_by, h.created?.toString(), h.empty_layer ?? false, h.comment ?? '', h.author]),
    [
      ['ADD a /', '2023-11-14T22:13:20Z', false, '', 'someone'],
      ['COPY b /', '2023-11-14T22:15:00Z', false, 'second', 'someone'],
      ['/bin/sh -c #(nop) CMD ["sh"]', '2023-11-14T22:16:40Z', true, '', 'someone'],
    ],
  );
});

test('absent fields stay absent; a malformed diff ID is a BadDocumentError', () => {
  const cf = configFromInspect({ Id: inspect.Id, Os: 'linux', Architecture: 'amd64', Created: '', Config: null, RootFS: { Type: 'layers', Layers: null } }, []);
  assert.equal(cf.created, undefined);
  assert.equal(cf.author, undefined);
  assert.deepEqual(cf.rootfs.diff_ids, []);
  assert.deepEqual(cf.config, {});
  assert.throws(() => configFromInspect({ ...inspect, RootFS: { Type: 'layers', Layers: ['nope'] } }, []), BadDocumentError);
});
