"""OpenAPI links, derived from the paths once for every resource, so a client
(or a stateful fuzzer) can follow real ids from one answer to the next
request: create, then read, update and act on what was created.

For each resource, a collection `/x/` with a detail `/x/{id}/` and the
sub-resources under it (`/x/{id}/history/`, `/x/{id}/sign/`...):

- the create (`POST /x/`, 201) and each detail answer that returns the record
  (read, update, actions) link their body's `id` to every operation on the
  detail and its sub-resources, and their `ETag` to those that take If-Match;
- the list (`GET /x/`) links its first result's `id` to the same operations;
- every other answer under the detail (history, stock, deletes...) links the
  id it was called with back to the detail.

A postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) rather
than per-view `extend_schema(responses=...)`, so a new viewset gets its links
without anyone writing them.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Operation = dict[str, Any]

DETAIL = re.compile(r"^(?P<collection>.*/)\{(?P<param>[A-Za-z_][A-Za-z0-9_]*)\}/$")
METHODS = ("get", "put", "patch", "post", "delete")


@dataclass
class Resource:
    collection: str
    detail: str
    param: str
    # (path, method, operation) for the detail and every path under it.
    members: list[tuple[str, str, Operation]] = field(default_factory=list)


def add_links(result: dict[str, Any], generator: Any, request: Any, public: Any) -> Any:
    paths = result.get("paths", {})
    schemas = result.get("components", {}).get("schemas", {})
    for resource in _resources(paths):
        _link_resource(resource, paths, schemas)
    return result


def _resources(paths: dict[str, Any]) -> Iterator[Resource]:
    for path in sorted(paths):
        match = DETAIL.match(path)
        if match is None or "{" in match["collection"]:
            continue
        resource = Resource(match["collection"], path, match["param"])
        for member in sorted(paths):
            if member.startswith(path):
                resource.members.extend(
                    (member, method, paths[member][method])
                    for method in METHODS
                    if method in paths[member]
                )
        yield resource


def _link_resource(
    resource: Resource, paths: dict[str, Any], schemas: dict[str, Any]
) -> None:
    id_schema = _path_parameter(resource)
    collection = paths.get(resource.collection, {})
    # The record is whatever the detail read and the create answer with; an
    # action answering with something else (a stock movement, a history
    # page) has an id that is not this resource's.
    bodies = [
        _success(operation)[1]
        for operation in (paths[resource.detail].get("get"), collection.get("post"))
        if operation is not None
    ]
    records = {body.get("$ref") for body in bodies if body} - {None}
    if id_schema is None or not records:
        return

    def is_record(schema: dict[str, Any] | None) -> bool:
        return isinstance(schema, dict) and schema.get("$ref") in records

    if "post" in collection:
        status, body = _success(collection["post"])
        if status == "201" and is_record(body):
            _add(collection["post"], status, resource, "$response.body#/id", etag=True)
    if "get" in collection:
        status, body = _success(collection["get"])
        page = _resolve(body, schemas) or {}
        item = page.get("properties", {}).get("results", {}).get("items")
        fields = (_resolve(item, schemas) or {}).get("properties", {})
        first_id = _resolve(fields.get("id"), schemas) or {}
        # A page of this collection's records: the record itself, or a
        # shorter form of it whose id is of the detail's type.
        if status and (
            is_record(item) or first_id.get("type", "?") == id_schema.get("type")
        ):
            _add(collection["get"], status, resource, "$response.body#/results/0/id")
    for _path, _method, operation in resource.members:
        status, body = _success(operation)
        if status is None:
            continue
        if is_record(body):
            _add(operation, status, resource, "$response.body#/id", etag=True)
        else:
            _add(
                operation,
                status,
                resource,
                f"$request.path.{resource.param}",
                only=(resource.detail, "get"),
            )


def _add(
    source: Operation,
    status: str,
    resource: Resource,
    id_expression: str,
    *,
    etag: bool = False,
    only: tuple[str, str] | None = None,
) -> None:
    links = source["responses"][status].setdefault("links", {})
    for path, method, target in resource.members:
        if target is source or (only is not None and (path, method) != only):
            continue
        parameters = {f"path.{resource.param}": id_expression}
        if etag and _takes_header(target, "If-Match"):
            parameters["header.If-Match"] = "$response.header.ETag"
        links[target["operationId"]] = {
            "operationId": target["operationId"],
            "parameters": parameters,
            "description": f"{method.upper()} {path} on this record.",
        }


def _path_parameter(resource: Resource) -> dict[str, Any] | None:
    for _path, _method, operation in resource.members:
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path" and parameter["name"] == resource.param:
                schema: dict[str, Any] = parameter.get("schema", {})
                return schema
    return None


def _takes_header(operation: Operation, name: str) -> bool:
    return any(
        p.get("in") == "header" and p.get("name", "").lower() == name.lower()
        for p in operation.get("parameters", [])
    )


def _success(operation: Operation) -> tuple[str | None, dict[str, Any] | None]:
    """The first 2xx status the operation documents, and its JSON body schema."""
    for status in sorted(operation.get("responses", {})):
        if status.startswith("2"):
            content = operation["responses"][status].get("content", {})
            return status, content.get("application/json", {}).get("schema")
    return None, None


def _resolve(schema: dict[str, Any] | None, schemas: dict[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1])
    return schema
