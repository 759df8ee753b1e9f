"""Bearer tokens, problem+json, the generated OpenAPI document, and GET /me."""

from __future__ import annotations

from planner.accounts.services import create_token


def _bearer(db, user) -> dict[str, str]:
    token = create_token(db, None, user, "test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def test_me_returns_token_owner(client, db, editor) -> None:
    resp = client.get("/api/v1/me", headers=_bearer(db, editor))
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["email"] == "editor@example.org"
    assert body["role"] == "editor"


def test_wrong_token_gets_401_problem_json(client) -> None:
    resp = client.get("/api/v1/me", headers={"Authorization": "Bearer cf_not-a-token"})
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_missing_token_gets_401(client) -> None:
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"


def test_session_cookie_does_not_authenticate_api(client, editor, login) -> None:
    login(client, editor)
    assert client.get("/api/v1/me").status_code == 401


def test_unknown_api_path_is_problem_json(client) -> None:
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.mimetype == "application/problem+json"


def test_openapi_document_lists_me_with_schema(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    op = doc["paths"]["/api/v1/me"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    assert set(doc["components"]["schemas"][name]["properties"]) >= {"id", "email", "role"}
    assert "401" in op["responses"]


def test_openapi_document_matches_registered_routes(app, client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = rule.rule
            for arg in rule.arguments:
                path = (
                    path.replace(f"<int:{arg}>", "{" + arg + "}")
                    .replace(f"<path:{arg}>", "{" + arg + "}")
                    .replace(f"<{arg}>", "{" + arg + "}")
                )
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routed.add((method, path))
    assert documented == routed
