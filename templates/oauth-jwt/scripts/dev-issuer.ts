/**
 * A stand-in OAuth2 / OpenID Connect provider for trying this project without an account anywhere: it signs
 * access tokens with a key it makes at start-up and publishes the public half as a JWKS - what Auth0, Okta,
 * Keycloak, Supabase, Cognito, ... do for real. Run it with `npm run issuer`; `.env.example` points at it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface DevIssuer {
  issuer: string;
  jwksUrl: string;
  /** Signs an access token for `sub`; `claims` are added to (or override) the standard ones. */
  mint(sub: string, claims?: Record<string, unknown>, expiresIn?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startDevIssuer(options: { port?: number; audience?: string } = {}): Promise<DevIssuer> {
  const audience = options.audience ?? "langgraph-api";
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "dev-key", alg: "RS256", use: "sig" };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/jwks.json") return json(200, { keys: [jwk] });
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, { issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ["RS256"] });
    }
    // GET /token?sub=alice: a fresh token for anyone - which is exactly why this is for local development only.
    if (url.pathname === "/token") return json(200, { access_token: await mint(url.searchParams.get("sub") ?? "user1") });
    json(404, { error: "not found" });
  });
  // Loopback only: anyone who can reach this server can mint tokens.
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function mint(sub: string, claims: Record<string, unknown> = {}, expiresIn = "12h") {
    // Claims go in the payload (not through setIssuer & co., which would win) so tests can forge bad ones.
    return new SignJWT({ iss: issuer, aud: audience, sub, name: sub, scope: "openid", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  }

  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    mint,
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

// Run as a script: listen where .env.example expects it and print tokens to paste into a client.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dev = await startDevIssuer({ port: Number(process.env.PORT ?? 9999), audience: process.env.AUTH_AUDIENCE });
  console.log(`Dev issuer at ${dev.issuer} (JWKS: ${dev.jwksUrl})`);
  for (const user of ["user1", "user2"]) console.log(`\nToken for ${user} (valid 12h):\n${await dev.mint(user)}`);
  console.log(`\nMore: curl '${dev.issuer}/token?sub=alice'. Press Ctrl+C to stop.`);
}
