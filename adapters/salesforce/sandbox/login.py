"""Logins: the OAuth token endpoint (username-password and JWT bearer flows) and the SOAP login() call."""

from __future__ import annotations

import re
import secrets
import time
from html import unescape
from typing import Any
from urllib.parse import parse_qs

import jwt
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from adapters.salesforce.sandbox.org import USER_ID
from adapters.salesforce.sandbox.state import ORG_ID, USERNAME, Sandbox, new_session
from adapters.salesforce.sandbox.web import state

router = APIRouter()
LOGIN_AUDIENCES = {"https://login.salesforce.com", "https://test.salesforce.com"}


def _oauth_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)


def _token(sandbox: Sandbox, username: str) -> JSONResponse:
    session = new_session()
    sandbox.sessions.add(session)
    body = {
        "access_token": session,
        "instance_url": sandbox.instance_url,
        "id": f"{sandbox.instance_url}/id/{ORG_ID}/{username}",
        "token_type": "Bearer",
        "issued_at": str(int(time.time() * 1000)),
        "signature": secrets.token_urlsafe(32),
    }
    return JSONResponse(body)


def _password_grant(sandbox: Sandbox, form: dict[str, str]) -> JSONResponse:
    app = sandbox.apps.get(form.get("client_id", ""))
    if app is None:
        return _oauth_error("invalid_client_id", "client identifier invalid")
    if not secrets.compare_digest(app.get("secret", ""), form.get("client_secret", "")):
        return _oauth_error("invalid_client", "invalid client credentials")
    username = form.get("username", "")
    user = sandbox.users.get(username)
    if user is None or not secrets.compare_digest(user[0] + user[1], form.get("password", "")):
        return _oauth_error("invalid_grant", "authentication failure")
    return _token(sandbox, username)


def _jwt_grant(sandbox: Sandbox, assertion: str) -> JSONResponse:
    try:
        claims: dict[str, Any] = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return _oauth_error("invalid_grant", "invalid assertion")
    app = sandbox.apps.get(str(claims.get("iss", "")))
    if app is None or not app.get("public_key"):
        return _oauth_error("invalid_client_id", "client identifier invalid")
    audiences = [*LOGIN_AUDIENCES, sandbox.instance_url]
    try:
        claims = jwt.decode(assertion, app["public_key"], algorithms=["RS256"], audience=audiences)
    except jwt.ExpiredSignatureError:
        return _oauth_error("invalid_grant", "expired access/refresh token")
    except jwt.PyJWTError:
        return _oauth_error("invalid_grant", "invalid assertion")
    username = str(claims.get("sub", ""))
    if username not in sandbox.users:
        return _oauth_error("invalid_grant", "user hasn't approved this consumer")
    return _token(sandbox, username)


@router.get("/services/oauth2/userinfo")
async def userinfo(request: Request) -> Response:
    """Who the bearer token belongs to (OpenID Connect userinfo)."""
    sandbox = state(request)
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer ") or auth[7:].strip() not in sandbox.sessions:
        return Response("Bad_OAuth_Token", status_code=403, media_type="text/plain")
    body = {"sub": f"{sandbox.instance_url}/id/{ORG_ID}/{USER_ID}", "user_id": USER_ID, "organization_id": ORG_ID,
            "preferred_username": USERNAME, "email": USERNAME}  # fmt: skip
    return JSONResponse(body)


@router.post("/services/oauth2/token")
async def token(request: Request) -> JSONResponse:
    """OAuth 2.0 token endpoint (form-encoded): grant_type password or JWT bearer."""
    sandbox = state(request)
    raw = (await request.body()).decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    grant = form.get("grant_type", "")
    if grant == "password":
        return _password_grant(sandbox, form)
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        return _jwt_grant(sandbox, form.get("assertion", ""))
    return _oauth_error("unsupported_grant_type", "grant type not supported")


def _element(xml: str, name: str) -> str:
    match = re.search(rf"<(?:\w+:)?{name}>(.*?)</(?:\w+:)?{name}>", xml, re.DOTALL)
    return unescape(match.group(1)) if match else ""


SOAP_FAULT = """<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope
 xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body>
<soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid username, password, security
 token; or user locked out.</faultstring><detail><sf:LoginFault><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>
<sf:exceptionMessage>Invalid username, password, security token; or user locked out.</sf:exceptionMessage>
</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"""


@router.post("/services/Soap/u/{version}")
async def soap_login(request: Request, version: str) -> Response:
    """The partner SOAP login() call: username, and password followed by the security token."""
    sandbox = state(request)
    xml = (await request.body()).decode("utf-8", "replace")
    username, password = _element(xml, "username"), _element(xml, "password")
    user = sandbox.users.get(username)
    if user is None or not secrets.compare_digest(user[0] + user[1], password):
        return Response(SOAP_FAULT, status_code=500, media_type="text/xml")
    session = new_session()
    sandbox.sessions.add(session)
    server = f"{sandbox.instance_url}/services/Soap/u/{version}/{ORG_ID[:15]}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result>'
        f"<passwordExpired>false</passwordExpired><sandbox>true</sandbox><serverUrl>{server}</serverUrl>"
        f"<sessionId>{session}</sessionId><userId>0055g0000001AAAAA0</userId>"
        "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, media_type="text/xml")
