"""The kinds a ledger row can take, as they are named in the source documents."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    GROUP_STUDY = "group_study", _("Group study")  # 集中学习
    READING_CLASS = "reading_class", _("Reading class")  # 读书班
    SEMINAR = "seminar", _("Seminar")  # 专题研讨
    LECTURE = "lecture", _("Lecture tour")  # 宣讲
    PARTY_LESSON = "party_lesson", _("Party lesson")  # 党课
    SITE_TEACHING = "site_teaching", _("On-site teaching")  # 现场教学


class DurationUnit(models.TextChoices):
    DAYS = "days", _("days")
    HOURS = "hours", _("hours")


# Hours are turned into study days at this rate (a study day is a working day of 8 hours), so that
# "average study days per leadership team" adds sessions counted in hours and in days.
HOURS_PER_DAY = Decimal(8)


class TeamFilter(models.TextChoices):
    """Which leadership teams the study figures count (the campaigns quote both)."""

    ALL = "all", _("Every unit's leadership team")
    COUNTY_UP = "county_up", _("County/division level and above (县处级以上)")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    MADE_UP = "made_up", _("Made up later")  # 补学


# Attendances that count as having studied (person-times, member coverage).
STUDIED = frozenset({Attendance.PRESENT, Attendance.MADE_UP})


class ProblemRoute(models.TextChoices):
    SUBMISSION = "submission", _("To the intake queue")
    ITEM = "item", _("To a list as an item")
    SOLVED = "solved", _("Solved on the spot")


class WritingKind(models.TextChoices):
    NOTE = "note", _("Research note")  # 调研手记
    REPORT = "report", _("Research report")  # 调研报告


# Chinese names accepted in imported files.
SESSION_KIND_ALIASES = {
    "集中学习": SessionKind.GROUP_STUDY, "读书班": SessionKind.READING_CLASS, "专题研讨": SessionKind.SEMINAR,
    "宣讲": SessionKind.LECTURE, "党课": SessionKind.PARTY_LESSON, "现场教学": SessionKind.SITE_TEACHING,
}
DURATION_UNIT_ALIASES = {"天": DurationUnit.DAYS, "日": DurationUnit.DAYS, "小时": DurationUnit.HOURS,
                         "时": DurationUnit.HOURS}
