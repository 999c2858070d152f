import re


def test_schema_and_docs_are_served_without_any_cdn(client, reviewer):
    client.force_login(reviewer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["openapi"].startswith("3.")
    assert "ApiKeyAuth" in body["components"]["securitySchemes"]
    assert "/api/v1/enterprises/" in body["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    assert sources and all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
    assert client.get(next(s for s in sources if s.endswith(".js"))).status_code == 200
