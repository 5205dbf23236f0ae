"""Roles staff hold over a subtree of units."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
