"""Background entry points: load by id, call a service."""

from __future__ import annotations

from django_tasks import task, task_backends

from qingdan.notifications import services
from qingdan.notifications.choices import DeliveryStatus


@task()
def notification_email_task(notification_ids: list[int]) -> int:
    """Send the e-mail copies of one notify() call."""
    return services.notification_email_send(notification_ids=notification_ids)


@task()
def webhook_deliver_task(delivery_id: int) -> str:
    """Attempt one webhook delivery; on failure queue the retry for its ``next_try``.

    Engines that cannot defer a task (the immediate one used by tests) leave the retry to
    ``webhook_deliver_due`` (``qingdan webhooks_retry``), which also catches anything the queue lost.
    """
    delivery = services.webhook_delivery_attempt(delivery_id=delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == DeliveryStatus.PENDING and delivery.next_try is not None:
        backend = task_backends[webhook_deliver_task.backend]
        if backend.supports_defer:
            webhook_deliver_task.using(run_after=delivery.next_try).enqueue(delivery_id)
    return delivery.status


@task()
def webhook_deliver_due_task() -> int:
    """Attempt every due delivery (the sweep, for a scheduler that enqueues tasks)."""
    return services.webhook_deliver_due()
