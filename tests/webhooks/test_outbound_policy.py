"""Retry schedule, Retry-After, disabling (410, five days of failures), exhaustion and manual retry, and a
lease that expires (a worker killed mid-delivery) — on a hand-moved clock against a live receiver.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from hub.db.database import Database
from hub.db.tables import jobs
from hub.db.webhook_tables import webhook_endpoints
from hub.secrets import SecretBox
from hub.webhooks_admin import retry_delivery
from hub.webhooks_jobs import _schedule_next
from hub.webhooks_store import emit_event
from tests.webhooks.conftest import Clock
from tests.webhooks.helpers import add_endpoint, attempts, deliveries, endpoint, message_types
from tests.webhooks.receiver import Receiver
from webhooks.outbound.dispatcher import Dispatcher
from webhooks.outbound.schedule import MAX_ATTEMPTS, RETRY_SCHEDULE


def _emit(database: Database, clock: Clock, customer: str = "cus_1") -> str:
    with database.transaction() as conn:
        return emit_event(conn, "customer.updated", {"customer_id": customer, "changed": ["phone"]}, now=clock())


def _wait_seconds(database: Database, clock: Clock) -> float:
    return float((deliveries(database)[0].next_attempt_at - clock()).total_seconds())


def test_failures_follow_the_schedule_with_jitter_then_succeed_with_the_same_id(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    add_endpoint(database, box, clock, receiver.url)
    msg_id = _emit(database, clock)
    receiver.answer((500, {}, b"boom"), (502, {}, b""), (200, {}, b"ok"))

    dispatcher.deliver_due()
    assert 0.8 * RETRY_SCHEDULE[0] <= _wait_seconds(database, clock) <= 1.2 * RETRY_SCHEDULE[0]
    assert dispatcher.deliver_due() == 0  # not due yet
    clock.advance(RETRY_SCHEDULE[0] * 1.2)
    dispatcher.deliver_due()
    assert 0.8 * RETRY_SCHEDULE[1] <= _wait_seconds(database, clock) <= 1.2 * RETRY_SCHEDULE[1]
    clock.advance(RETRY_SCHEDULE[1] * 1.2)
    dispatcher.deliver_due()

    assert [r.headers["webhook-id"] for r in receiver.requests] == [msg_id] * 3
    assert [a.status_code for a in attempts(database)] == [500, 502, 200]
    assert attempts(database)[0].response_body == "boom"
    assert deliveries(database)[0].status == "succeeded"


def test_retry_after_is_honoured_but_clamped_and_429_waits_a_minute(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    add_endpoint(database, box, clock, receiver.url)
    _emit(database, clock)
    receiver.answer((429, {}, b""))
    dispatcher.deliver_due()
    assert _wait_seconds(database, clock) >= 60

    clock.advance(3600)
    receiver.answer((503, {"Retry-After": "1200"}, b""))
    dispatcher.deliver_due()  # attempt 2: schedule says ~5 min, the receiver asks for 20
    assert 1200 <= _wait_seconds(database, clock) < 1300

    clock.advance(3600)
    receiver.answer((503, {"Retry-After": "9999999"}, b""))
    dispatcher.deliver_due()
    assert _wait_seconds(database, clock) <= 36000


def test_410_gone_disables_the_endpoint_at_once_and_emits_endpoint_disabled(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    gone = add_endpoint(database, box, clock, receiver.url + "/gone", name="gone")
    watcher = add_endpoint(database, box, clock, receiver.url + "/watch", name="watch", events=["endpoint.disabled"])
    _emit(database, clock)
    _emit(database, clock, "cus_2")
    receiver.reply = lambda r: (410, {}, b"") if r.path.endswith("gone") else (200, {}, b"")

    dispatcher.deliver_due()
    dispatcher.deliver_due()

    assert endpoint(database, gone).enabled is False
    assert "410" in endpoint(database, gone).disabled_reason
    assert endpoint(database, watcher).enabled is True
    assert message_types(database).count("endpoint.disabled") == 1
    assert {d.status for d in deliveries(database) if d.endpoint_id == gone} == {"failed"}
    assert [r.path for r in receiver.requests].count("/hook/watch") == 1


def test_five_days_of_nothing_but_failures_disables_the_endpoint(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    endpoint_id = add_endpoint(database, box, clock, receiver.url)
    receiver.answer((500, {}, b""))
    _emit(database, clock)
    dispatcher.deliver_due()
    assert endpoint(database, endpoint_id).failing_since == clock()

    clock.advance(timedelta(days=5).total_seconds())
    _emit(database, clock, "cus_2")
    dispatcher.deliver_due()

    assert endpoint(database, endpoint_id).enabled is False
    assert "5 days" in endpoint(database, endpoint_id).disabled_reason


def test_a_success_clears_the_failure_streak(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    endpoint_id = add_endpoint(database, box, clock, receiver.url)
    receiver.answer((500, {}, b""), (200, {}, b""))
    _emit(database, clock)
    dispatcher.deliver_due()
    clock.advance(10)
    dispatcher.deliver_due()
    assert endpoint(database, endpoint_id).failing_since is None


def test_exhausted_delivery_stays_visible_and_can_be_retried(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    endpoint_id = add_endpoint(database, box, clock, receiver.url)
    receiver.answer((500, {}, b""))
    _emit(database, clock)
    for _ in range(MAX_ATTEMPTS):
        dispatcher.deliver_due()
        clock.advance(12 * 3600)
        with database.transaction() as conn:  # keep the five-day rule out of this test
            conn.execute(update(webhook_endpoints).values(failing_since=None))
    delivery = deliveries(database)[0]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert endpoint(database, endpoint_id).enabled is True

    receiver.answer((200, {}, b""))
    with database.transaction() as conn:
        assert retry_delivery(conn, delivery.id, now=clock())
    dispatcher.deliver_due()

    assert deliveries(database)[0].status == "succeeded"
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1


def test_a_delivery_whose_worker_died_is_sent_again_with_the_same_id(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    add_endpoint(database, box, clock, receiver.url)
    msg_id = _emit(database, clock)
    claimed = dispatcher.store.claim_due(clock(), 10, dispatcher.lease_seconds)
    assert [t.msg_id for t in claimed] == [msg_id]  # ...and the worker dies here, before sending or recording

    assert dispatcher.deliver_due() == 0  # leased: nobody else takes it meanwhile
    clock.advance(dispatcher.lease_seconds + 1)
    dispatcher.deliver_due()

    assert [r.headers["webhook-id"] for r in receiver.requests] == [msg_id]
    assert deliveries(database)[0].status == "succeeded"
    assert [a.attempt for a in attempts(database)] == [1]


def test_a_session_ending_with_leased_work_queues_a_wake_up_for_the_lease_end(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    add_endpoint(database, box, clock, receiver.url)
    _emit(database, clock)
    dispatcher.store.claim_due(clock(), 10, dispatcher.lease_seconds)  # the worker holding it dies
    with database.transaction() as conn:
        conn.execute(delete(jobs))
        _schedule_next(conn, clock())
        wake_ups = conn.execute(select(jobs.c.kind, jobs.c.run_after)).all()
    assert wake_ups == [("webhook.deliver", clock() + timedelta(seconds=dispatcher.lease_seconds))]
