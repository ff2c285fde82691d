// Access tokens: ES256-signed JWTs shaped like Entra ID app-only tokens. Expiry is checked against real
// time (not the emulator clock) so moving the emulator clock never invalidates tokens MSAL has cached.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./files.js";

/** Audiences ARM accepts (ARM also accepts the emulator's own endpoint, which is what the SDKs ask for). */
export const ARM_AUDIENCES = ["https://management.azure.com", "https://management.azure.com/", "https://management.core.windows.net", "https://management.core.windows.net/"];

export interface TokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  azp: string;
  oid: string;
  sub: string;
  tid: string;
  idtyp: "app";
  app_displayname: string;
  ver: "2.0";
  uti: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: "malformed" | "signature" | "expired" | "audience"; claims?: TokenClaims };

export class TokenSigner {
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(privateKey: KeyObject, keyId: string) {
    this.privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyId;
  }

  static loadOrCreate(stateDir: string): TokenSigner {
    const path = join(stateDir, "token-signing-key.pem");
    if (!existsSync(path)) {
      const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      writeFileAtomic(path, privateKey.export({ type: "pkcs8", format: "pem" }) as string, 0o600);
    }
    const key = createPrivateKey(readFileSync(path, "utf8"));
    const jwk = createPublicKey(key).export({ format: "jwk" });
    return new TokenSigner(key, `${String(jwk.x).slice(0, 16)}`);
  }

  jwks(): { keys: object[] } {
    const jwk = this.publicKey.export({ format: "jwk" });
    return { keys: [{ ...jwk, kid: this.keyId, use: "sig", alg: "ES256" }] };
  }

  issue(claims: Omit<TokenClaims, "iat" | "nbf" | "exp" | "uti" | "ver" | "idtyp">, lifetimeSeconds: number, nowMs = Date.now()): string {
    const now = Math.floor(nowMs / 1000);
    const full: TokenClaims = {
      ...claims,
      iat: now,
      nbf: now - 300,
      exp: now + lifetimeSeconds,
      idtyp: "app",
      ver: "2.0",
      uti: randomUUID().replace(/-/g, ""),
    };
    const header = { typ: "JWT", alg: "ES256", kid: this.keyId };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(full))}`;
    const signature = sign("sha256", Buffer.from(input), { key: this.privateKey, dsaEncoding: "ieee-p1363" });
    return `${input}.${signature.toString("base64url")}`;
  }

  check(token: string, acceptedAudiences: string[], nowMs = Date.now()): TokenCheck {
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, reason: "malformed" };
    let header: { alg?: string };
    let claims: TokenClaims;
    try {
      header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    } catch {
      return { ok: false, reason: "malformed" };
    }
    if (header.alg !== "ES256" || typeof claims !== "object" || claims === null) return { ok: false, reason: "malformed" };
    const valid = verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(parts[2], "base64url"));
    if (!valid) return { ok: false, reason: "signature", claims };
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= nowMs) return { ok: false, reason: "expired", claims };
    const audience = String(claims.aud).replace(/\/+$/, "").toLowerCase();
    if (!acceptedAudiences.some((accepted) => accepted.replace(/\/+$/, "").toLowerCase() === audience)) {
      return { ok: false, reason: "audience", claims };
    }
    return { ok: true, claims };
  }
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
