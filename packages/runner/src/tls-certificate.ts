import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { TlsMaterial } from '@mockstack/core';
import forge from 'node-forge';

/**
 * A local CA (reused from `dir` when both its files are there and readable) and a fresh server
 * certificate for `hosts` signed by it. Keys come from node's crypto (RSA 2048); node-forge builds the
 * X.509 certificates, which node's crypto cannot.
 */
export function generateCertificate(dir: string, hosts: readonly string[]): TlsMaterial {
  const caFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca-key.pem');
  let ca = readCa(caFile, caKeyFile);
  if (!ca) {
    ca = newCa();
    mkdirSync(dir, { recursive: true });
    writeAtomically(caKeyFile, forge.pki.privateKeyToPem(ca.key), 0o600);
    writeAtomically(caFile, forge.pki.certificateToPem(ca.cert), 0o644);
  }
  const keys = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })) },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  const caPem = forge.pki.certificateToPem(ca.cert);
  return { cert: forge.pki.certificateToPem(cert) + caPem, key: forge.pki.privateKeyToPem(keys.privateKey), ca: caPem, caFile };
}

interface Ca {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

function readCa(caFile: string, caKeyFile: string): Ca | undefined {
  try {
    const cert = forge.pki.certificateFromPem(readFileSync(caFile, 'utf8'));
    const key = forge.pki.privateKeyFromPem(readFileSync(caKeyFile, 'utf8'));
    // Expiring within a day: make a new one rather than serve a certificate clients will refuse tomorrow.
    if (cert.validity.notAfter.getTime() < Date.now() + 24 * 3600_000) return undefined;
    // Two starts that made a CA at once may have left one's key beside the other's certificate.
    if (!(cert.publicKey as forge.pki.rsa.PublicKey).n.equals(key.n)) return undefined;
    return { cert, key };
  } catch {
    return undefined;
  }
}

function newCa(): Ca {
  const keys = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const subject = [
    { name: 'commonName', value: 'mockstack local CA' },
    { name: 'organizationName', value: 'mockstack' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

/** Other processes (parallel test workers) read a whole file or the previous one, never half of one. */
function writeAtomically(file: string, text: string, mode: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  chmodSync(temp, mode);
  renameSync(temp, file);
}

/** RSA 2048 from node's native crypto (forge's pure-JS generation takes seconds). */
function rsaKeys(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey };
}

/** A positive serial number, 16 random bytes in hex (leading bit cleared). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}
