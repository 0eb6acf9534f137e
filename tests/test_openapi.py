"""The OpenAPI document at /openapi.json says what the app really answers."""

import pytest

from tests.conftest import assert_error

BINARY = {"schema": {"type": "string", "format": "binary"}}


@pytest.fixture
async def document(client) -> dict:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


async def test_every_json_body_documents_the_400_of_an_undecodable_body(document, client):
    with_json_body = [
        (method, path, operation)
        for method, path, operation in operations(document)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(with_json_body) >= 15  # every body of the API, not a few
    for method, path, operation in with_json_body:
        entry = operation["responses"].get("400")
        assert entry, f"{method} {path} doesn't document 400"
        assert "UTF-8" in entry["description"]
        schema = entry["content"]["application/json"]["schema"]
        assert schema["properties"]["error"]["required"] == ["code", "message"]
    # ...and the app answers it in that shape
    headers = {"Content-Type": "application/json"}
    response = await client.post("/api/auth/register", content=b'{"a": "\xff"}', headers=headers)
    assert_error(response, 400, "bad_request")


async def test_operations_without_a_body_gain_no_400(document):
    assert "400" not in document["paths"]["/api/users/me"]["get"]["responses"]
    assert "400" not in document["paths"]["/api/chats/{chat_id}"]["get"]["responses"]


async def test_downloads_document_their_real_media_types(document):
    download = document["paths"]["/api/files/{file_id}"]["get"]["responses"]["200"]["content"]
    assert download == {
        "image/png": BINARY,
        "image/jpeg": BINARY,
        "image/gif": BINARY,
        "image/webp": BINARY,
        "application/octet-stream": BINARY,
    }
    thumbnail = document["paths"]["/api/files/{file_id}/thumbnail"]["get"]["responses"]["200"]
    assert thumbnail["content"] == {"image/webp": BINARY}


async def test_a_date_is_still_documented_as_a_date_string(document):
    birth_date = document["components"]["schemas"]["ProfilePatch"]["properties"]["birth_date"]
    assert {"type": "string", "format": "date"} in birth_date["anyOf"]
