// The emulator's self-signed CA and server certificate, generated at first start with WebCrypto
// (no openssl) and kept in the state dir so clients that trusted the CA keep trusting it.
import { webcrypto } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { isIP } from "node:net";
import "./reflect-metadata-shim.js";
import * as x509 from "@peculiar/x509";
import { writeFileAtomic } from "./files.js";

export interface TlsMaterial {
  caCertPem: string;
  caCertPath: string;
  certPem: string;
  keyPem: string;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY = 24 * 60 * 60 * 1000;

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key as unknown as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  return (await webcrypto.subtle.importKey("pkcs8", der, ALGORITHM, true, ["sign"])) as unknown as CryptoKey;
}

async function generateKeys(): Promise<{ publicKey: CryptoKey; privateKey: CryptoKey }> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as unknown as { publicKey: CryptoKey; privateKey: CryptoKey };
}

/** Names the server certificate covers: loopback always, plus the host it listens on. */
export function serverNames(host: string): string[] {
  const names = ["localhost", "127.0.0.1", "::1", hostname()];
  if (host !== "" && host !== "0.0.0.0" && host !== "::" && !names.includes(host)) names.push(host);
  return names;
}

export async function loadOrCreateTls(stateDir: string, host: string): Promise<TlsMaterial> {
  const dir = join(stateDir, "tls");
  const caCertPath = join(dir, "ca.pem");
  const caKeyPath = join(dir, "ca-key.pem");
  const certPath = join(dir, "server.pem");
  const keyPath = join(dir, "server-key.pem");
  const namesPath = join(dir, "server-names.json");
  const now = Date.now();

  let caCert: x509.X509Certificate;
  let caKey: CryptoKey;
  if (existsSync(caCertPath) && existsSync(caKeyPath)) {
    caCert = new x509.X509Certificate(readFileSync(caCertPath, "utf8"));
    caKey = await importKeyPem(readFileSync(caKeyPath, "utf8"));
  } else {
    const keys = await generateKeys();
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      name: "CN=akspol ARM emulator CA",
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY),
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    caKey = keys.privateKey;
    writeFileAtomic(caKeyPath, await exportKeyPem(caKey), 0o600);
    writeFileAtomic(caCertPath, caCert.toString("pem"), 0o644);
  }

  const wanted = serverNames(host);
  const known: string[] = existsSync(namesPath) ? JSON.parse(readFileSync(namesPath, "utf8")) : [];
  const current = existsSync(certPath) && existsSync(keyPath) ? new x509.X509Certificate(readFileSync(certPath, "utf8")) : undefined;
  const stillValid = current !== undefined && current.notAfter.getTime() > now + 7 * DAY && current.issuer === caCert.subject;
  if (!stillValid || !wanted.every((name) => known.includes(name))) {
    const keys = await generateKeys();
    const cert = await x509.X509CertificateGenerator.create({
      subject: "CN=localhost",
      issuer: caCert.subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 365 * DAY),
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(wanted.map((name) => (isIP(name) ? { type: "ip" as const, value: name } : { type: "dns" as const, value: name }))),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ],
    });
    writeFileAtomic(keyPath, await exportKeyPem(keys.privateKey), 0o600);
    writeFileAtomic(certPath, cert.toString("pem"), 0o644);
    writeFileAtomic(namesPath, JSON.stringify(wanted));
  }

  return {
    caCertPem: readFileSync(caCertPath, "utf8"),
    caCertPath,
    certPem: readFileSync(certPath, "utf8"),
    keyPem: readFileSync(keyPath, "utf8"),
  };
}
