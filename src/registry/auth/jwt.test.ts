import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { findPeer } from '../../../test/harness/peers.ts';
import { hasCode } from '../../errors/index.ts';
import * as der from './der.ts';
import { libtrustKeyId, signJwt, verifyJwt, type JwtSigner, type VerifyJwtOptions } from './jwt.ts';
import { signingKeyFromBundle, type TokenSigningKey } from './signing-key.ts';
import { createSelfSignedCertificate } from './x509.ts';

const keys: Record<'RS256' | 'ES256', TokenSigningKey> = {} as never;
before(async () => {
  keys.RS256 = signingKeyFromBundle(await createSelfSignedCertificate({ keyType: 'rsa' }));
  keys.ES256 = signingKeyFromBundle(await createSelfSignedCertificate({ keyType: 'ec' }));
});

const NOW = 1_900_000_000_000;
const iat = NOW / 1000;
const claims = {
  iss: 'test-issuer',
  sub: 'alice',
  aud: 'test-registry',
  exp: iat + 300,
  nbf: iat,
  iat,
  jti: 'abc',
  access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
};

function options(key: TokenSigningKey, extra: Partial<VerifyJwtOptions> = {}): VerifyJwtOptions {
  return { keys: [key.publicKey], issuer: 'test-issuer', audience: 'test-registry', now: () => NOW, ...extra };
}

function parts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: Buffer; input: string } {
  const [h, p, s] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
    signature: Buffer.from(s, 'base64url'),
    input: `${h}.${p}`,
  };
}

/** A token with the given header and claims, signed by `signer` but without signJwt's checks. */
function forge(header: object, body: object, signer?: (input: Buffer) => Buffer): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
  return `${input}.${signer ? signer(Buffer.from(input)).toString('base64url') : 'AA'}`;
}

for (const alg of ['RS256', 'ES256'] as const) {
  test(`${alg}: sign and verify round-trip, with the header distribution reads`, () => {
    const key = keys[alg];
    const token = signJwt(claims, key);
    const { header, claims: got } = verifyJwt(token, options(key));
    assert.deepEqual(got, claims);
    assert.deepEqual(Object.keys(header), ['typ', 'alg', 'kid', 'x5c']);
    assert.equal(header.typ, 'JWT');
    assert.equal(header.alg, alg);
    assert.equal(header.kid, key.kid);
    // x5c is standard base64 (RFC 7515 §4.1.6) of the DER certificate, the rootcertbundle's.
    assert.deepEqual(header.x5c, [key.certDer.toString('base64')]);
    assert.equal(new X509Certificate(Buffer.from(header.x5c![0]!, 'base64')).toString(), new X509Certificate(key.certPem).toString());
  });

  test(`${alg}: the signature verifies with the public key of the x5c certificate`, () => {
    const { header, signature, input } = parts(signJwt(claims, keys[alg]));
    const certKey = new X509Certificate(Buffer.from((header['x5c'] as string[])[0]!, 'base64')).publicKey;
    if (alg === 'ES256') {
      assert.equal(signature.length, 64, 'JOSE form: r and s, 32 bytes each');
      assert.equal(verify('sha256', Buffer.from(input), { key: certKey, dsaEncoding: 'ieee-p1363' }, signature), true);
    } else {
      assert.equal(verify('sha256', Buffer.from(input), certKey, signature), true);
    }
  });

  test(`${alg}: openssl verifies the signature`, async (t) => {
    const openssl = findPeer(t, 'openssl');
    if (!openssl) return;
    const dir = await mkdtemp(join(tmpdir(), 'jwt-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const { signature, input } = parts(signJwt(claims, keys[alg]));
    // openssl wants ECDSA signatures DER-encoded: SEQUENCE { INTEGER r, INTEGER s }.
    const sig = alg === 'ES256' ? der.sequence(der.unsignedInteger(signature.subarray(0, 32)), der.unsignedInteger(signature.subarray(32))) : signature;
    await writeFile(join(dir, 'cert.pem'), keys[alg].certPem);
    await writeFile(join(dir, 'data'), input);
    await writeFile(join(dir, 'sig'), sig);
    const pub = execFileSync(openssl, ['x509', '-in', join(dir, 'cert.pem'), '-pubkey', '-noout'], { encoding: 'utf8' });
    await writeFile(join(dir, 'pub.pem'), pub);
    const out = execFileSync(openssl, ['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig'), join(dir, 'data')], { encoding: 'utf8' });
    assert.equal(out.trim(), 'Verified OK');
  });
}

test('the key id is libtrust\'s, as Go computes it for this fixed key', () => {
  const key = createPrivateKey(
    '-----BEGIN PRIVATE KEY-----\n' +
      'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgorJf/Kj6Su89bCIg\n' +
      '5ygoRvTHM0RoL0xxg+F6MvcrJNehRANCAARFEL8TiASqz/biGOA0ok7Dj/emdifE\n' +
      '5PdBNOqFgrJIsp+q4tcyPKHEeeROsOqk1EgwM7+3vY2qtEdP+4vNeZ2K\n' +
      '-----END PRIVATE KEY-----\n',
  );
  // Computed by Go 1.19: base32 of sha256(x509.MarshalPKIXPublicKey(pub))[:30], grouped by 4.
  const expected = '7O3F:T5SR:6ULS:R53I:GYON:5OYO:NP33:LS25:TLP5:3EAC:EWVM:QEUP';
  assert.equal(libtrustKeyId(key), expected);
  assert.equal(libtrustKeyId(createPublicKey(key)), expected);
  assert.match(libtrustKeyId(keys.RS256.publicKey), /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
});

test('a header without x5c or kid is written when the signer gives neither', () => {
  const signer: JwtSigner = { alg: 'ES256', privateKey: keys.ES256.privateKey };
  const { header } = parts(signJwt(claims, signer));
  assert.deepEqual(header, { typ: 'JWT', alg: 'ES256' });
});

test('signing with a key of the other algorithm is refused', () => {
  assert.throws(() => signJwt(claims, { alg: 'RS256', privateKey: keys.ES256.privateKey }), (err: Error) => hasCode(err, 'ERR_INVALID_ARGUMENT'));
});

test('algorithms outside the allow-list are refused, including none and HS256', () => {
  const es = signJwt(claims, keys.ES256);
  assert.throws(() => verifyJwt(es, options(keys.ES256, { algorithms: ['RS256'] })), /algorithm "ES256" is not allowed/);
  assert.throws(() => verifyJwt(forge({ alg: 'none' }, claims), options(keys.ES256)), /algorithm "none" is not allowed/);
  assert.throws(() => verifyJwt(forge({ alg: 'HS256' }, claims), options(keys.ES256)), /algorithm "HS256" is not allowed/);
});

test('a token signed by an untrusted key is refused, even if its x5c names that key', () => {
  const token = signJwt(claims, keys.RS256);
  assert.throws(() => verifyJwt(token, options(keys.ES256)), /no trusted key signs with RS256/);
  const stranger = forge(
    { typ: 'JWT', alg: 'ES256', x5c: [keys.ES256.certDer.toString('base64')] },
    claims,
    (input) => sign('sha256', input, { key: keys.ES256.privateKey, dsaEncoding: 'ieee-p1363' }),
  );
  const otherKey = { ...keys.ES256, publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey };
  assert.throws(() => verifyJwt(stranger, options(otherKey)), /signature does not verify with any trusted key/);
});

test('a changed payload or a DER-encoded ES256 signature does not verify', () => {
  const token = signJwt(claims, keys.ES256);
  const [h, , s] = token.split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url')}.${s}`;
  assert.throws(() => verifyJwt(tampered, options(keys.ES256)), /signature does not verify/);
  const derSigned = forge(parts(token).header, claims, (input) => sign('sha256', input, keys.ES256.privateKey));
  assert.throws(() => verifyJwt(derSigned, options(keys.ES256)), /signature does not verify/);
});

test('issuer and audience must match; an audience list may contain ours', () => {
  const key = keys.ES256;
  assert.throws(() => verifyJwt(signJwt({ ...claims, iss: 'other' }, key), options(key)), /issuer "other" is not "test-issuer"/);
  assert.throws(() => verifyJwt(signJwt({ ...claims, aud: 'other' }, key), options(key)), /audience "other" does not include "test-registry"/);
  assert.equal(verifyJwt(signJwt({ ...claims, aud: ['x', 'test-registry'] }, key), options(key)).claims.sub, 'alice');
});

test('exp and nbf are checked with 60 s of slack by default', () => {
  const key = keys.ES256;
  const at = (ms: number): VerifyJwtOptions => options(key, { now: () => ms });
  const token = signJwt(claims, key);
  assert.ok(verifyJwt(token, at(NOW + 359_000)));
  assert.throws(() => verifyJwt(token, at(NOW + 361_000)), (err: Error) => hasCode(err, 'ERR_INVALID_TOKEN') && /expired at/.test(err.message));
  assert.ok(verifyJwt(token, at(NOW - 59_000)));
  assert.throws(() => verifyJwt(token, at(NOW - 61_000)), /not valid before/);
  assert.throws(() => verifyJwt(token, options(key, { now: () => NOW + 310_000, clockSkewSeconds: 0 })), /expired/);
  const { exp: _, ...noExp } = claims;
  assert.throws(() => verifyJwt(signJwt(noExp, key), options(key)), /no numeric "exp"/);
});

test('malformed tokens are refused without echoing them', () => {
  const key = keys.ES256;
  for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', 'a..c', 'a b.c.d', `${'A'.repeat(70_000)}.b.c`]) {
    assert.throws(() => verifyJwt(bad, options(key)), (err: Error) => hasCode(err, 'ERR_INVALID_TOKEN') && !err.message.includes(bad || '\0'), bad.slice(0, 20));
  }
  assert.throws(() => verifyJwt('bm90anNvbg.e30.AA', options(key)), /header is not base64url JSON/);
  const badAccess = signJwt({ ...claims, access: [{ type: 'repository', name: 'x', actions: 'pull' }] }, key);
  assert.throws(() => verifyJwt(badAccess, options(key)), /access\[0\] is not/);
});

test('a token without sub or access reads as sub "" and no access', () => {
  const { sub: _s, access: _a, ...bare } = claims;
  const got = verifyJwt(signJwt(bare, keys.RS256), options(keys.RS256)).claims;
  assert.equal(got.sub, '');
  assert.deepEqual(got.access, []);
});
