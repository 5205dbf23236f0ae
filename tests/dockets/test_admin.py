"""The admin shows items read-only, and only inside the organizer's managed scope."""

import pytest

pytestmark = pytest.mark.django_db


def test_items_in_admin_are_scoped_and_read_only(client, make_item, tree, make_staff):
    from django.urls import reverse

    from qingdan.people.models import User

    mine = make_item()
    other = make_item(title="滨江区事项", lead_unit=tree["330108"])
    organizer = make_staff("xh_org", "organizer", tree["330106"])
    User.objects.filter(pk=organizer.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=organizer.pk))
    listing = client.get(reverse("admin:dockets_item_changelist")).content.decode()
    assert mine.title in listing and other.title not in listing
    assert client.get(reverse("admin:dockets_item_change", args=[other.pk])).status_code in (302, 403, 404)
    page = client.get(reverse("admin:dockets_item_change", args=[mine.pk]))
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()  # nothing editable
