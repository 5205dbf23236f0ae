"""The usual departments of a province, a city and a county (the demo's lead and co-operating units)."""

from __future__ import annotations

from qingdan.units.choices import UnitKind, UnitLevel

# (code suffix, kind, name at province level, name at city and county level).
# "{r}" is the region's name; None means the level has no such department.
DEPARTMENTS: list[tuple[str, str, str | None, str | None]] = [
    ("JW", UnitKind.DISCIPLINE, "{r}纪委监委", "{r}纪委监委"),
    ("ZZB", UnitKind.PARTY, "中共{r}委组织部", "中共{r}委组织部"),
    ("XF", UnitKind.DEPARTMENT, "{r}信访局", "{r}信访局"),
    ("GA", UnitKind.DEPARTMENT, "{r}公安厅", "{r}公安局"),
    ("JY", UnitKind.DEPARTMENT, "{r}教育厅", "{r}教育局"),
    ("ZJ", UnitKind.DEPARTMENT, "{r}住房和城乡建设厅", "{r}住房和城乡建设局"),
    ("CG", UnitKind.DEPARTMENT, None, "{r}综合行政执法局"),
    ("RS", UnitKind.DEPARTMENT, "{r}人力资源和社会保障厅", "{r}人力资源和社会保障局"),
    ("WJ", UnitKind.DEPARTMENT, "{r}卫生健康委员会", "{r}卫生健康局"),
    ("HB", UnitKind.DEPARTMENT, "{r}生态环境厅", "{r}生态环境局"),
    ("JT", UnitKind.DEPARTMENT, "{r}交通运输厅", "{r}交通运输局"),
    ("SJ", UnitKind.DEPARTMENT, "{r}市场监督管理局", "{r}市场监督管理局"),
    ("ZR", UnitKind.DEPARTMENT, "{r}自然资源厅", "{r}自然资源和规划局"),
    ("MZ", UnitKind.DEPARTMENT, "{r}民政厅", "{r}民政局"),
    ("NY", UnitKind.DEPARTMENT, "{r}农业农村厅", "{r}农业农村局"),
    ("SW", UnitKind.DEPARTMENT, "{r}商务厅", "{r}商务局"),
    ("WL", UnitKind.DEPARTMENT, "{r}文化和旅游厅", "{r}文化和旅游局"),
    ("12345", UnitKind.ORGANIZATION, None, "{r}12345政务服务便民热线"),
]


def departments_for(region_code: str, region_name: str, level: int) -> list[tuple[str, str, str]]:
    """Return (code, name, kind) of the departments of one province, city or county."""
    result = []
    for suffix, kind, provincial, local in DEPARTMENTS:
        template = provincial if level == UnitLevel.PROVINCE else local
        if template is None or (suffix == "12345" and level != UnitLevel.CITY):
            continue
        result.append((f"{region_code}-{suffix}", template.format(r=region_name), kind))
    return result
