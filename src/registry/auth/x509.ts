/**
 * @module Self-signed X.509 certificates built with node:crypto alone (hand-written DER), and
 * loading of a user's own key and certificate PEM files. The token issuer puts its certificate
 * in every JWT's `x5c` header, and distribution trusts it through `rootcertbundle`; the same
 * certificates can serve TLS for a loopback registry (RFC 5280 profile, v3).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { InvalidArgumentError } from '../../errors/index.ts';
import * as der from './der.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

const OID = {
  commonName: '2.5.4.3',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

/** A private key and its certificate, in the forms callers need. */
export interface CertificateBundle {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly certificate: X509Certificate;
  readonly certDer: Buffer;
  readonly certPem: string;
  /** The private key as PKCS #8 PEM. */
  readonly keyPem: string;
}

/** Options for {@link createSelfSignedCertificate}. */
export interface SelfSignedOptions {
  /** Subject and issuer common name. Default `containerregistry`. */
  readonly commonName?: string;
  /** The key to certify (RSA, or EC on P-256); a new one of `keyType` is made when absent. */
  readonly privateKey?: KeyObject;
  /** Kind of key to make. Default `ec` (P-256): fast to make, small signatures. */
  readonly keyType?: 'rsa' | 'ec';
  /** RSA modulus size. Default 2048, the size every verifier accepts. */
  readonly rsaBits?: number;
  /** Start of validity. Default five minutes ago, so a peer whose clock lags still accepts it. */
  readonly notBefore?: Date;
  /** Length of validity in days. Default 3650: a persisted issuer key should not lapse unnoticed. */
  readonly validityDays?: number;
  /** Mark it a CA (basicConstraints cA, keyCertSign). Default true: a trust root is one. */
  readonly ca?: boolean;
  /** DNS names for subjectAltName (for TLS). */
  readonly dnsNames?: readonly string[];
  /** IP addresses for subjectAltName (for TLS), v4 or v6. */
  readonly ipAddresses?: readonly string[];
}

/**
 * Makes a self-signed certificate: version 3, a random positive serial, issuer = subject = CN,
 * the key's own SubjectPublicKeyInfo, basicConstraints, keyUsage, subject and authority key
 * identifiers, optional subjectAltName; signed with SHA-256 (RSA PKCS #1 v1.5 or ECDSA).
 *
 * @example
 * const { certPem, keyPem } = await createSelfSignedCertificate({ commonName: 'token issuer' });
 */
export async function createSelfSignedCertificate(options: SelfSignedOptions = {}): Promise<CertificateBundle> {
  const privateKey = options.privateKey ?? (await generateKey(options.keyType ?? 'ec', options.rsaBits ?? 2048));
  const publicKey = createPublicKey(privateKey);
  const signatureAlgorithm = signatureAlgorithmFor(publicKey);
  const name = der.sequence(der.set(der.sequence(der.objectIdentifier(OID.commonName), der.utf8String(options.commonName ?? 'containerregistry'))));
  const notBefore = options.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = new Date(notBefore.getTime() + (options.validityDays ?? 3650) * 86_400_000);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = subjectKeyId(publicKey);
  const ca = options.ca ?? true;

  const extensions = [
    extension(OID.basicConstraints, true, der.sequence(...(ca ? [der.boolean(true)] : []))),
    // digitalSignature (0) for signing tokens and TLS; keyCertSign (5) and cRLSign (6) for a CA.
    extension(OID.keyUsage, true, der.namedBits([true, false, false, false, false, ca, ca])),
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyId)),
    extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, keyId))),
  ];
  const altNames = [
    ...(options.dnsNames ?? []).map((dns) => der.implicitPrimitive(2, Buffer.from(dns, 'latin1'))),
    ...(options.ipAddresses ?? []).map((ip) => der.implicitPrimitive(7, ipBytes(ip))),
  ];
  if (altNames.length > 0) extensions.push(extension(OID.subjectAltName, false, der.sequence(...altNames)));

  const tbs = der.sequence(
    der.explicit(0, der.unsignedInteger(2)), // v3
    der.unsignedInteger(serialNumber()),
    signatureAlgorithm,
    name,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    name,
    spki,
    der.explicit(3, der.sequence(...extensions)),
  );
  // Certificates carry ECDSA signatures DER-encoded, node's default (JWTs want the raw form).
  const signature = sign('sha256', tbs, privateKey);
  const certDer = der.sequence(tbs, signatureAlgorithm, der.bitString(signature));
  return bundle(privateKey, certDer);
}

/**
 * Loads a user's key and certificate PEM files (the first certificate of `certPath` is used,
 * so a chain file works). Fails with `InvalidArgumentError` when either does not parse, when
 * the key does not belong to the certificate, or when the certificate has expired.
 */
export async function loadCertificateBundle(certPath: string, keyPath: string): Promise<CertificateBundle> {
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return certificateBundleFromPem(certPem, keyPem, { certSource: certPath, keySource: keyPath });
}

/** {@link loadCertificateBundle} for PEM text already in memory. */
export function certificateBundleFromPem(
  certPem: string,
  keyPem: string,
  sources: { certSource?: string; keySource?: string } = {},
): CertificateBundle {
  const certSource = sources.certSource ?? 'certificate';
  const keySource = sources.keySource ?? 'private key';
  let privateKey: KeyObject;
  let certificate: X509Certificate;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (err) {
    throw new InvalidArgumentError(`${keySource}: not a PEM private key`, { cause: err });
  }
  try {
    certificate = new X509Certificate(certPem);
  } catch (err) {
    throw new InvalidArgumentError(`${certSource}: not a PEM certificate`, { cause: err });
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new InvalidArgumentError(`${keySource} is not the key of the certificate in ${certSource}`);
  }
  if (Date.parse(certificate.validTo) < Date.now()) {
    throw new InvalidArgumentError(`${certSource}: certificate expired on ${certificate.validTo}`);
  }
  signatureAlgorithmFor(certificate.publicKey, certSource);
  return bundle(privateKey, certificate.raw);
}

/**
 * RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (the PKCS #1 RSAPublicKey, or
 * the uncompressed EC point), which is what OpenSSL puts in its certificates.
 */
export function subjectKeyId(publicKey: KeyObject): Buffer {
  let keyBits: Buffer;
  if (publicKey.asymmetricKeyType === 'rsa') {
    keyBits = publicKey.export({ type: 'pkcs1', format: 'der' });
  } else {
    const jwk = publicKey.export({ format: 'jwk' });
    keyBits = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  }
  return createHash('sha1').update(keyBits).digest();
}

function bundle(privateKey: KeyObject, certDer: Buffer): CertificateBundle {
  const base64 = certDer.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  const certPem = `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
  return {
    privateKey,
    publicKey: createPublicKey(privateKey),
    certificate: new X509Certificate(certDer),
    certDer,
    certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

async function generateKey(keyType: 'rsa' | 'ec', rsaBits: number): Promise<KeyObject> {
  const pair =
    keyType === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: rsaBits })
      : await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  return pair.privateKey;
}

/** The AlgorithmIdentifier for signing with SHA-256 and this key; only RSA and P-256 qualify. */
function signatureAlgorithmFor(publicKey: KeyObject, source = 'key'): Buffer {
  if (publicKey.asymmetricKeyType === 'rsa') {
    return der.sequence(der.objectIdentifier(OID.sha256WithRSAEncryption), der.nullValue());
  }
  if (publicKey.asymmetricKeyType === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return der.sequence(der.objectIdentifier(OID.ecdsaWithSHA256));
  }
  const kind = publicKey.asymmetricKeyType === 'ec' ? `EC ${publicKey.asymmetricKeyDetails?.namedCurve}` : publicKey.asymmetricKeyType;
  throw new InvalidArgumentError(`${source}: ${kind} keys are not supported; use RSA or EC P-256`);
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/** 16 random bytes with the top bit clear: positive, and unpredictable as RFC 5280 advises. */
function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

function ipBytes(ip: string): Buffer {
  const version = isIP(ip);
  if (version === 4) return Buffer.from(ip.split('.').map(Number));
  if (version !== 6) throw new InvalidArgumentError(`subjectAltName: ${JSON.stringify(ip)} is not an IP address`);
  let text = ip.replace(/%.*$/, '');
  // A trailing dotted quad (`::ffff:1.2.3.4`) becomes two hex groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const bytes = Buffer.alloc(16);
  [...headGroups, ...zeros, ...tailGroups].forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}
