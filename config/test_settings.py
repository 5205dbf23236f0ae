"""Settings for the test suite: the production settings with the testing switch on."""

import os

os.environ.setdefault("QINGDAN_TESTING", "1")
os.environ.setdefault("QINGDAN_TASKS", "immediate")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405 - speed
