"""Load the demo: the real tree of Zhejiang, its departments and one account per role at several levels."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from qingdan.demo.departments import departments_for
from qingdan.dockets import services
from qingdan.dockets.models import Docket, Item
from qingdan.dockets.services import campaign_create, docket_create, item_create, items_grade
from qingdan.intake.importers import submissions_import
from qingdan.intake.models import Submission
from qingdan.intake.services import submission_create
from qingdan.people.models import User
from qingdan.people.services import role_grant
from qingdan.units.choices import Role, UnitKind, UnitLevel
from qingdan.units.divisions import default_source, divisions_import, read_divisions
from qingdan.units.importers import units_import
from qingdan.units.models import Unit
from qingdan.units.scopes import within

DEMO_PROVINCE = "33"
DEMO_PASSWORD = "qingdan-demo"  # noqa: S105 - printed on purpose: demo accounts only


@dataclass(frozen=True)
class DemoAccount:
    """One demo login as the README's table lists it: who it is, where it sits, and over which unit its role runs."""

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
    DemoAccount("hz_discipline", "杭州市纪委监委监督员", "3301-JW", Role.SUPERVISOR, "3301-JW",
                "discipline body of 杭州市: reads the reports (举报) on units of 杭州"),
    DemoAccount("xh_supervisor", "西湖区督查员", "330106", Role.SUPERVISOR, "330106",
                "supervisor, 西湖区 (cannot close 杭州's items: the issuer verifies)"),
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

    for region in regions:
        for code, name, kind in departments_for(region.code, region.name, region.level):
            lines.append(f"{code},{name},{kind},{region.code}")
    return "\n".join(lines).encode("utf-8")


def demo_is_loaded() -> bool:
    """Tell whether the demo accounts and tree are already there (re-running is then a no-op)."""
    return (User.objects.filter(username="xh_supervisor").exists()
            and Unit.objects.filter(code=f"{DEMO_PROVINCE}-ZZB").exists()
            and Submission.objects.filter(source__startswith="demo-").exists()
            and Docket.objects.filter(name__startswith="浙江省主题教育").exists())


def demo_load() -> list[DemoAccount]:
    """Load Zhejiang, its departments and the demo accounts. Safe to call again."""
    divisions = read_divisions(default_source(), province=DEMO_PROVINCE)
    with transaction.atomic(durable=True):
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
    # Outside the block: the loop's steps are durable services, each its own transaction (a
    # durable block refuses to nest), and both loaders skip what an earlier run already made.
    demo_messages_load()
    demo_dockets_load()
    return DEMO_ACCOUNTS


DEMO_MESSAGES_DIR = Path(__file__).resolve().parent / "data"
DEMO_MESSAGES_UNIT = "330106"  # 西湖区: the board's own places are anonymised (see data/SOURCE.md)


def demo_messages_load() -> int:
    """File the sample of real citizen messages under 西湖区; return how many were new."""
    unit = Unit.objects.get(code=DEMO_MESSAGES_UNIT)
    created = 0
    for path in sorted(DEMO_MESSAGES_DIR.glob("messages*.csv")):
        result = submissions_import(actor="demo", source=path.read_bytes(), name=f"demo-{path.stem}", unit=unit)
        created += result.created
    return created + demo_report_load()


def demo_report_load() -> int:
    """One report (举报) against 留下街道, held by 西湖区: only 杭州's and 西湖区's discipline bodies read it."""
    if Submission.objects.filter(source="demo-report").exists():
        return 0
    submission_create(actor="demo", channel="web", kind="report", unit=Unit.objects.get(code=DEMO_MESSAGES_UNIT),
                      accused_unit=Unit.objects.get(code="330106009"), anonymous=True, source="demo-report",
                      external_id="1", subject="留下街道某站所负责人违规接受宴请",
                      text="留下街道某站所负责人多次在工作日中午接受辖区商户宴请，并收受购物卡。")
    return 1


DEMO_CAMPAIGN = "学习贯彻习近平新时代中国特色社会主义思想主题教育（第二批）"
# (title, lead unit code, commitment, how far it has come): a provincial list as the seeds describe it.
PROVINCE_ITEMS = [
    ("部分县市“一件事”集成改革推进不平衡", "3301", "年底前实现高频事项全省通办", "closed"),
    ("基层报表多、检查多、考核多问题仍然存在", "3302", "精简报表三成以上", "closed"),
    ("山区县公共服务供给不足", "3311", "新建乡镇卫生院 5 所", "stage_result"),
    ("农村生活污水治理设施运维不到位", "3306", "建立长效运维机制", "rectifying"),
    ("老旧小区加装电梯推进慢", "3301", "全年加装电梯 1000 台", "closed"),
    ("中小企业融资难融资贵", "3303", "普惠小微贷款增长 15%", "stage_result"),
    ("校外培训治理存在反弹", "3304", "开展专项整治行动", "rectifying"),
    ("部分河道“清三河”成果巩固不够", "3305", "复查河道 300 条", "overdue"),
    ("养老服务设施布局不均衡", "3307", "新增养老床位 2000 张", "dispatched"),
    ("城乡公交一体化覆盖不全", "3308", "行政村公交通达率 100%", "closed"),
]


def _demo_png() -> bytes:
    from PIL import Image  # noqa: PLC0415 (Pillow loads only when an image is made or checked)

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (46, 125, 50)).save(out, "PNG")
    return out.getvalue()


def _demo_advance(item, state: str) -> None:
    """Move a demo item along the loop through the real services, as the system user."""
    if state == "listed":
        return
    item = services.item_dispatch(actor="demo", item=item)
    if state == "dispatched":
        return
    item = services.item_accept(actor="demo", item=item)
    item = services.item_progress(actor="demo", item=item, progress=60, measures="制定整改方案，明确责任分工和时间表。")
    if state in ("rectifying", "overdue"):
        return
    if state == "stage_result":
        services.item_stage_result(actor="demo", item=item, text="阶段性整改任务已完成，转入常态化推进。")
        return
    item = services.item_request_closure(actor="demo", item=item, reply="整改已完成，经核验达到预期目标。",
                                         files=[("整改前后对比.png", _demo_png())])
    if state == "closed":
        services.item_close(actor="demo", item=item, text="核验通过")


def demo_dockets_load() -> int:
    """A campaign, a published provincial list and 杭州's list of citizens' problems; return items made."""
    if Docket.objects.filter(name__startswith="浙江省主题教育").exists():
        return 0
    province = Unit.objects.get(code=DEMO_PROVINCE)
    today = timezone.localdate()
    campaign = campaign_create(actor="demo", name=DEMO_CAMPAIGN, unit=province,
                               starts_on=today - datetime.timedelta(days=90),
                               ends_on=today + datetime.timedelta(days=120),
                               units=list(Unit.objects.filter(code__in=[f"33{n:02d}" for n in range(1, 12)])))
    provincial = docket_create(actor="demo", name="浙江省主题教育检视整改问题清单", owner_unit=province,
                               source="self_check", campaign=campaign, published=True)
    made = 0
    for n, (title, unit_code, commitment, state) in enumerate(PROVINCE_ITEMS):
        item = item_create(actor="demo", docket=provincial, title=title, lead_unit=Unit.objects.get(code=unit_code),
                           commitment=commitment, deadline=today + datetime.timedelta(days=20 + 10 * n),
                           published=True, category="作风建设" if n % 2 else "民生服务")
        _demo_advance(item, state)
        if state == "overdue":  # a deadline that has passed, as a real list would have
            Item.objects.filter(pk=item.pk).update(deadline=today - datetime.timedelta(days=5),
                                                   due_on=today - datetime.timedelta(days=5))
        made += 1
    city = Unit.objects.get(code="3301")
    hangzhou = docket_create(actor="demo", name="杭州市群众急难愁盼问题清单", owner_unit=city, source="public",
                             campaign=campaign, published=True)
    submissions = list(Submission.objects.filter(source__startswith="demo-", unit__code=DEMO_MESSAGES_UNIT)
                       .order_by("id")[:12])
    # One of each, so every person of the loop finds work in the demo (a closure waits for 杭州's supervisor).
    states = ["closed", "closure_requested", "rectifying", "dispatched", "listed", "stage_result"]
    # Some go down to 留下街道 and one of its communities, so the dashboards drill down to a village.
    township = Unit.objects.get(code="330106009")
    community = within(Unit.objects.filter(depth=township.depth + 1), township).order_by("path").first()
    for n, submission in enumerate(submissions):
        lead = [submission.unit, township, submission.unit, community or township][n % 4]
        item = item_create(actor="demo", docket=hangzhou, title=submission.subject[:300] or submission.text[:40],
                           lead_unit=lead, description=submission.text[:2000],
                           commitment="30 个工作日内办结并答复", deadline_working_days=30,
                           submissions=[submission], published=n % 3 == 0)
        _demo_advance(item, states[n % len(states)])
        made += 1
    items_grade()
    return made
