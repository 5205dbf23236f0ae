"""Contact details are unreadable in the database and readable through the application."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from qingdan.core.crypto import blind_index, decrypt, encrypt
from qingdan.people.models import User

pytestmark = pytest.mark.django_db


def test_phone_is_encrypted_in_the_table_and_plain_in_the_model(tree):
    user = User.objects.create(username="caller", home_unit=tree["330106"], phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM people_user WHERE id = %s", [user.pk])
        stored = cursor.fetchone()[0]
    assert "13912345678" not in stored and stored.startswith("enc1:")
    assert User.objects.get(pk=user.pk).phone == "13912345678"


def test_same_value_encrypts_differently_each_time():
    assert encrypt("13912345678") != encrypt("13912345678")
    assert decrypt(encrypt("留下街道 张三")) == "留下街道 张三"


def test_key_rotation_keeps_old_values_readable(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    stored = encrypt("13912345678")
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    assert decrypt(stored) == "13912345678"
    settings.FIELD_ENCRYPTION_KEY = new
    with pytest.raises(ImproperlyConfigured):
        decrypt(stored)


def test_blind_index_matches_formatting_variants_only():
    assert blind_index("139-1234-5678") == blind_index("139 1234 5678") == blind_index("13912345678")
    assert blind_index("13912345679") != blind_index("13912345678")
    assert "13912345678" not in blind_index("13912345678")
