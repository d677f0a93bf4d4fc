"""Outbound webhooks: signing, retry schedule, SSRF guard, HTTP sender and the dispatcher loop."""
