"""Kinds and levels of units, and the roles staff hold over a subtree of them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    REGION = "region", _("Region")
    DEPARTMENT = "department", _("Department")
    PARTY = "party", _("Party organisation")
    DISCIPLINE = "discipline", _("Discipline inspection body")
    ORGANIZATION = "organization", _("Other organisation")


class UnitLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township / street")
    VILLAGE = 5, _("Village / community")


# National division codes have a fixed length per level (2/4/6/9/12 digits).
LEVEL_BY_CODE_LENGTH = {2: UnitLevel.PROVINCE, 4: UnitLevel.CITY, 6: UnitLevel.COUNTY, 9: UnitLevel.TOWNSHIP,
                        12: UnitLevel.VILLAGE}
# Names the statistics bureau gives to placeholders that are not real cities.
PSEUDO_CITY_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    HANDLER = "handler", _("Handler")
    LEADER = "leader", _("Unit leader")
    SUPERVISOR = "supervisor", _("Supervisor")
    ORGANIZER = "organizer", _("Organizer")
    ADMIN = "admin", _("Administrator")


# Roles that may change the tree and its people inside their scope.
MANAGE_ROLES = frozenset({Role.ORGANIZER, Role.ADMIN})
# Roles that open the Django admin site (always filtered by scope).
ADMIN_SITE_ROLES = frozenset({Role.ORGANIZER, Role.ADMIN})

# Chinese names accepted in imported files, beside the English codes.
ROLE_ALIASES = {
    "话务员": Role.OPERATOR, "窗口": Role.OPERATOR, "操作员": Role.OPERATOR,
    "承办人": Role.HANDLER, "经办人": Role.HANDLER,
    "责任领导": Role.LEADER, "单位领导": Role.LEADER, "领导": Role.LEADER,
    "督查": Role.SUPERVISOR, "督导": Role.SUPERVISOR, "纪检": Role.SUPERVISOR, "督查员": Role.SUPERVISOR,
    "组织者": Role.ORGANIZER, "主题教育办": Role.ORGANIZER,
    "管理员": Role.ADMIN,
}
