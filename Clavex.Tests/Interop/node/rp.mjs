// Signs a user in through Clavex with openid-client (a certified OpenID Connect relying party) and prints a JSON
// summary on stdout for Clavex.Tests/Interop/NodeOpenIdClientTests.cs to assert on. The browser's part (Clavex's
// login form) is played with fetch: redirects followed by hand, cookies kept in a small jar.
//
// Environment: CLAVEX_ISSUER, CLAVEX_CLIENT_ID, CLAVEX_CLIENT_SECRET, CLAVEX_REDIRECT_URI, CLAVEX_USERNAME,
// CLAVEX_PASSWORD, CLAVEX_CLIENT_AUTH (client_secret_post or client_secret_basic).
import * as client from 'openid-client';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const issuer = new URL(env('CLAVEX_ISSUER'));
const redirectUri = env('CLAVEX_REDIRECT_URI');
const clientAuth = env('CLAVEX_CLIENT_AUTH') === 'client_secret_basic'
  ? client.ClientSecretBasic(env('CLAVEX_CLIENT_SECRET'))
  : client.ClientSecretPost(env('CLAVEX_CLIENT_SECRET'));

// http is allowed because Clavex listens on loopback in the tests.
const config = await client.discovery(issuer, env('CLAVEX_CLIENT_ID'), undefined, clientAuth, { execute: [client.allowInsecureRequests] });

const codeVerifier = client.randomPKCECodeVerifier();
const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
const state = client.randomState();
const nonce = client.randomNonce();
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email groups offline_access',
  code_challenge: codeChallenge,
  code_challenge_method: 'S256',
  state,
  nonce,
});

const callbackUrl = await signInAtClavex(authorizationUrl, env('CLAVEX_USERNAME'), env('CLAVEX_PASSWORD'));

const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
  pkceCodeVerifier: codeVerifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
});
const idTokenClaims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, idTokenClaims.sub);
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);

process.stdout.write(JSON.stringify({
  authorization_endpoint: config.serverMetadata().authorization_endpoint,
  callback_state_matched: callbackUrl.searchParams.get('state') === state,
  token_type: tokens.token_type,
  scope: tokens.scope ?? null,
  has_refresh_token: typeof tokens.refresh_token === 'string',
  id_token_claims: idTokenClaims,
  userinfo,
  refreshed: {
    has_access_token: typeof refreshed.access_token === 'string',
    access_token_changed: refreshed.access_token !== tokens.access_token,
    id_token_sub: refreshed.claims()?.sub ?? null,
  },
}) + '\n');

/** Plays the browser: GET the authorization URL, fill in Clavex's login form, return the redirect to the RP. */
async function signInAtClavex(url, username, password) {
  const jar = new Map();
  const send = async (target, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const equals = pair.indexOf('=');
      jar.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
    }
    return response;
  };

  const page = await send(url);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorization page answered ${page.status}: ${html}`);
  const form = findForm(html, '/login');
  form.fields.set('username', username);
  form.fields.set('password', password);
  const posted = await send(new URL(form.action, url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([...form.fields]).toString(),
  });
  const location = posted.headers.get('location');
  if (posted.status !== 303 || !location) throw new Error(`login answered ${posted.status}: ${await posted.text()}`);
  return new URL(location, url);
}

/** The first form posting to *actionSuffix, with its hidden fields, as a browser without scripts would submit it. */
function findForm(html, actionSuffix) {
  for (const match of html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const action = decode(match[1]);
    if (!action.endsWith(actionSuffix)) continue;
    const fields = new Map();
    for (const [input] of match[2].matchAll(/<input\b[^>]*>/g)) {
      if (!input.includes('type="hidden"')) continue;
      fields.set(decode(/\bname="([^"]*)"/.exec(input)?.[1] ?? ''), decode(/\bvalue="([^"]*)"/.exec(input)?.[1] ?? ''));
    }
    return { action, fields };
  }
  throw new Error(`no form posting to *${actionSuffix} on the page:\n${html}`);
}

function decode(text) {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
