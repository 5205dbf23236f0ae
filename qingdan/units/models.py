"""The one tree of units: regions, departments, party and discipline bodies, organisations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from qingdan.units.choices import UnitKind, UnitLevel
from qingdan.units.validators import CODE_MAX, validate_unit_code


class Unit(MP_Node):
    """A node of the tree. ``path`` (materialised path) makes subtree queries one index range.

    Units are never deleted: a unit that disappears from the national list is retired, so the
    items and figures that belong to it keep their history.
    """

    code = models.CharField(_("code"), max_length=CODE_MAX, unique=True, validators=[validate_unit_code],
                            help_text=_("The national division code for regions; a stable code otherwise."))
    name = models.CharField(_("name"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices, default=UnitKind.REGION)
    level = models.PositiveSmallIntegerField(_("level"), choices=UnitLevel.choices)
    is_active = models.BooleanField(_("active"), default=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    node_order_by: list[str] = []  # keep insertion order: the national list's own order

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["level", "kind"], name="unit_level_kind")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def parent_path(self) -> str:
        """Return the path of the parent ('' for a root) without a query."""
        return self.path[: -self.steplen]
