"""What a submission is, how it came, and where it stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    HELP = "help", _("Request for help")
    SUGGESTION = "suggestion", _("Suggestion")
    QUESTION = "question", _("Question")
    REPORT = "report", _("Report against an official")
    PRAISE = "praise", _("Praise")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE = "mobile", _("Mobile")
    WECHAT = "wechat", _("WeChat")
    HOTLINE = "hotline", _("Hotline")
    COUNTER = "counter", _("Service counter")
    BOX = "box", _("Suggestion box")
    VISIT = "visit", _("Field visit")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    IMPORT = "import", _("Import")


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


# The two answers of the question "was your problem solved?" (已解决/未解决), asked beside satisfaction.
SOLVED_CHOICES = ((True, _("Solved")), (False, _("Not solved")))


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    INFO_ADDED = "info_added", _("Information added")
    DISPATCHED = "dispatched", _("Dispatched")
    REPLIED = "replied", _("Replied")
    RATED = "rated", _("Rated")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    NOTE = "note", _("Note")


OPEN_STATUSES = frozenset({SubmissionStatus.RECEIVED, SubmissionStatus.DISPATCHED})
RATEABLE_STATUSES = frozenset({SubmissionStatus.REPLIED, SubmissionStatus.CLOSED})
# Staff channels: typed in by an operator on someone's behalf.
STAFF_CHANNELS = frozenset({Channel.HOTLINE, Channel.COUNTER, Channel.BOX, Channel.VISIT, Channel.EMAIL})

# Chinese names accepted in imported files and forms.
KIND_ALIASES = {"投诉": SubmissionKind.COMPLAINT, "求助": SubmissionKind.HELP, "建议": SubmissionKind.SUGGESTION,
                "意见": SubmissionKind.SUGGESTION, "咨询": SubmissionKind.QUESTION, "举报": SubmissionKind.REPORT,
                "表扬": SubmissionKind.PRAISE}
CHANNEL_ALIASES = {"网站": Channel.WEB, "网页": Channel.WEB, "手机": Channel.MOBILE, "微信": Channel.WECHAT,
                   "热线": Channel.HOTLINE, "12345": Channel.HOTLINE, "电话": Channel.HOTLINE, "窗口": Channel.COUNTER,
                   "意见箱": Channel.BOX, "走访": Channel.VISIT, "邮件": Channel.EMAIL, "导入": Channel.IMPORT}
