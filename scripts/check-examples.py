#!/usr/bin/env python3
"""Checks the examples of openapi.yaml against their schemas.

    python3 scripts/check-examples.py [path/to/openapi.yaml]

Needs PyYAML and jsonschema (with its `referencing` dependency). Loads the spec with a YAML loader that refuses
duplicate keys, then validates with the JSON Schema Draft 2020-12 validator, formats included (uuid, date, date-time,
email, ...):

- every `example` and `examples` value of a media type (request and response bodies, shared responses and request
  bodies included), of a parameter and of a header, against the schema beside it;
- every `example` and `examples` member inside a schema, against that schema.

It also lists each request or response body (media type) that has no example, neither its own nor its schema's.
Prints one line per problem and a summary; exits 1 when there is any problem, 0 otherwise.
"""
import datetime
import re
import sys
from pathlib import Path
from urllib.parse import quote

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")


class UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a mapping with the same key twice."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_timestamp(self, node):
        """An unquoted date stays a date (so a string schema refuses it: quote it); an impossible one stays text."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, UniqueKeyLoader.construct_mapping)
UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", UniqueKeyLoader.construct_timestamp)

# RFC 3339 date-time, checked here so the check does not depend on an optional package of jsonschema.
FORMATS = FormatChecker()
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    match = RFC3339.fullmatch(value)
    if not match:
        return False
    # A leap second (:60) is valid RFC 3339 that Python cannot represent: checked as :59.
    text = value[:17] + min(match.group(1), "59") + value[19:]
    datetime.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    return True


def main(path):
    try:
        spec = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except (OSError, yaml.YAMLError) as error:
        print(f"FAIL cannot load {path}: {error}")
        return 1
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(spec))
    failures, missing, checked = [], [], 0

    def pointer(*parts):
        return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)

    def resolve(obj, ptr):
        """Follows a local $ref (of a response, parameter, example...); returns the object and its pointer."""
        while isinstance(obj, dict) and "$ref" in obj:
            ptr = obj["$ref"][1:]
            obj = spec
            for part in ptr.strip("/").split("/"):
                obj = obj[part.replace("~1", "/").replace("~0", "~")]
        return obj, ptr

    def validate(value, schema_ptr, where):
        nonlocal checked
        checked += 1
        validator = Draft202012Validator({"$ref": "urn:openapi#" + quote(schema_ptr, safe="/~")},
                                         registry=registry, format_checker=FORMATS)
        for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
            failures.append(f"FAIL {where} at {error.json_path}: {error.message[:300]}")

    def has_example(schema, ptr):
        schema, _ = resolve(schema, ptr)
        return isinstance(schema, dict) and ("example" in schema or "examples" in schema)

    def check_examples(obj, ptr, where):
        """The example and examples of a media type, parameter or header, against its `schema`."""
        if "schema" not in obj:
            return
        if "example" in obj:
            validate(obj["example"], ptr + "/schema", f"{where} example")
        for name, example in (obj.get("examples") or {}).items():
            example, _ = resolve(example, ptr + pointer("examples", name))
            if "value" in example:
                validate(example["value"], ptr + "/schema", f"{where} example {name!r}")
            elif "externalValue" not in example:
                failures.append(f"FAIL {where} example {name!r}: neither value nor externalValue")
        walk_schema(obj["schema"], ptr + "/schema", where + " schema")

    def walk_schema(schema, ptr, where):
        """The example and examples keywords inside a schema, recursively."""
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        if "example" in schema:
            validate(schema["example"], ptr, f"{where} (schema example)")
        if isinstance(schema.get("examples"), list):
            for index, example in enumerate(schema["examples"]):
                validate(example, ptr, f"{where} (schema examples[{index}])")
        for key in SUBSCHEMA_MAPS:
            for name, sub in (schema.get(key) or {}).items():
                walk_schema(sub, ptr + pointer(key, name), f"{where}.{name}")
        for key in SUBSCHEMA_LISTS:
            for index, sub in enumerate(schema.get(key) or []):
                walk_schema(sub, ptr + pointer(key, index), f"{where}.{key}[{index}]")
        for key in SUBSCHEMAS:
            walk_schema(schema.get(key), ptr + pointer(key), f"{where}.{key}")

    def check_content(content_owner, ptr, where):
        """Every media type of a request body or response: its examples, and whether it has any."""
        for media_type, obj in (content_owner.get("content") or {}).items():
            media_ptr = ptr + pointer("content", media_type)
            check_examples(obj, media_ptr, f"{where} {media_type}")
            if not ("example" in obj or obj.get("examples") or has_example(obj.get("schema"), media_ptr + "/schema")):
                missing.append(f"MISSING {where} {media_type}: no example")

    def check_parameters(parameters, ptr, where):
        for index, parameter in enumerate(parameters or []):
            if "$ref" not in parameter:
                check_examples(parameter, ptr + pointer(index), f"{where} parameter {parameter.get('name')}")

    def check_headers(headers, ptr, where):
        for name, header in (headers or {}).items():
            if "$ref" not in header:
                check_examples(header, ptr + pointer(name), f"{where} header {name}")

    components = spec.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        walk_schema(schema, pointer("components", "schemas", name), f"schema {name}")
    for name, parameter in (components.get("parameters") or {}).items():
        check_examples(parameter, pointer("components", "parameters", name), f"parameter {name}")
    check_headers(components.get("headers"), pointer("components", "headers"), "components")
    for name, body in (components.get("requestBodies") or {}).items():
        check_content(body, pointer("components", "requestBodies", name), f"request body {name}")
    for name, response in (components.get("responses") or {}).items():
        response_ptr = pointer("components", "responses", name)
        check_content(response, response_ptr, f"response {name}")
        check_headers(response.get("headers"), response_ptr + "/headers", f"response {name}")

    for path, item in (spec.get("paths") or {}).items():
        check_parameters(item.get("parameters"), pointer("paths", path, "parameters"), path)
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            op_ptr, where = pointer("paths", path, method), f"{method.upper()} {path}"
            check_parameters(operation.get("parameters"), op_ptr + "/parameters", where)
            if "requestBody" in operation and "$ref" not in operation["requestBody"]:
                check_content(operation["requestBody"], op_ptr + "/requestBody", f"{where} request")
            for status, response in (operation.get("responses") or {}).items():
                if "$ref" in response:
                    continue  # a shared response, checked once above
                response_ptr = op_ptr + pointer("responses", status)
                check_content(response, response_ptr, f"{where} {status}")
                check_headers(response.get("headers"), response_ptr + "/headers", f"{where} {status}")

    for line in failures + missing:
        print(line)
    print(f"{checked} examples checked: {len(failures)} invalid, {len(missing)} bodies without an example")
    return 1 if failures or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "openapi.yaml"))
