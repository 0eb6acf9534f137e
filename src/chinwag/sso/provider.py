"""The OpenID provider as chinwag's client sees it (Authlib): its discovery document and
keys (cached), the authorization URL with state, nonce and PKCE, and the code's exchange
for a checked ID token and the claims of the account that signed in.

Nothing here logs a token, a code or the client secret.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from dataclasses import dataclass

import httpx
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from chinwag.config import Settings

with warnings.catch_warnings():
    # Authlib 1.8+ names the httpx2 fork as its preferred transport and warns once when it
    # falls back to httpx, which it still supports and chinwag already ships.
    warnings.filterwarnings("ignore", "The httpx module", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

log = logging.getLogger("chinwag.sso")

SCOPE = "openid email profile"
DISCOVERY_TTL = 3600.0  # seconds a discovery document (and its keys) is believed
TIMEOUT = 10.0  # seconds for any one request to the provider
LEEWAY = 120  # seconds of clock difference allowed on exp and iat


class ProviderError(Exception):
    """The provider could not be reached or answered something unusable."""


class TokenRefused(Exception):
    """The ID token failed a check (signature, iss, aud, exp, nonce); `claim` names it."""

    def __init__(self, claim: str | None) -> None:
        super().__init__(claim or "signature")
        self.claim = claim


@dataclass(frozen=True)
class Authorization:
    """What the browser is sent to the provider with, and what its answer is checked by."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class OidcProvider:
    """One configured provider (CHINWAG_OIDC_*), shared by the process's requests."""

    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.oidc_issuer
        self.client_id = settings.oidc_client_id
        self._secret = settings.oidc_client_secret
        self.redirect_uri = f"{settings.public_url}/api/auth/oidc/callback"
        self._metadata: dict | None = None
        self._fetched_at = 0.0
        self._keys: dict | None = None
        self._lock = asyncio.Lock()

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self._secret,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=TIMEOUT,
        )

    async def metadata(self) -> dict:
        """The discovery document, fetched at most once an hour."""
        async with self._lock:
            if self._metadata is None or time.monotonic() - self._fetched_at > DISCOVERY_TTL:
                self._metadata = await self._discover()
                self._keys = None
                self._fetched_at = time.monotonic()
            return self._metadata

    async def _discover(self) -> dict:
        url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
        document = await _get_json(url)
        # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer asked for.
        if document.get("issuer") != self.issuer:
            raise ProviderError(f"discovery names issuer {document.get('issuer')!r}")
        for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(field), str):
                raise ProviderError(f"discovery document lacks {field}")
        return document

    async def authorization(self) -> Authorization:
        """A fresh state, nonce and PKCE verifier, and the provider's URL carrying them."""
        metadata = await self.metadata()
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=state,
                nonce=nonce,
                code_verifier=verifier,
            )
        return Authorization(url, state, nonce, verifier)

    async def claims(self, code: str, code_verifier: str, nonce: str) -> dict:
        """Exchange the code (with the verifier and the client secret), check the ID token
        and answer its claims, completed from the userinfo endpoint when it lacks the
        email (providers that keep ID tokens small)."""
        metadata = await self.metadata()
        async with self._client() as client:
            try:
                token = await client.fetch_token(
                    metadata["token_endpoint"], code=code, code_verifier=code_verifier
                )
            except (OAuthError, httpx.HTTPError, ValueError) as exc:
                raise ProviderError(f"token exchange failed: {type(exc).__name__}") from None
            if "id_token" not in token:
                raise ProviderError("the token endpoint answered no id_token")
            claims = await self._checked_id_token(token, nonce)
            if "email" not in claims and metadata.get("userinfo_endpoint"):
                info = await _userinfo(client, metadata["userinfo_endpoint"])
                # OpenID Connect Core 5.3.2: userinfo about anyone else must not be used.
                if info.get("sub") != claims["sub"]:
                    raise ProviderError("userinfo names another subject")
                claims = {**info, **claims}
        return claims

    async def _checked_id_token(self, token: dict, nonce: str) -> dict:
        metadata = await self.metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        # Signatures by the provider's published keys only: not `none`, nor HS* (those are
        # keyed by the client secret, and a public key must never serve as an HMAC key).
        asymmetric = [a for a in algorithms if a != "none" and not a.startswith("HS")]
        registry = JWSRegistry(algorithms=asymmetric)
        try:
            try:
                decoded = jwt.decode(token["id_token"], await self._key_set(), registry=registry)
            except InvalidKeyIdError:  # the provider rotated its keys since we fetched them
                decoded = jwt.decode(
                    token["id_token"], await self._key_set(fresh=True), registry=registry
                )
            options = {
                "iss": {"essential": True, "value": self.issuer},
                "aud": {"essential": True, "value": self.client_id},
            }
            params = {
                "nonce": nonce,
                "client_id": self.client_id,
                "access_token": token.get("access_token"),
            }
            checked = CodeIDToken(decoded.claims, decoded.header, options, params)
            checked.validate(leeway=LEEWAY)
        except JoseError as exc:
            raise TokenRefused(getattr(exc, "claim", None)) from None
        except ValueError:  # not a JWT at all
            raise TokenRefused(None) from None
        return dict(checked)

    async def _key_set(self, *, fresh: bool = False) -> KeySet:
        metadata = await self.metadata()
        if self._keys is None or fresh:
            self._keys = await _get_json(metadata["jwks_uri"])
        try:
            return KeySet.import_key_set(self._keys)
        except (JoseError, ValueError, TypeError, KeyError):
            raise ProviderError("the provider's jwks_uri holds no usable key set") from None


async def _get_json(url: str) -> dict:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"{url}: {type(exc).__name__}") from None
    if not isinstance(document, dict):
        raise ProviderError(f"{url}: not a JSON object")
    return document


async def _userinfo(client: AsyncOAuth2Client, url: str) -> dict:
    try:
        response = await client.get(url)
        response.raise_for_status()
        info = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"userinfo failed: {type(exc).__name__}") from None
    if not isinstance(info, dict):
        raise ProviderError("userinfo: not a JSON object")
    return info
