"""Durable work: a job table (transactional outbox), workers that claim it under a lease, and the scheduler."""
