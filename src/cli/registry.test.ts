import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import bcrypt from 'bcryptjs';
import { createSelfSignedCertificate } from '../registry/auth/x509.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAddress } from './registry.ts';
import { craneEntry } from '../../test/harness/crane-cli.ts';

const crane = craneEntry();
const sha = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('--address forms', () => {
  assert.deepEqual(parseAddress('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(parseAddress(':5000'), { host: '0.0.0.0', port: 5000 });
  assert.deepEqual(parseAddress('[::1]:5000'), { host: '::1', port: 5000 });
  assert.deepEqual(parseAddress('5000'), { host: '127.0.0.1', port: 5000 });
  // Without --address: loopback (crane listens everywhere; an open registry should not by default).
  const port = process.env['PORT'];
  try {
    delete process.env['PORT'];
    assert.deepEqual(parseAddress(undefined), { host: '127.0.0.1', port: 0 });
    process.env['PORT'] = '5123';
    assert.deepEqual(parseAddress(undefined), { host: '127.0.0.1', port: 5123 });
    process.env['PORT'] = 'http';
    assert.throws(() => parseAddress(undefined), /invalid \$PORT "http"/);
  } finally {
    if (port === undefined) delete process.env['PORT'];
    else process.env['PORT'] = port;
  }
  assert.throws(() => parseAddress('nope'), /invalid --address/);
});

/** Starts `crane registry serve` and resolves with its URL once it says it is serving. */
function serve(dir: string, args: string[] = ['--address', '127.0.0.1:0', '--disk', dir]): Promise<{ url: string; stop: () => Promise<{ code: number | null; stderr: string }> }> {
  const proc = spawn(process.execPath, [crane, 'registry', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '' } });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving on" line: ${stderr}`)), 10_000);
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /serving on port \d+ at (https?:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          stop: () =>
            new Promise((done) => {
              proc.once('exit', (code) => done({ code, stderr }));
              proc.kill('SIGTERM');
            }),
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
}

test('registry serve persists across a graceful restart, logs requests; gc removes what nothing references', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crane-serve-'));
  try {
    let s = await serve(dir);
    const kept = '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}';
    const orphan = 'nobody references me';
    for (const blob of [kept, orphan]) {
      const r = await fetch(`${s.url}/v2/app/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', body: blob });
      assert.equal(r.status, 201);
    }
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: kept.length, digest: sha(kept) },
      layers: [],
    });
    assert.equal((await fetch(`${s.url}/v2/app/manifests/v1`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } })).status, 201);
    const first = await s.stop();
    assert.equal(first.code, 0);
    assert.match(first.stderr, /^PUT \/v2\/app\/manifests\/v1 201 0 [\d.]+ms$/m);
    assert.match(first.stderr, /shutting down/);

    s = await serve(dir);
    assert.equal((await fetch(`${s.url}/v2/app/manifests/v1`)).status, 200, 'the manifest survived the restart');
    assert.equal((await s.stop()).code, 0);

    const run = promisify(execFile);
    const dry = await run(process.execPath, [crane, 'registry', 'gc', '--disk', dir, '--dry-run']);
    assert.match(dry.stdout, new RegExp(`would remove blob ${sha(orphan)}`));
    assert.doesNotMatch(dry.stdout, new RegExp(sha(kept)));
    const real = await run(process.execPath, [crane, 'registry', 'gc', '--disk', dir]);
    assert.match(real.stdout, new RegExp(`removed blob ${sha(orphan)}`));
    const again = await run(process.execPath, [crane, 'registry', 'gc', '--disk', dir, '--dry-run']);
    assert.equal(again.stdout, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('registry serve with no --address stays on loopback; --blobs-to-disk, --auth-config, --tls-cert/--tls-key and --no-access-log', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crane-serve-flags-'));
  try {
    const { certPem, keyPem } = await createSelfSignedCertificate({ commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    await writeFile(join(dir, 'cert.pem'), certPem);
    await writeFile(join(dir, 'key.pem'), keyPem);
    await writeFile(join(dir, 'auth.json'), JSON.stringify({ users: { alice: bcrypt.hashSync('pw', 4) } }));
    await assert.rejects(promisify(execFile)(process.execPath, [crane, 'registry', 'serve', '--blobs-to-disk', '--disk', dir]), /--disk and --blobs-to-disk can't be used together/);

    const s = await serve(dir, ['--blobs-to-disk', '--auth-config', join(dir, 'auth.json'), '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), '--no-access-log']);
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const get = (path: string, init: { method?: string; auth?: string; body?: string } = {}) =>
      new Promise<number>((resolve, reject) => {
        const r = httpsRequest(`${s.url}${path}`, { method: init.method ?? 'GET', ca: certPem, headers: init.auth ? { authorization: `Basic ${Buffer.from(init.auth).toString('base64')}` } : {} }, (res) => {
          res.resume().on('end', () => resolve(res.statusCode ?? 0));
        });
        r.on('error', reject).end(init.body);
      });
    assert.equal(await get('/v2/'), 401, 'anonymous is refused with an access file');
    assert.equal(await get('/v2/', { auth: 'alice:wrong' }), 401);
    assert.equal(await get('/v2/', { auth: 'alice:pw' }), 200);
    const blob = 'kept in a temporary directory';
    assert.equal(await get(`/v2/app/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', auth: 'alice:pw', body: blob }), 201);
    assert.equal(await get(`/v2/app/blobs/${sha(blob)}`, { auth: 'alice:pw' }), 200);
    const stopped = await s.stop();
    assert.equal(stopped.code, 0);
    assert.doesNotMatch(stopped.stderr, /^(GET|POST) /m, '--no-access-log');
    const temp = /\(disk: (\S+)\)/.exec(stopped.stderr)?.[1];
    assert.ok(temp, stopped.stderr);
    assert.equal(existsSync(temp), false, 'the --blobs-to-disk directory is removed at exit');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('registry serve --no-referrers answers the referrers API with 404; by default it is served', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crane-serve-referrers-'));
  const digest = sha('no such subject');
  try {
    for (const [args, status] of [[[], 200], [['--no-referrers'], 404]] as const) {
      const s = await serve(dir, ['--address', '127.0.0.1:0', ...args]);
      try {
        assert.equal((await fetch(`${s.url}/v2/app/referrers/${digest}`)).status, status, args.join(' '));
      } finally {
        await s.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
