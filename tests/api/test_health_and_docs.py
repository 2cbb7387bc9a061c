"""Health, Swagger UI and the OpenAPI spec."""


def test_health_reports_version_database_and_models(client):
    body = client.get("/api/v1/health").get_json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["database"] is True
    assert body["models"]["pose_weights"] == "yolo11n-pose.pt"
    assert isinstance(body["models"]["pose"], bool)


def test_swagger_ui_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger" in response.data.lower()


def test_spec_declares_bearer_auth_and_documents_pagination(client):
    spec = client.get("/api/v1/swagger.json").get_json()
    assert spec["securityDefinitions"]["Bearer"]["in"] == "header"
    assert "/auth/login" in spec["paths"] and "/users/me" in spec["paths"]
    parameters = {p["name"] for p in spec["paths"]["/uploads"]["get"]["parameters"]}
    assert {"page", "per_page"} <= parameters
