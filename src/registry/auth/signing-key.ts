/**
 * @module The token issuer's signing key and certificate: the user's own PEM files, or a pair
 * made on first start and kept in a directory so that restarts keep the key (tokens and refresh
 * tokens already handed out stay valid, and a distribution registry configured with the
 * certificate as its `rootcertbundle` keeps trusting us).
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../internal/atomic-file/index.ts';
import { InvalidArgumentError } from '../../errors/index.ts';
import { algorithmFor, libtrustKeyId, type JwtAlgorithm, type JwtSigner } from './jwt.ts';
import { createSelfSignedCertificate, loadCertificateBundle, type CertificateBundle } from './x509.ts';

/** A key that signs tokens, with everything the JWT header and verifiers need. */
export interface TokenSigningKey extends JwtSigner {
  readonly alg: JwtAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly certDer: Buffer;
  /** The certificate as PEM: what distribution's `rootcertbundle` must contain. */
  readonly certPem: string;
  readonly kid: string;
}

/** File names inside a key directory. */
export const KEY_FILE = 'token-key.pem';
export const CERT_FILE = 'token-cert.pem';

/** Options for {@link loadOrCreateSigningKey}. */
export interface SigningKeyOptions {
  /** The user's certificate and key PEM files; both or neither. */
  readonly certPath?: string;
  readonly keyPath?: string;
  /** Where a made key is kept (`token-key.pem`, `token-cert.pem`); without it, memory only. */
  readonly dir?: string;
  /** Kind of key to make. Default `rsa` (RS256), the algorithm every token consumer knows. */
  readonly keyType?: 'rsa' | 'ec';
  /** Common name of a made certificate. Default `containerregistry token issuer`. */
  readonly commonName?: string;
}

/** Wraps a key and certificate as a signing key; fails unless the key is RSA or EC P-256. */
export function signingKeyFromBundle(bundle: CertificateBundle): TokenSigningKey {
  const alg = algorithmFor(bundle.privateKey);
  if (alg === undefined) throw new InvalidArgumentError('token signing key must be RSA or EC P-256');
  return {
    alg,
    privateKey: bundle.privateKey,
    publicKey: bundle.publicKey,
    certDer: bundle.certDer,
    certPem: bundle.certPem,
    kid: libtrustKeyId(bundle.publicKey),
  };
}

/**
 * Returns the issuer's signing key: from `certPath`/`keyPath` when given; else from `dir` when
 * it holds one (a key alone gets a fresh certificate); else a new one, written to `dir` when
 * given (the key with mode 0600, each file renamed into place whole).
 *
 * @example
 * const key = await loadOrCreateSigningKey({ dir: '/var/lib/registry/auth' });
 * await writeFile('rootcerts.pem', key.certPem);
 */
export async function loadOrCreateSigningKey(options: SigningKeyOptions = {}): Promise<TokenSigningKey> {
  const { certPath, keyPath, dir } = options;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new InvalidArgumentError('give both certPath and keyPath for the token signing key, or neither');
  }
  if (certPath !== undefined && keyPath !== undefined) {
    return signingKeyFromBundle(await loadCertificateBundle(certPath, keyPath));
  }
  const make = (privateKey?: KeyObject): Promise<CertificateBundle> =>
    createSelfSignedCertificate({
      commonName: options.commonName ?? 'containerregistry token issuer',
      keyType: options.keyType ?? 'rsa',
      ...(privateKey ? { privateKey } : {}),
    });
  if (dir === undefined) return signingKeyFromBundle(await make());

  const keyFile = join(dir, KEY_FILE);
  const certFile = join(dir, CERT_FILE);
  const [hasKey, hasCert] = await Promise.all([exists(keyFile), exists(certFile)]);
  if (hasKey && hasCert) return signingKeyFromBundle(await loadCertificateBundle(certFile, keyFile));
  if (hasCert) throw new InvalidArgumentError(`${certFile} exists without ${keyFile}; remove it or restore the key`);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  let bundle: CertificateBundle;
  if (hasKey) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(await readFile(keyFile, 'utf8'));
    } catch (err) {
      throw new InvalidArgumentError(`${keyFile}: not a PEM private key`, { cause: err });
    }
    bundle = await make(privateKey);
  } else {
    bundle = await make();
    // The key goes first: a crash between the two renames leaves a key, which the next start
    // completes with a certificate, rather than a certificate nobody can sign for.
    await writeWhole(keyFile, bundle.keyPem, 0o600);
  }
  await writeWhole(certFile, bundle.certPem, 0o644);
  return signingKeyFromBundle(bundle);
}

/** Temp file, fsync, rename: a crash leaves the old file or the new one, never an empty key. */
async function writeWhole(path: string, text: string, mode: number): Promise<void> {
  await writeFileAtomic(path, Buffer.from(text), { mode, createParent: false });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
