"""Writes of the dockets app; import them from here (the package is split by concern only)."""

from qingdan.dockets.services.changes import (
    approved_extensions,
    item_change_request_create,
    item_change_request_decide,
)
from qingdan.dockets.services.common import grade_for
from qingdan.dockets.services.followup import item_reopen_for_rating, submission_rate
from qingdan.dockets.services.grading import GradeRun, items_grade
from qingdan.dockets.services.items import (
    campaign_create,
    docket_create,
    docket_publish,
    docket_update,
    item_create,
    item_draft,
    item_link_submissions,
    item_update,
    report_lead_refusal,
    rollup_progress,
)
from qingdan.dockets.services.loop import (
    clean_evidence,
    item_accept,
    item_close,
    item_dispatch,
    item_leader_approve,
    item_leader_send_back,
    item_progress,
    item_reopen,
    item_request_closure,
    item_return,
    item_send_back,
    item_stage_result,
    item_supervise,
    item_urge,
    items_dispatch,
    items_fallback_stale_returns,
)
from qingdan.dockets.services.steps import STEPS, item_take_step

__all__ = [
    "STEPS", "GradeRun", "approved_extensions", "campaign_create", "clean_evidence", "docket_create",
    "docket_publish", "docket_update", "grade_for", "item_accept", "item_change_request_create",
    "item_change_request_decide", "item_close", "item_create", "item_dispatch", "item_draft", "item_leader_approve",
    "item_leader_send_back", "item_link_submissions", "item_progress", "item_reopen",
    "item_reopen_for_rating", "item_request_closure", "item_return", "item_send_back", "item_stage_result",
    "item_supervise", "item_take_step", "item_update", "item_urge", "items_dispatch",
    "items_fallback_stale_returns", "items_grade", "report_lead_refusal", "rollup_progress", "submission_rate",
]
