"""Every API answer the suite produces is checked against /api/v1/openapi.json, so the document and the answers
cannot drift: a test client that validates each response under /api/v1 with openapi-core."""

from __future__ import annotations

from functools import cache

from flask.testing import FlaskClient
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_spec_validator import validate

API = "/api/v1/"


class _AnsweredRequest(WerkzeugOpenAPIRequest):
    """The request as far as checking its answer needs: its body stream was read by the app already."""

    @property
    def body(self) -> bytes | None:
        return None


@cache
def _openapi(document: str) -> OpenAPI:
    import json

    spec = json.loads(document)
    validate(spec)  # the document itself is valid OpenAPI 3
    return OpenAPI.from_dict(spec)


class ContractClient(FlaskClient):
    """A test client that fails the test when an API answer is not what the OpenAPI document says."""

    checked = 0

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if request.path.startswith(API) and not request.path.endswith("/openapi.json"):
            check_response(self.application, request, response)
            ContractClient.checked += 1
        return response


def check_response(app, request, response) -> None:
    if "openapi_document" not in app.extensions:  # the document as the API serves it, fetched once per app
        app.extensions["openapi_document"] = FlaskClient(app).get(API + "openapi.json").get_data(as_text=True)
    openapi = _openapi(app.extensions["openapi_document"])
    try:
        openapi.validate_response(_AnsweredRequest(request), WerkzeugOpenAPIResponse(response))
    except PathNotFound:
        assert response.status_code == 404, f"{request.method} {request.path} is not in the OpenAPI document"
    except OperationNotFound:
        assert response.status_code == 405, f"{request.method} {request.path} is not in the OpenAPI document"
    except Exception as exc:  # the validation error names what differs
        details = "; ".join(str(e) for e in getattr(exc, "schema_errors", []) or [exc.__cause__ or exc])
        raise AssertionError(
            f"{request.method} {request.full_path[:200]} answered {response.status_code} unlike the OpenAPI document: "
            f"{exc}: {details}\n{response.get_data(as_text=True)[:500]}"
        ) from exc
