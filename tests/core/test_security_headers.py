"""Response headers seen from the outside: the page policy (CSP), who may cache what, sandboxed
downloads, HSTS from the production settings, and the deploy check for the field key.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from qingdan.units.choices import Role
from tests.conftest import PASSWORD, png_bytes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def cache_control(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def root(tree):
    from qingdan.people.models import User

    return User.objects.create_superuser("root", password=PASSWORD, display_name="root", home_unit=tree["33"])


@pytest.fixture
def world(tree, root, make_staff):
    """A published list with an item closed-out with a PDF and a photo, a submission with a PDF, a
    visit with a photo and a survey: something behind every page and download.
    """
    from qingdan.dockets.models import Evidence
    from qingdan.dockets.services import (
        docket_create,
        docket_publish,
        item_accept,
        item_create,
        item_dispatch,
        item_request_closure,
    )
    from qingdan.intake.services import submission_create
    from qingdan.ledgers.services import visit_record
    from qingdan.surveys.choices import Identity
    from qingdan.surveys.services import survey_create

    operator = make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    handler = make_staff("xh_handler", Role.HANDLER, tree["330106"])
    docket = docket_create(actor=root, name="杭州市民生问题清单", owner_unit=tree["3301"], source="public")
    docket_publish(actor=root, docket=docket, published=True)
    item = item_create(actor=operator, docket=docket, title="留下街道污水管网改造", lead_unit=tree["330106"],
                       deadline=datetime.date.today() + datetime.timedelta(days=30), published=True)
    item = item_accept(actor=handler, item=item_dispatch(actor=operator, item=item))
    item_request_closure(actor=handler, item=item, reply="已完成",
                         files=[("验收报告.pdf", PDF), ("现场.png", png_bytes())])
    submission, _ = submission_create(actor=None, channel="web", kind="complaint", text="路灯坏了。",
                                      unit=tree["330106009"], anonymous=True, attachments=[("证明.pdf", PDF)])
    visit = visit_record(actor=root, unit=tree["330106009001"], visited_on=datetime.date.today(),
                         households=3, photos=[("走访.png", png_bytes())])
    survey = survey_create(actor=root, unit=tree["330106"], title="办事满意度", identity=Identity.PHONE)
    return {"docket": docket, "item": item, "submission": submission, "visit": visit, "survey": survey,
            "pdf": Evidence.objects.get(item=item, content_type="application/pdf"),
            "photo": Evidence.objects.get(item=item, content_type="image/png")}


ANONYMOUS_PAGES = ["/submit/", "/track/", "/public/", "/accounts/login/"]


def staff_pages(world) -> list[str]:
    return ["/", "/units/330106/", "/dockets/", "/dockets/lists/", f"/dockets/lists/{world['docket'].pk}/",
            f"/dockets/items/{world['item'].pk}/", "/desk/", "/desk/submissions/",
            f"/desk/submissions/{world['submission'].tracking_code}/", "/inbox/", "/ledgers/",
            f"/ledgers/visits/{world['visit'].pk}/", "/surveys/", f"/surveys/{world['survey'].pk}/",
            "/supervision/units/3301/", "/supervision/units/3301/leaderboard/?print=1", "/calendar/",
            "/reports/weekly/3301/", "/admin/", "/admin/people/user/", "/api/v1/docs",
            f"/public/items/{world['item'].pk}/"]


# -- Content-Security-Policy on every page --------------------------------------------------------

def test_every_html_page_carries_a_policy_without_inline_script(client, world, root):
    checked = []
    for path in ANONYMOUS_PAGES:
        checked.append((path, client.get(path)))
    client.force_login(root)
    for path in staff_pages(world):
        checked.append((path, client.get(path)))
    for path, response in checked:
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/html"), path
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], path
        assert directives["script-src"] == ["'self'"], path  # no 'unsafe-inline', no 'unsafe-eval', no CDN
        assert "'unsafe-inline'" not in directives["style-src"], path
        assert directives["object-src"] == ["'none'"], path
        assert directives["frame-ancestors"] == ["'none'"], path
        assert directives["form-action"] == ["'self'"], path
        assert directives["base-uri"] == ["'self'"], path
        assert set(directives["img-src"]) == {"'self'", "data:", "blob:"}, path


def test_the_weekly_report_allows_exactly_its_own_style_block(client, world, root):
    import base64
    import hashlib

    client.force_login(root)
    response = client.get("/reports/weekly/3301/?format=html")
    html = response.content.decode()
    block = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
    assert policy(response)["style-src"] == ["'self'", digest]
    assert html.count("<style") == 1 and "<script" not in html


TEMPLATES = sorted((ROOT / "qingdan").glob("**/templates/**/*.html"))
# The mailed and printed weekly report keeps its one <style>; its hash is in the page's policy.
STYLE_BLOCK_ALLOWED = {"reports/templates/reports/weekly.html"}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "qingdan")))
def test_no_template_carries_inline_script_or_style(template):
    text = template.read_text()
    name = str(template.relative_to(ROOT / "qingdan"))
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline <script> in {name}: {tag}"
    assert not re.search(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", text), f"on*= handler in {name}"
    assert "hx-on" not in text, f"hx-on handler (evaluated code) in {name}"
    assert "javascript:" not in text.lower(), f"javascript: URL in {name}"
    assert not re.search(r"<[a-zA-Z][^>]*\sstyle\s*=", text), f"style attribute in {name}"
    if name not in STYLE_BLOCK_ALLOWED:
        assert "<style" not in text, f"<style> block in {name}"


# -- Cache-Control: nothing made for a logged-in person is stored -----------------------------------

def test_staff_pages_are_never_stored(client, world, root):
    client.force_login(root)
    for path in staff_pages(world):
        directives = cache_control(client.get(path))
        assert {"private", "no-store"} <= directives, path
        assert "public" not in directives, path


def test_a_public_page_seen_by_a_logged_in_user_is_not_public(client, world, root):
    anonymous = client.get("/public/")
    assert "max-age=60" in cache_control(anonymous) and "no-store" not in cache_control(anonymous)
    client.force_login(root)
    seen = client.get("/public/")
    assert "root" in seen.content.decode()  # the page names who is logged in
    assert "public" not in cache_control(seen) and {"private", "no-store"} <= cache_control(seen)


def test_anonymous_pages_with_the_visitors_cookie_stay_in_their_browser(client, world):
    """/public/ carries the visitor's CSRF token (language form): a shared cache must not keep it."""
    response = client.get("/public/")
    assert response.cookies.get("csrftoken")
    assert "private" in cache_control(response) and "public" not in cache_control(response)
    assert "no-store" in cache_control(client.get("/accounts/login/"))


def test_api_answers_are_never_stored(client, world, root):
    from qingdan.people.services import token_create

    _, key = token_create(actor=root, user=root, name="t")
    response = client.get("/api/v1/people/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)
    client.force_login(root)
    response = client.get(f"/api/v1/dockets/items/{world['item'].pk}")
    assert response.status_code == 200 and {"private", "no-store"} <= cache_control(response)
    refused = client.get("/api/v1/people/me", HTTP_AUTHORIZATION="Bearer qd_wrong")
    assert "no-store" in cache_control(refused)


# -- Downloads: sandboxed, not sniffed, saved ----------------------------------------------------

def assert_sandboxed(response, *, attachment: bool = True) -> None:
    assert response.status_code == 200
    directives = policy(response)
    assert "sandbox" in directives and directives["default-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= cache_control(response)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment" if attachment else "inline"), disposition


def test_every_download_is_sandboxed_and_saved(client, world, root):
    client.force_login(root)
    code = world["submission"].tracking_code
    attachment = world["submission"].attachments.get()
    downloads = [f"/dockets/evidence/{world['pdf'].pk}/",
                 f"/desk/submissions/{code}/attachments/{attachment.pk}/",
                 f"/dockets/lists/{world['docket'].pk}/export.xlsx",
                 "/supervision/units/3301/export/?format=csv", "/supervision/units/3301/export/?format=xlsx",
                 "/supervision/units/3301/leaderboard/?format=xlsx",
                 "/units/330106/export.csv", "/ledgers/export/visits.xlsx",
                 f"/surveys/{world['survey'].pk}/export.xlsx", f"/surveys/{world['survey'].pk}/export.csv",
                 "/reports/weekly/3301/?format=pdf", "/reports/weekly/3301/?format=xlsx"]
    for path in downloads:
        response = client.get(path)
        assert_sandboxed(response)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, path


def test_an_evidence_pdf_is_saved_not_rendered_and_photos_show_sandboxed(client, world, root):
    client.force_login(root)
    pdf = client.get(f"/dockets/evidence/{world['pdf'].pk}/")
    assert_sandboxed(pdf)
    assert "验收报告.pdf" in pdf["Content-Disposition"] or "%E9%AA%8C" in pdf["Content-Disposition"]
    photo = client.get(f"/dockets/evidence/{world['photo'].pk}/")
    assert_sandboxed(photo, attachment=False)
    visit = world["visit"]
    shown = client.get(f"/ledgers/visits/{visit.pk}/photos/{visit.photos.get().pk}/")
    assert_sandboxed(shown, attachment=False)
    qr = client.get(f"/surveys/{world['survey'].pk}/qr.svg")
    assert_sandboxed(qr, attachment=False)


# -- HSTS ---------------------------------------------------------------------------------------

def production_settings(**env: str) -> dict:
    """Load config.settings in a fresh interpreter with a production environment."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("QINGDAN_", "SECURE_", "DJANGO_SETTINGS")) and k not in ("DEBUG",)}
    clean.update({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "qingdan.example.gov.cn", **env})
    code = ("import json, config.settings as s; print(json.dumps({k: getattr(s, k) for k in "
            "('SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD')}))")
    out = subprocess.run([sys.executable, "-c", code], env=clean, cwd=ROOT,  # noqa: S603 - our own code
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_production_sends_a_year_of_hsts_with_subdomains_and_both_are_configurable():
    assert production_settings() == {"SECURE_HSTS_SECONDS": 31_536_000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
                                     "SECURE_HSTS_PRELOAD": False}
    assert production_settings(SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="0") == {
        "SECURE_HSTS_SECONDS": 600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": False, "SECURE_HSTS_PRELOAD": False}
    assert production_settings(QINGDAN_DEMO="1")["SECURE_HSTS_SECONDS"] == 0  # the demo runs on plain http


def test_hsts_header_is_sent_over_https_with_the_production_values(client, tree):
    values = production_settings()
    with override_settings(SECURE_HSTS_SECONDS=values["SECURE_HSTS_SECONDS"],
                           SECURE_HSTS_INCLUDE_SUBDOMAINS=values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]):
        response = client.get("/accounts/login/", secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "Strict-Transport-Security" not in client.get("/accounts/login/")  # never over plain http


# -- check --deploy ---------------------------------------------------------------------------

def deploy_check_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)}


def test_deploy_check_warns_without_a_field_encryption_key_outside_the_demo():
    from cryptography.fernet import Fernet

    with override_settings(DEMO=False, FIELD_ENCRYPTION_KEY=None):
        assert "qingdan.W001" in deploy_check_ids()
        assert "qingdan.W001" not in {m.id for m in run_checks()}  # only under --deploy
    with override_settings(DEMO=False, FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode()):
        assert "qingdan.W001" not in deploy_check_ids()
    with override_settings(DEMO=True, FIELD_ENCRYPTION_KEY=None):
        assert "qingdan.W001" not in deploy_check_ids()


def test_check_deploy_command_names_the_missing_key():
    from django.core.management import call_command

    out = io.StringIO()
    with override_settings(DEMO=False, FIELD_ENCRYPTION_KEY=""):
        # Only report: the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is an error under --deploy.
        call_command("check", "--deploy", "--fail-level", "CRITICAL", stdout=out, stderr=out)
    assert "qingdan.W001" in out.getvalue() and "FIELD_ENCRYPTION_KEY" in out.getvalue()
