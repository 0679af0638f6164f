"""``lanebox users`` and ``lanebox hub users``: one body for a lane's accounts and the hub's.

The two stores differ (a lane writes every change as an event; the hub's
users are also the roster every lane pulls), the command does not: add
(password from stdin or a prompt, never the command line), list (never a
hash) and disable, with the same options and the same one-line failures.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator

from common.accounts.sessions import UnknownUser, UserExists
from common.eventlog.store import StoreError
from common.roles import ROLES
from lanebox.shell import EXIT_USAGE, CommandError, config_or_exit


@dataclass(frozen=True)
class AccountBook:
    """Where accounts are kept, as this command sees them."""

    place: str  #: "lane GBDVR-IN-03", "hub GBDVR-HUB"
    add: Callable[[str, str, str], None]
    list: Callable[[], list[dict[str, Any]]]
    disable: Callable[[str], bool]
    after_disable: str = ""  #: what else follows a disable, said after it


OpenBook = Callable[[Path], ContextManager[AccountBook]]


@contextmanager
def lane_accounts(config_path: Path) -> Iterator[AccountBook]:
    """A lane's accounts; every change an event by ``cli``."""
    from edge.config import load_config
    from edge.store import lane_store_path, open_lane_store
    from edge.users import UserDirectory

    config = config_or_exit(load_config, config_path)
    with open_lane_store(lane_store_path(config.data_dir), config.lane_id) as store:
        users = UserDirectory(store)
        yield AccountBook(f"lane {config.lane_id}",
                          add=lambda username, role, password: users.add(username, role, password, actor="cli"),
                          list=users.list, disable=lambda username: users.disable(username, actor="cli"))


@contextmanager
def hub_accounts(config_path: Path) -> Iterator[AccountBook]:
    """The hub's accounts: the board's users, and the roster lanes receive."""
    from sync.hub.config import load_hub_config
    from sync.hub.store import HubStore
    from sync.hub.users import HubUsers

    config = config_or_exit(load_hub_config, config_path)
    with HubStore(config.store_location, config.hub_id) as store:
        users = HubUsers(store)
        yield AccountBook(f"hub {config.hub_id}", add=users.add, list=users.list, disable=users.disable,
                          after_disable="; lanes disable it at their next roster pull")


def run_users(args: argparse.Namespace, open_book: OpenBook) -> int:
    try:
        with open_book(args.config) as book:
            if args.users_command == "add":
                password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else getpass.getpass()
                book.add(args.username, args.role, password)
                print(f"user {args.username} ({args.role}) added at {book.place}")
            elif args.users_command == "list":
                for user in book.list():
                    state = "disabled" if user["disabled"] else "enabled"
                    print(f"{user['username']:<24} {user['role']:<11} {state:<9} {user['created_at']}")
            else:
                changed = book.disable(args.username)
                print(f"{args.username} {'disabled' if changed else 'was already disabled'} at "
                      f"{book.place}{book.after_disable}")
    except UserExists:
        raise CommandError(f"user {args.username!r} exists already") from None
    except UnknownUser as exc:
        raise CommandError(str(exc)) from None
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    return 0


def add_users_parser(actions: Any, open_book: OpenBook, *, whose: str, description: str) -> None:
    """``users add|list|disable`` under ``actions``, for the accounts ``open_book`` opens."""
    users = actions.add_parser("users", help=f"add, list or disable {whose} users", description=description)
    user_actions = users.add_subparsers(dest="users_command", metavar="ACTION", parser_class=type(users))
    user_actions.required = True
    add = user_actions.add_parser("add", help="add a user; the password from stdin or a prompt",
                                  description=f"Add a user. Roles: {', '.join(ROLES)}.")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    listing = user_actions.add_parser("list", help="list users (never a password hash)")
    disable = user_actions.add_parser("disable", help="disable a user; its sessions end")
    disable.add_argument("--username", required=True)
    for parser in (add, listing, disable):
        parser.add_argument("--config", type=Path, required=True, help=f"{whose} config file")
    users.set_defaults(func=lambda args: run_users(args, open_book))


def add_commands(sub: Any) -> None:
    add_users_parser(sub, lane_accounts, whose="the lane's",
                     description="The lane's own users. Users added at the hub arrive by its roster.")
