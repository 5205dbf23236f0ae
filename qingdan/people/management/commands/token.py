"""``qingdan token create|list|revoke``: bearer tokens for the REST API, issued and revoked by the operator."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from qingdan.core.actors import Actor
from qingdan.core.commands import QingdanCommand
from qingdan.people.selectors import token_find, token_list
from qingdan.people.services import token_create, token_revoke


class Command(QingdanCommand):
    help = ("API tokens. 'create USERNAME --name N' issues one (the token is the last line, shown only once); "
            "'list [USERNAME]' shows name, created, last used and revocation, never a secret; "
            "'revoke ID_OR_NAME' revokes one, refused from the next request on by every process.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("ref", nargs="?", metavar="USERNAME_OR_TOKEN",
                            help="create: the account; list: only this account's tokens; revoke: id, prefix or name")
        parser.add_argument("--name", help="create: what the token is for (e.g. the integration's name)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        action, ref = options["action"], (options["ref"] or "").strip()
        if action == "list":
            self._list(actor, self._user(ref) if ref else None)
            return
        if not ref:
            raise CommandError(f"token {action} needs {'a USERNAME' if action == 'create' else 'an ID_OR_NAME'}")
        if action == "create":
            name = (options["name"] or "").strip()
            if not name:
                raise CommandError("token create needs --name N (what the token is for)")
            user = self._user(ref)
            token, key = self.run_service(lambda: token_create(actor=actor, user=user, name=name))
            self.stdout.write(f"API token {token.pk} {token.name} ({token.prefix}…) for {user.username}.")
            self.stdout.write("Send it as 'Authorization: Bearer <token>'; it is shown only now:")
            self.stdout.write(key)
            return
        token = self.run_service(lambda: token_find(actor=actor, ref=ref))
        self.run_service(lambda: token_revoke(actor=actor, token=token))
        self.stdout.write(f"revoked token {token.pk} {token.name} ({token.prefix}…) of {token.user.username}")

    def _user(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username}")
        return user

    def _list(self, actor: Actor, user: Any) -> None:
        tokens = list(token_list(actor=actor, user=user))
        if not tokens:
            self.stdout.write("no API tokens" + (f" for {user.username}" if user is not None else ""))
            return
        self.stdout.write("id\tuser\tname\tprefix\tcreated\tlast used\tstatus")
        for token in tokens:
            status = f"revoked {_local(token.revoked_at)}" if token.revoked_at else "live"
            used = _local(token.last_used_at) if token.last_used_at else "-"
            self.stdout.write(f"{token.pk}\t{token.user.username}\t{token.name}\t{token.prefix}\t"
                              f"{_local(token.created_at)}\t{used}\t{status}")


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
