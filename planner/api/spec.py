"""Declaring API operations once, and deriving both the routes and the OpenAPI 3.1 document.

Each operation names its pydantic models for query, body and response; the same models validate
requests and produce the schema, so the document cannot drift from the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from planner.web.database import read_only as mark_read_only
from planner.web.problems import problem

MAX_ID = 2**31 - 1
#: a string pattern that refuses NUL characters (PostgreSQL text cannot hold them)
NO_NUL = r"^[^\x00]*$"
_PATH_PARAM = re.compile(r"<(?:(?P<conv>int|string|path):)?(?P<name>\w+)>")


@dataclass
class Operation:
    method: str
    rule: str
    operation_id: str
    summary: str
    tags: list[str]
    response: type[BaseModel] | None
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    public: bool = False
    errors: tuple[int, ...] = ()
    response_is_list: bool = False
    extra_responses: dict[int, str] = field(default_factory=dict)


class ProblemModel(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None


class Api:
    def __init__(self, blueprint: Blueprint, *, title: str, version: str) -> None:
        self.blueprint = blueprint
        self.title = title
        self.version = version
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        rule: str,
        *,
        summary: str,
        tags: list[str],
        response: type[BaseModel] | None,
        status: int = 200,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        public: bool = False,
        errors: tuple[int, ...] = (),
        many: bool = False,
        read_only: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare an operation; ``read_only`` marks a POST that stores nothing (a check), so its
        request takes no write lock (planner.web.database.read_only)."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            op = Operation(
                method=method.upper(),
                rule=rule,
                operation_id=view.__name__,
                summary=summary,
                tags=tags,
                response=response,
                status=status,
                body=body,
                query=query,
                public=public,
                errors=errors,
                response_is_list=many,
            )
            self.operations.append(op)

            @wraps(view)
            def endpoint(**path: Any) -> Response:
                if not public and g.get("api_user") is None:
                    return problem(401, "Unauthorized", "A valid bearer token is required.")
                if any(isinstance(v, int) and v > MAX_ID for v in path.values()):
                    return problem(404, "Not found", "No such resource.")
                kwargs = dict(path)
                if query is not None:
                    parsed = _parse(query, request.args.to_dict())
                    if isinstance(parsed, Response):
                        return parsed
                    kwargs["query"] = parsed
                if body is not None:
                    data = request.get_json(silent=True)
                    if not isinstance(data, dict):
                        return problem(
                            400, "Bad request", "The body must be a JSON object.", type_="bad-json"
                        )
                    parsed = _parse(body, data)
                    if isinstance(parsed, Response):
                        return parsed
                    kwargs["body"] = parsed
                result = view(**kwargs)
                if isinstance(result, Response):
                    return result
                if response is None:
                    return Response(status=status)
                if many:
                    payload: Any = [item.model_dump(mode="json") for item in result]
                else:
                    payload = result.model_dump(mode="json")
                out = jsonify(payload)
                out.status_code = status
                return out

            if read_only:
                mark_read_only(endpoint)
            self.blueprint.add_url_rule(
                rule, endpoint=view.__name__, view_func=endpoint, methods=[method.upper()]
            )
            return endpoint

        return decorator

    # --- the document ---------------------------------------------------------------------

    def openapi(self, server_url: str) -> dict[str, Any]:
        components: dict[str, Any] = {}
        paths: dict[str, dict[str, Any]] = {}

        def ref(model: type[BaseModel]) -> dict[str, Any]:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in schema.pop("$defs", {}).items():
                components[name] = sub
            components[model.__name__] = schema
            return {"$ref": f"#/components/schemas/{model.__name__}"}

        problem_ref = ref(ProblemModel)
        for op in self.operations:
            path, params = _openapi_path(self.blueprint.url_prefix or "", op.rule)
            item: dict[str, Any] = {
                "operationId": op.operation_id,
                "summary": op.summary,
                "tags": op.tags,
                "parameters": params + (_query_params(op.query) if op.query else []),
                "responses": {},
            }
            if op.public:
                item["security"] = []
            if op.body is not None:
                item["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": ref(op.body)}},
                }
            if op.response is None:
                item["responses"][str(op.status)] = {"description": "Done"}
            else:
                schema = ref(op.response)
                if op.response_is_list:
                    schema = {"type": "array", "items": schema}
                item["responses"][str(op.status)] = {
                    "description": "OK",
                    "content": {"application/json": {"schema": schema}},
                }
            codes = set(op.errors)
            if not op.public:
                codes.add(401)
            if params:
                codes.add(404)
            if op.body is not None or op.query is not None:
                codes.update({400, 422})
            for code in sorted(codes):
                item["responses"][str(code)] = {
                    "description": _ERROR_TEXT.get(code, "Error"),
                    "content": {"application/problem+json": {"schema": problem_ref}},
                }
            paths.setdefault(path, {})[op.method.lower()] = item
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version},
            "servers": [{"url": server_url}],
            "paths": paths,
            "components": {
                "schemas": components,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearer": []}],
        }


_ERROR_TEXT = {
    400: "Malformed request",
    401: "Missing or invalid bearer token",
    403: "The token's user lacks the role",
    404: "Not found",
    409: "The current state forbids this",
    422: "The request breaks a rule",
    428: "Name the version you read (the request must be conditional)",
}


def _parse(model: type[BaseModel], data: dict[str, Any]) -> BaseModel | Response:
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        return problem(
            422,
            "Unprocessable content",
            "The request breaks a rule.",
            type_="validation-error",
            errors=errors,
        )


def _openapi_path(prefix: str, rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _PATH_PARAM.finditer(rule):
        schema = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if match["conv"] == "int"
            else {"type": "string"}
        )
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    path = prefix + _PATH_PARAM.sub(lambda m: "{" + m["name"] + "}", rule)
    return path, params


def _query_params(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]
