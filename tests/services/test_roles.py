"""Roles: who may edit, who may give roles, and finding members."""

import pytest

from app.models import Role
from app.services import roles
from app.services.errors import ForbiddenError
from tests.factories import make_user


def test_require_lets_higher_roles_through_and_refuses_lower_ones(db):
    member, editor, admin = make_user("mia"), make_user("eddie"), make_user("ada")
    editor.role, admin.role = Role.editor, Role.admin

    assert roles.require(editor, Role.editor) is editor
    assert roles.require(admin, Role.editor) is admin
    with pytest.raises(roles.NotAllowedError, match=r"Only editors can change the catalog\."):
        roles.require(member, Role.editor)
    with pytest.raises(ForbiddenError, match=r"Only admins can do that\."):
        roles.require(editor, Role.admin)
    with pytest.raises(roles.NotAllowedError):
        roles.require(None, Role.editor)


def test_an_admin_gives_and_takes_roles(db):
    admin, member = make_user("ada"), make_user("mia")
    admin.role = Role.admin

    assert roles.set_role(user=member, role=Role.editor, by=admin) is True
    assert member.role is Role.editor
    assert member.can_edit
    assert not member.is_admin
    assert roles.set_role(user=member, role=Role.editor, by=admin) is False


def test_an_editor_cannot_give_roles(db):
    editor, member = make_user("eddie"), make_user("mia")
    editor.role = Role.editor

    with pytest.raises(roles.NotAllowedError):
        roles.set_role(user=member, role=Role.admin, by=editor)
    assert member.role is Role.member


def test_the_last_admin_stays_admin_until_there_is_another(db):
    first, second = make_user("ada"), make_user("bea")
    first.role = Role.admin

    with pytest.raises(roles.RoleError, match="ada is the only admin"):
        roles.set_role(user=first, role=Role.member, by=first)
    roles.set_role(user=second, role=Role.admin, by=first)
    roles.set_role(user=first, role=Role.member, by=second)
    assert first.role is Role.member


def test_parse_names_the_roles_there_are():
    assert roles.parse(" Editor ") is Role.editor
    with pytest.raises(roles.RoleError, match="use one of member, editor, admin"):
        roles.parse("overlord")


def test_search_members_by_prefix_and_role(db):
    for name in ("ana", "anabela", "bea", "an_x"):
        make_user(name)
    make_user("andre", email="zz@example.com").role = Role.editor

    assert [user.username for user in roles.search_members("AN").items] == [
        "an_x",
        "ana",
        "anabela",
        "andre",
    ]
    assert [user.username for user in roles.search_members("an_").items] == ["an_x"]
    assert [user.username for user in roles.search_members("zz@").items] == ["andre"]
    assert [user.username for user in roles.search_members(role=Role.editor).items] == ["andre"]
    page = roles.search_members("", page=9, per_page=2)
    assert (page.page, page.total, len(page.items)) == (3, 5, 1)
