// A real OpenID provider for chinwag's single sign-on tests: panva's oidc-provider (the
// certified implementation), with its development sign-in and consent pages.
//
//   node provider.mjs '<config JSON>'
//
// config: {host, client_id, client_secret, redirect_uris: [...], accounts: {id: claims}}.
// It listens on a free port of `host`, then prints one JSON line {"issuer": ...}; it stops
// when its standard input closes (the test that started it is done).
// The sign-in page takes any password: the login typed names the account (an id of
// `accounts`); an unknown one is refused by the token endpoint (no such account).

import crypto from "node:crypto";
import http from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(process.argv[2]);
const server = http.createServer();

server.listen(0, config.host, () => {
  const issuer = `http://${config.host}:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: config.redirect_uris,
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_basic",
    }],
    // PKCE (S256) for every client, confidential ones too.
    pkce: { required: () => true },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    features: { devInteractions: { enabled: true } },
    // A signing key of this run's own (oidc-provider's built-in development key is public).
    jwks: { keys: [{ ...signingKey(), kid: crypto.randomUUID(), use: "sig", alg: "RS256" }] },
    cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
    async findAccount(_ctx, id) {
      const claims = config.accounts[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  provider.proxy = false;
  server.on("request", provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  return privateKey.export({ format: "jwk" });
}

process.stdin.on("end", () => { server.close(); process.exit(0); });
process.stdin.resume();
