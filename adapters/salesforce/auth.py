"""Logging in to Salesforce: a given session id, username/password(+security token), or the JWT bearer flow.

The login URL is `https://{domain}.salesforce.com` when `auth.domain` is set (login, test, or a My Domain
prefix such as acme.my), otherwise the instance URL (a My Domain URL accepts logins, and so does the sandbox).
simple-salesforce's own login helpers do the HTTP exchange; only the URL is chosen here. No credential is ever
logged or put into an error message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

import jwt
import requests
from simple_salesforce.exceptions import SalesforceAuthenticationFailed
from simple_salesforce.login import soap_login, token_login

from adapters.base import AuthError, ConfigError
from adapters.salesforce.config import SalesforceConfig

SOAP_LOGIN = """<?xml version="1.0" encoding="utf-8" ?>
<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
 <env:Header><urn:CallOptions><urn:client>rapport</urn:client></urn:CallOptions></env:Header>
 <env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>{username}</n1:username>
 <n1:password>{password}</n1:password></n1:login></env:Body></env:Envelope>"""


def login_url(cfg: SalesforceConfig) -> str:
    """Where logins go (see the module docstring)."""
    domain = cfg.auth.get("domain") or (cfg.auth.get("jwt") or {}).get("domain")
    return f"https://{domain}.salesforce.com" if domain else cfg.instance_url


def _instance_url(host: str) -> str:
    return host if host.startswith("https://") else f"https://{host}"


def _password(cfg: SalesforceConfig, session: requests.Session) -> tuple[str, str]:
    auth = cfg.auth
    if auth.get("consumer_key") and auth.get("consumer_secret"):
        data = {
            "grant_type": "password",
            "client_id": auth["consumer_key"],
            "client_secret": auth["consumer_secret"],
            "username": auth["username"],
            "password": f"{auth['password']}{auth.get('security_token') or ''}",
        }
        url = f"{login_url(cfg)}/services/oauth2/token"
        token, host = token_login(url, data, "login", str(auth["consumer_key"]), None, None, session)
        return str(token), _instance_url(str(host))
    body = SOAP_LOGIN.format(
        username=escape(str(auth["username"])), password=escape(f"{auth['password']}{auth.get('security_token') or ''}")
    )
    headers = {"content-type": "text/xml", "charset": "UTF-8", "SOAPAction": "login"}
    url = f"{login_url(cfg)}/services/Soap/u/{cfg.api_version}"
    token, host = soap_login(url, body, headers, None, session)
    return str(token), _instance_url(str(host))


def _private_key(settings: Any) -> str:
    if settings.get("private_key"):
        return str(settings["private_key"])
    try:
        return Path(str(settings["private_key_file"])).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read auth.jwt.private_key_file ({exc.strerror})") from None


def _jwt(cfg: SalesforceConfig, session: requests.Session) -> tuple[str, str]:
    settings = cfg.auth["jwt"]
    audience = settings.get("audience") or "https://login.salesforce.com"
    claims = {
        "iss": settings["consumer_key"],
        "sub": settings["username"],
        "aud": audience,
        "exp": int((datetime.now(UTC) + timedelta(minutes=3)).timestamp()),
    }
    try:
        assertion = jwt.encode(claims, _private_key(settings), algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError):
        raise ConfigError("auth.jwt.private_key is not a usable RSA private key (PEM)") from None
    data = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    url = f"{login_url(cfg)}/services/oauth2/token"
    token, host = token_login(url, data, "login", str(settings["consumer_key"]), None, None, session)
    return str(token), _instance_url(str(host))


def login(cfg: SalesforceConfig, session: requests.Session) -> tuple[str, str]:
    """A session id and the instance URL to use with it; AuthError when Salesforce refuses the login."""
    if cfg.auth_mode == "session":
        return str(cfg.auth["session_id"]), cfg.instance_url
    try:
        return _jwt(cfg, session) if cfg.auth_mode == "jwt" else _password(cfg, session)
    except SalesforceAuthenticationFailed as exc:
        raise AuthError(f"Salesforce refused the login for connection {cfg.name} ({exc.code})") from None
