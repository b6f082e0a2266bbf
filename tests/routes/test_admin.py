"""The admin pages: only admins, and changing a member's role."""

from app.models import Role
from tests.factories import make_user
from tests.support import csrf_token


def sign_in_as(client, auth, db, username: str, role: Role):
    user = make_user(username)
    user.role = role
    db.session.commit()
    auth.login(username)
    return user


def test_admin_pages_need_a_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_members_and_editors_get_403(client, auth, db):
    sign_in_as(client, auth, db, "eddie", Role.editor)

    page = client.get("/admin/users")
    token = csrf_token(client, "/account")
    posted = client.post("/admin/users/1/role", data={"role": "admin", "csrf_token": token})

    assert page.status_code == 403
    assert posted.status_code == 403
    assert "Admin</a>" not in client.get("/").get_data(as_text=True)


def test_an_admin_finds_members_and_changes_a_role(client, auth, db):
    sign_in_as(client, auth, db, "ada", Role.admin)
    mia = make_user("mia")
    make_user("bea")
    db.session.commit()

    listing = client.get("/admin/users?q=mi").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{mia.id}/role",
        data={"role": "editor", "q": "mi", "csrf_token": csrf_token(client, "/admin/users")},
    )

    assert "mia@example.com" in listing
    assert "bea@example.com" not in listing
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users?q=mi"
    db.session.refresh(mia)
    assert mia.role is Role.editor
    assert "mia is now editor." in client.get("/admin/users").get_data(as_text=True)


def test_a_refused_role_change_is_a_message(client, auth, db):
    ada = sign_in_as(client, auth, db, "ada", Role.admin)
    token = csrf_token(client, "/admin/users")

    def post_then_read(user_id: int, role: str):
        response = client.post(
            f"/admin/users/{user_id}/role", data={"role": role, "csrf_token": token}
        )
        return response.status_code, client.get("/admin/users").get_data(as_text=True)

    demoted = post_then_read(ada.id, "member")
    unknown = post_then_read(ada.id, "king")
    missing = post_then_read(999_999, "member")

    assert demoted[0] == unknown[0] == 302
    assert "ada is the only admin: make someone else admin first." in demoted[1]
    assert "Choose one of the roles." in unknown[1]
    assert missing[0] == 404
    db.session.refresh(ada)
    assert ada.role is Role.admin


def test_the_admin_list_ignores_an_unknown_role_filter(client, auth, db):
    sign_in_as(client, auth, db, "ada", Role.admin)
    response = client.get("/admin/users?role=king&page=abc")
    assert response.status_code == 200
    assert "1 member." in response.get_data(as_text=True)
