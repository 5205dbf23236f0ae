"""Load the demo: the real tree of Zhejiang, its departments and one account per role at several levels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from qingdan.people.choices import Role
from qingdan.people.models import User
from qingdan.people.services import role_grant
from qingdan.units.choices import UnitKind, UnitLevel
from qingdan.units.divisions import default_source, divisions_import, read_divisions
from qingdan.units.importers import units_import
from qingdan.units.models import Unit

DEMO_PROVINCE = "33"
DEMO_PASSWORD = "qingdan-demo"  # noqa: S105 - printed on purpose: demo accounts only


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    home_unit: str
    role: str
    over_unit: str
    note: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员", "33", Role.ADMIN, "33", "superuser: the whole system"),
    DemoAccount("zj_organizer", "省主题教育办", "33-ZZB", Role.ORGANIZER, "33", "organizer, all of Zhejiang"),
    DemoAccount("zj_supervisor", "省纪委督查员", "33-JW", Role.SUPERVISOR, "33", "supervisor, all of Zhejiang"),
    DemoAccount("hz_supervisor", "杭州市督查员", "3301-JW", Role.SUPERVISOR, "3301", "supervisor, 杭州市"),
    DemoAccount("hz_operator", "杭州12345话务员", "3301-12345", Role.OPERATOR, "3301", "hotline operator, 杭州市"),
    DemoAccount("xh_leader", "西湖区责任领导", "330106", Role.LEADER, "330106", "unit leader, 西湖区"),
    DemoAccount("xh_handler", "西湖区承办人", "330106", Role.HANDLER, "330106", "handler, 西湖区 (county)"),
    DemoAccount("xh_police", "西湖区公安承办人", "330106-GA", Role.HANDLER, "330106-GA", "handler, 西湖区公安局 only"),
    DemoAccount("lx_handler", "留下街道承办人", "330106009", Role.HANDLER, "330106009", "handler, 留下街道 (township)"),
    DemoAccount("bj_handler", "滨江区承办人", "330108", Role.HANDLER, "330108", "handler, 滨江区 (the neighbour)"),
]


def _department_rows() -> bytes:
    lines = ["code,name,kind,parent"]
    regions = Unit.objects.filter(kind=UnitKind.REGION, code__startswith=DEMO_PROVINCE,
                                  level__lte=UnitLevel.COUNTY).order_by("path")
    from qingdan.demo.departments import departments_for

    for region in regions:
        for code, name, kind in departments_for(region.code, region.name, region.level):
            lines.append(f"{code},{name},{kind},{region.code}")
    return "\n".join(lines).encode("utf-8")


def demo_is_loaded() -> bool:
    """Tell whether the demo accounts and tree are already there (re-running is then a no-op)."""
    from qingdan.intake.models import Submission

    return (User.objects.filter(username="bj_handler").exists()
            and Unit.objects.filter(code=f"{DEMO_PROVINCE}-ZZB").exists()
            and Submission.objects.filter(source__startswith="demo-").exists())


def demo_load() -> list[DemoAccount]:
    """Load Zhejiang, its departments and the demo accounts. Safe to call again."""
    divisions = read_divisions(default_source(), province=DEMO_PROVINCE)
    with transaction.atomic():
        divisions_import(actor="demo", divisions=divisions, province=DEMO_PROVINCE)
        units_import(actor="demo", source=_department_rows())
        for account in DEMO_ACCOUNTS:
            home = Unit.objects.get(code=account.home_unit)
            user = User.objects.filter(username=account.username).first()
            if user is None:
                user = User(username=account.username, display_name=account.display_name, home_unit=home,
                            is_superuser=account.username == "admin", is_staff=account.username == "admin")
                user.set_password(DEMO_PASSWORD)
                user.save()
            role_grant(actor="demo", user=user, role=account.role, unit=Unit.objects.get(code=account.over_unit))
        demo_messages_load()
    return DEMO_ACCOUNTS


DEMO_MESSAGES_DIR = Path(__file__).resolve().parent / "data"
DEMO_MESSAGES_UNIT = "330106"  # 西湖区: the board's own places are anonymised (see data/SOURCE.md)


def demo_messages_load() -> int:
    """File the sample of real citizen messages under 西湖区; return how many were new."""
    from qingdan.intake.importers import submissions_import

    unit = Unit.objects.get(code=DEMO_MESSAGES_UNIT)
    created = 0
    for path in sorted(DEMO_MESSAGES_DIR.glob("messages*.csv")):
        result = submissions_import(actor="demo", source=path.read_bytes(), name=f"demo-{path.stem}", unit=unit)
        created += result.created
    return created
