"""Kinds and levels of units."""

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
