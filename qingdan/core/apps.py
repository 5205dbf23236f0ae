from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qingdan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib import admin

        from qingdan.core import checks, signals  # noqa: F401 - registers deploy checks; the calendar's cache invalidation

        # The admin in the product's words (Django's own say 「Django 管理」).
        admin.site.site_header = _("qingdan administration")
        admin.site.site_title = _("qingdan administration")
        admin.site.index_title = _("Administration home")
        # Two libraries name their admin sections in English only (no translatable verbose_name).
        from django.apps import apps

        for label, name in (("axes", _("Login lock-out")), ("django_tasks_database", _("Background tasks"))):
            if label in apps.app_configs:
                apps.get_app_config(label).verbose_name = name
