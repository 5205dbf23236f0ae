"""Words that Django's admin, django-axes and django-tasks show but whose zh_Hans catalogues lack.

Marked here so ``makemessages`` keeps them in qingdan's catalogue, which comes first (LOCALE_PATHS):
without it the Chinese admin shows 「Model name」 and 「Access attempts」 in English.
"""

from django.utils.translation import gettext_noop

WORDS = (
    gettext_noop("Model name"),  # django/contrib/admin/templates/admin/app_list.html (5.2)
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("access attempts"),  # axes.models
    gettext_noop("access failures"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Task Results"),  # django_tasks_db.models
    gettext_noop("Task Result"),
)
