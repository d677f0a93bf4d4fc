"""Inbound webhooks: one module per provider, each verifying the raw bytes before anything is parsed.

Every provider module offers `verify(request, secrets, now) -> Verified` (raising `Rejected` with the HTTP
status to answer), `handshake(request, secrets) -> Reply | None` for GET challenges, and
`interpret(payload) -> Interpretation` used later, from the queue, to turn a stored event into ingest
records or CRM change notices.
"""
