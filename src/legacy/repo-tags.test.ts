import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tag } from '../name/index.ts';
import { addTags, repoTag, splitRepoTag, type Repositories } from './repo-tags.ts';

test('RepoTags keep the name as written and make an implicit tag explicit', () => {
  assert.equal(repoTag(Tag.parse('ubuntu')), 'ubuntu:latest');
  assert.equal(repoTag(Tag.parse('ubuntu:22.04')), 'ubuntu:22.04');
  assert.equal(repoTag(Tag.parse('localhost:5000/app')), 'localhost:5000/app:latest');
  assert.equal(repoTag(Tag.parse('gcr.io/p/app:v1')), 'gcr.io/p/app:v1');
});

test('a registry port is not mistaken for a tag', () => {
  assert.deepEqual(splitRepoTag('localhost:5000/app:v1'), { repository: 'localhost:5000/app', tag: 'v1' });
  assert.deepEqual(splitRepoTag('localhost:5000/app'), { repository: 'localhost:5000/app', tag: '' });
  assert.deepEqual(splitRepoTag('app'), { repository: 'app', tag: '' });
});

test('repositories maps repository and tag to the top layer, the last image winning a tag', () => {
  const repos: Repositories = new Map();
  addTags(repos, ['a:1', 'a:2', 'b:1'], 'x');
  addTags(repos, ['a:2'], 'y');
  assert.deepEqual(
    Object.fromEntries([...repos].map(([k, v]) => [k, Object.fromEntries(v)])),
    { a: { '1': 'x', '2': 'y' }, b: { '1': 'x' } },
  );
});
