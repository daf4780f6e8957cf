#!/usr/bin/env python3
"""Validates rendered overlays (one `kubectl kustomize` output per file) offline.

Run by deploy/k8s/validate.sh inside the venv that has kubernetes-validate (pinned there).

1. Schema: every object against the Kubernetes OpenAPI schemas that kubernetes-validate
   ships, in strict mode (an unknown field is an error), for each --kubernetes-version.
   An unknown kind is an error, except the CRDs listed in CRDS (no schema shipped), which
   get a small structural check instead and are counted as skipped.
2. The deployment rules docs/DEPLOY.md promises, per overlay: the namespace enforces the
   restricted Pod Security Standard; every pod runs non-root with RuntimeDefault seccomp, no
   privilege escalation, all capabilities dropped, a read-only root file system, requests
   and limits, liveness and readiness probes on a declared port, no service-account token;
   every ConfigMap, ServiceAccount and PVC a pod names is in the render, and every Secret is
   either a CloudNativePG `<cluster>-app` of a rendered Cluster or one of EXTERNAL_SECRETS;
   a pod on a ReadWriteOnce PVC runs one replica with strategy Recreate and no autoscaler;
   a default-deny NetworkPolicy exists; Services select pods and name declared ports.

Prints one line per problem and a summary; exit 1 on any problem.
"""

import argparse
import functools
import re
import sys
from collections import Counter

import jsonschema
import yaml
from referencing import Registry, Resource

import kubernetes_validate.utils as kv

CRDS = {("postgresql.cnpg.io/v1", "Cluster")}
# Secrets the operator creates by hand (docs/DEPLOY.md, "Secrets"); never in git.
EXTERNAL_SECRETS = re.compile(r"^cmr-(ingest|eligibility|verification|filing)-database$|^cmr-verification-tokens$")
CLUSTER_SCOPED = {"Namespace"}


@functools.lru_cache(maxsize=None)
def validator(k8s_version, api_version, kind):
    """A strict validator for one kind, or None when no schema ships (kubernetes-validate's
    own file lookup and version choice, with the schemas parsed once instead of per object)."""
    versions = [v for v in kv.all_versions() if kv.major_minor(v) <= kv.major_minor(k8s_version)]
    if not versions:
        raise SystemExit(f"kubernetes-validate has no schemas for Kubernetes {k8s_version}")
    schema_dir = f"v{versions[-1]}-local-strict"
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{api}.json", k8s_version)
    except FileNotFoundError:
        return None
    definitions = definitions_for(schema_dir, k8s_version)
    registry = Resource.from_contents(schema) @ (definitions @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


@functools.lru_cache(maxsize=None)
def definitions_for(schema_dir, k8s_version):
    return Resource.from_contents(kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", k8s_version))


def name_of(obj):
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def check_crd(obj, problems):
    spec = obj.get("spec") or {}
    if obj["kind"] == "Cluster":
        if not isinstance(spec.get("instances"), int) or spec["instances"] < 1:
            problems.append(f"{name_of(obj)}: spec.instances must be a positive integer")
        if not (spec.get("storage") or {}).get("size"):
            problems.append(f"{name_of(obj)}: spec.storage.size is missing")


def check_pod(owner, pod, objects, problems):
    where = name_of(owner)
    sc = pod.get("securityContext") or {}
    if sc.get("runAsNonRoot") is not True:
        problems.append(f"{where}: pod securityContext.runAsNonRoot is not true")
    if (sc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problems.append(f"{where}: pod seccompProfile is not RuntimeDefault")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: automountServiceAccountToken is not false")
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key):
            problems.append(f"{where}: {key} is set")
    sa = pod.get("serviceAccountName")
    if sa and ("ServiceAccount", sa) not in objects:
        problems.append(f"{where}: ServiceAccount {sa} is not rendered")
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for v in volumes.values():
        if "hostPath" in v:
            problems.append(f"{where}: hostPath volume {v['name']}")
        if "configMap" in v and ("ConfigMap", v["configMap"]["name"]) not in objects:
            problems.append(f"{where}: ConfigMap {v['configMap']['name']} is not rendered")
        if "secret" in v:
            check_secret(where, v["secret"]["secretName"], objects, problems)
        if "persistentVolumeClaim" in v and ("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]) not in objects:
            problems.append(f"{where}: PVC {v['persistentVolumeClaim']['claimName']} is not rendered")
    for c in pod.get("containers") or []:
        cw = f"{where} container {c['name']}"
        csc = c.get("securityContext") or {}
        if csc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{cw}: allowPrivilegeEscalation is not false")
        if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
            problems.append(f"{cw}: capabilities do not drop ALL")
        if (csc.get("capabilities") or {}).get("add"):
            problems.append(f"{cw}: capabilities are added")
        if csc.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{cw}: readOnlyRootFilesystem is not true")
        if csc.get("privileged"):
            problems.append(f"{cw}: privileged")
        res = c.get("resources") or {}
        for kind in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if r not in (res.get(kind) or {}):
                    problems.append(f"{cw}: no {r} {kind[:-1]}")
        ports = {p["containerPort"] for p in c.get("ports") or []}
        names = {p.get("name") for p in c.get("ports") or []}
        for probe in ("livenessProbe", "readinessProbe"):
            p = c.get(probe)
            if not p:
                problems.append(f"{cw}: no {probe}")
                continue
            port = (p.get("grpc") or p.get("httpGet") or p.get("tcpSocket") or {}).get("port")
            if port not in ports and port not in names:
                problems.append(f"{cw}: {probe} port {port} is not a container port")
        for m in c.get("volumeMounts") or []:
            if m["name"] not in volumes:
                problems.append(f"{cw}: volumeMount {m['name']} has no volume")
        for ef in c.get("envFrom") or []:
            if "configMapRef" in ef and ("ConfigMap", ef["configMapRef"]["name"]) not in objects:
                problems.append(f"{cw}: ConfigMap {ef['configMapRef']['name']} is not rendered")
            if "secretRef" in ef:
                check_secret(cw, ef["secretRef"]["name"], objects, problems)
        for e in c.get("env") or []:
            ref = (e.get("valueFrom") or {})
            if "secretKeyRef" in ref:
                check_secret(cw, ref["secretKeyRef"]["name"], objects, problems)
            if "configMapKeyRef" in ref and ("ConfigMap", ref["configMapKeyRef"]["name"]) not in objects:
                problems.append(f"{cw}: ConfigMap {ref['configMapKeyRef']['name']} is not rendered")


def check_secret(where, name, objects, problems):
    if ("Secret", name) in objects or EXTERNAL_SECRETS.match(name):
        return
    if name.endswith("-app") and ("Cluster", name[: -len("-app")]) in objects:
        return
    problems.append(f"{where}: Secret {name} is neither rendered, a CloudNativePG -app Secret, nor a documented external Secret")


def check_overlay(docs, problems):
    objects = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    namespaces = [d for d in docs if d["kind"] == "Namespace"]
    if len(namespaces) != 1:
        problems.append(f"{len(namespaces)} Namespace objects, expected 1")
        return
    ns = namespaces[0]
    labels = ns["metadata"].get("labels") or {}
    if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
        problems.append(f"Namespace {ns['metadata']['name']}: pod-security enforce is not restricted")
    for d in docs:
        if d["kind"] not in CLUSTER_SCOPED and d["metadata"].get("namespace") != ns["metadata"]["name"]:
            problems.append(f"{name_of(d)}: namespace {d['metadata'].get('namespace')} is not {ns['metadata']['name']}")
    if not any(d["kind"] == "NetworkPolicy" and d["spec"].get("podSelector") == {}
               and set(d["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
               and not d["spec"].get("ingress") and not d["spec"].get("egress") for d in docs):
        problems.append("no default-deny NetworkPolicy")
    hpa_targets = {d["spec"]["scaleTargetRef"]["name"] for d in docs if d["kind"] == "HorizontalPodAutoscaler"}
    for t in hpa_targets:
        if ("Deployment", t) not in objects:
            problems.append(f"HorizontalPodAutoscaler targets Deployment {t}, not rendered")
    for d in docs:
        if d["kind"] == "Deployment":
            pod = d["spec"]["template"]["spec"]
            check_pod(d, pod, objects, problems)
            tmpl = d["spec"]["template"]["metadata"].get("labels") or {}
            if any(tmpl.get(k) != v for k, v in d["spec"]["selector"]["matchLabels"].items()):
                problems.append(f"{name_of(d)}: selector does not match the template's labels")
            rwo = [v for v in pod.get("volumes") or [] if "persistentVolumeClaim" in v
                   and "ReadWriteOnce" in objects.get(("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]), {}).get("spec", {}).get("accessModes", [])]
            if rwo:
                if d["spec"].get("replicas") != 1:
                    problems.append(f"{name_of(d)}: a ReadWriteOnce volume needs replicas 1")
                if (d["spec"].get("strategy") or {}).get("type") != "Recreate":
                    problems.append(f"{name_of(d)}: a ReadWriteOnce volume needs strategy Recreate")
                if d["metadata"]["name"] in hpa_targets:
                    problems.append(f"{name_of(d)}: a ReadWriteOnce volume cannot be autoscaled")
        elif d["kind"] == "Service":
            sel = d["spec"].get("selector") or {}
            pods = [x["spec"]["template"] for x in docs if x["kind"] == "Deployment"
                    and all((x["spec"]["template"]["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())]
            if not pods:
                problems.append(f"{name_of(d)}: selects no Deployment's pods")
            for port in d["spec"].get("ports", []):
                tp = port.get("targetPort", port["port"])
                if not any(tp in {cp.get("name") for c in p["spec"]["containers"] for cp in c.get("ports", [])}
                           | {cp["containerPort"] for c in p["spec"]["containers"] for cp in c.get("ports", [])}
                           for p in pods):
                    problems.append(f"{name_of(d)}: targetPort {tp} is no container port")
        elif d["kind"] == "PodDisruptionBudget":
            sel = d["spec"]["selector"].get("matchLabels") or {}
            if not any(x["kind"] == "Deployment" and all((x["spec"]["template"]["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items()) for x in docs):
                problems.append(f"{name_of(d)}: selects no Deployment's pods")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", "--kubernetes-version", action="append", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    problems_total, kinds, skipped = 0, Counter(), 0
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        problems = []
        for d in docs:
            key = (d.get("apiVersion"), d.get("kind"))
            kinds[d.get("kind")] += 1
            if key in CRDS:
                skipped += 1
                check_crd(d, problems)
                continue
            for version in args.kubernetes_version:
                v = validator(version, *key)
                if v is None:
                    problems.append(f"{name_of(d)}: no schema for {key[0]} {key[1]} in Kubernetes {version} (not a known CRD either)")
                    continue
                for e in sorted(v.iter_errors(d), key=lambda e: list(e.path)):
                    problems.append(f"{name_of(d)}: Kubernetes {version}: {'.'.join(map(str, e.path)) or '(root)'}: {e.message}")
        check_overlay(docs, problems)
        for p in problems:
            print(f"ERROR {path}: {p}")
        problems_total += len(problems)
    total = sum(kinds.values())
    print(f"check_rendered: {len(args.files)} files, {total} objects "
          f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); "
          f"{total - skipped} schema-validated (strict) against Kubernetes {', '.join(args.kubernetes_version)}, "
          f"{skipped} CRD objects skipped (structural check only); {problems_total} problems")
    return 1 if problems_total else 0


if __name__ == "__main__":
    sys.exit(main())
