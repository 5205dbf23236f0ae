"""One task interface, two engines: the database worker and RQ on a real Redis broker."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus, task_backends

from qingdan.audit.services import audit_record
from qingdan.audit.tasks import audit_verify_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def use_backend(settings):
    """Switch the engine; django-tasks rebuilds its backends when TASKS changes."""

    def use(name: str) -> None:
        settings.TASKS = {"default": settings.TASK_BACKENDS[name]}
        assert type(task_backends["default"]).__module__.startswith(f"django_tasks_{name}")

    return use


@pytest.mark.django_db(transaction=True)  # the worker commits and recycles connections, as in production
def test_database_worker_runs_enqueued_task(use_backend, tree):
    use_backend("db")
    audit_record(actor="test", action="t.one", obj=tree["330106"])
    result = audit_verify_task.enqueue()
    assert result.status == TaskResultStatus.READY
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["problems"] == []
    assert result.return_value["checked"] >= 1


@pytest.mark.broker
def test_rq_worker_on_redis_runs_enqueued_task(use_backend, tree):
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    with override_settings(RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:6379/15", "DEFAULT_TIMEOUT": 60}}):
        use_backend("rq")
        queue = django_rq.get_queue("default", job_class=Job)
        queue.empty()
        audit_record(actor="test", action="t.one", obj=tree["330106"])
        audit_record(actor="test", action="t.two", obj=tree["330108"])
        result = audit_verify_task.enqueue()
        assert queue.count == 1  # it really went to Redis
        worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
        assert worker.work(burst=True)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value["checked"] >= 2 and result.return_value["problems"] == []
        queue.empty()
