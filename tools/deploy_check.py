#!/usr/bin/python3
"""deploy_check.py FILE.yaml... - checks Kubernetes manifests offline.

Each document must be a kind the Kubernetes Python client (python3-kubernetes)
models: every field is checked against the model's fields (a misspelt or
misplaced key is an error, where kubectl would ask the server), required
fields are enforced by building the models, and a Deployment's wiring is
checked: selector against template labels, probe ports against named ports,
volume mounts against volumes.
"""

import sys

import yaml
from kubernetes import client

PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float), "object": object,
              "datetime": str, "date": str}


def model_name(doc):
    """apps/v1 Deployment -> V1Deployment (the client's models carry no group)."""
    version = doc.get("apiVersion", "").split("/")[-1]
    return f"{version.capitalize()}{doc.get('kind', '')}"


def check(value, type_name, path, errors):
    if type_name.startswith("list["):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list")
            return
        for i, item in enumerate(value):
            check(item, type_name[5:-1], f"{path}[{i}]", errors)
    elif type_name.startswith("dict("):
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping")
            return
        inner = type_name[5:-1].split(", ", 1)[1]
        for k, v in value.items():
            check(v, inner, f"{path}.{k}", errors)
    elif type_name in PRIMITIVES:
        if not isinstance(value, PRIMITIVES[type_name]):
            errors.append(f"{path}: expected {type_name}, got {type(value).__name__} {value!r}")
    else:
        cls = getattr(client.models, type_name, None)
        if cls is None:
            errors.append(f"{path}: no model {type_name}")
            return
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a {type_name} mapping")
            return
        fields = {json_key: attr for attr, json_key in cls.attribute_map.items()}
        for key, item in value.items():
            if key not in fields:
                errors.append(f"{path}.{key}: no such field in {type_name}")
                continue
            check(item, cls.openapi_types[fields[key]], f"{path}.{key}", errors)


def wiring(doc, errors):
    if doc.get("kind") != "Deployment":
        return
    spec = doc["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    for k, v in spec["selector"].get("matchLabels", {}).items():
        if labels.get(k) != v:
            errors.append(f"Deployment {doc['metadata']['name']}: selector {k}={v} not in the template's labels")
    pod = spec["template"]["spec"]
    volumes = {v["name"] for v in pod.get("volumes", [])}
    for c in pod["containers"]:
        ports = {p.get("name") for p in c.get("ports", [])}
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            port = c.get(probe, {}).get("httpGet", {}).get("port")
            if isinstance(port, str) and port not in ports:
                errors.append(f"container {c['name']}: {probe} port {port!r} is not a named port")
        for m in c.get("volumeMounts", []):
            if m["name"] not in volumes:
                errors.append(f"container {c['name']}: volume {m['name']!r} is not declared")


def main(paths):
    api = client.ApiClient()
    errors, seen = [], []
    services, deployments = [], []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for n, doc in enumerate(docs):
            name = model_name(doc)
            where = f"{path}#{n} {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            if getattr(client.models, name, None) is None:
                errors.append(f"{where}: unknown apiVersion/kind ({name})")
                continue
            before = len(errors)
            check(doc, name, where, errors)
            try:  # builds the models: required fields are enforced here
                api._ApiClient__deserialize(doc, name)
            except (ValueError, TypeError) as exc:
                errors.append(f"{where}: {exc}")
            wiring(doc, errors)
            if len(errors) == before:
                seen.append(where)
            if doc.get("kind") == "Service":
                services.append(doc)
            if doc.get("kind") == "Deployment":
                deployments.append(doc)
    for svc in services:
        sel = svc["spec"].get("selector", {})
        if not any(all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())
                   for d in deployments):
            errors.append(f"Service {svc['metadata']['name']}: selector {sel} matches no Deployment's pods")
    for e in errors:
        print(f"deploy_check: {e}", file=sys.stderr)
    for s in seen:
        print(f"deploy_check: ok {s}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
