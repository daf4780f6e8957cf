#!/usr/bin/env bash
# Checks deploy/k8s offline, as CI does (.ci/run calls this; run it alone the same way):
#   1. the overlays are what deploy/k8s/generate.py writes from deploy/counties.csv;
#   2. every overlay renders with `kubectl kustomize`, one per county line + statewide (59);
#   3. the rendered YAML is valid against the Kubernetes schemas (kubernetes-validate, strict;
#      the CloudNativePG Cluster CRD has no shipped schema and is skipped), and keeps the
#      rules of docs/DEPLOY.md (deploy/k8s/check_rendered.py).
# Needs kubectl and python3; kubernetes-validate goes into a venv under the cache directory
# on first use (PyPI), then runs offline.
set -euo pipefail
cd "$(dirname "$0")/../.."

# One overlay per line of counties.csv (generate.py requires all 58 counties) + statewide:
# 59 today; adding a jurisdiction stays one CSV line.
EXPECTED_OVERLAYS="$(python3 -c 'import csv, sys; print(sum(1 for row in csv.reader(open(sys.argv[1])) if row))' deploy/counties.csv)"
KUBERNETES_VALIDATE_VERSION=1.37.0   # ships schemas up to Kubernetes 1.37
# The oldest Kubernetes minor we deploy to and the newest the validator knows.
K8S_VERSIONS=(${CMR_K8S_VERSIONS:-1.31 1.37})
K8S_NEWEST="${K8S_VERSIONS[${#K8S_VERSIONS[@]}-1]}"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/cmr-ci/venv"

start=$SECONDS

echo "== deploy/k8s: kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} in ${VENV}"
installed="$("$VENV/bin/kubernetes-validate" --version 2>/dev/null || true)"
if [ "$installed" != "$KUBERNETES_VALIDATE_VERSION" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}"
fi
"$VENV/bin/kubernetes-validate" --version

echo "== deploy/k8s: overlays match deploy/counties.csv (generate.py --check)"
python3 deploy/k8s/generate.py --check

echo "== deploy/k8s: kubectl kustomize every overlay"
kubectl version --client
rendered="$(mktemp -d)"
trap 'rm -rf "$rendered"' EXIT
count=0
for overlay in deploy/k8s/overlays/*/; do
  name="$(basename "$overlay")"
  if ! kubectl kustomize "$overlay" > "$rendered/$name.yaml"; then
    echo "kubectl kustomize $overlay failed" >&2
    exit 1
  fi
  count=$((count + 1))
done
if [ "$count" -ne "$EXPECTED_OVERLAYS" ]; then
  echo "rendered $count overlays, expected $EXPECTED_OVERLAYS (one per county in deploy/counties.csv + statewide)" >&2
  exit 1
fi
echo "rendered $count overlays ($((count - 1)) counties + statewide)"

echo "== deploy/k8s: kubernetes-validate --strict -k $K8S_NEWEST (CRDs skipped)"
# Unknown kinds are warnings, not failures, in kubernetes-validate: allow exactly the
# CloudNativePG Cluster warning and fail on anything else (a mistyped kind, for one).
kv_out="$rendered/kubernetes-validate.out"
kv_rc=0
"$VENV/bin/kubernetes-validate" --strict --quiet -k "$K8S_NEWEST" "$rendered"/*.yaml > "$kv_out" || kv_rc=$?
unexpected="$(grep -v "Couldn't find schema for kind Cluster with api version postgresql.cnpg.io/v1 " "$kv_out" || true)"
crd_skipped="$(grep -c "Couldn't find schema for kind Cluster with api version postgresql.cnpg.io/v1 " "$kv_out" || true)"
if [ "$kv_rc" -ne 0 ] || [ -n "$unexpected" ]; then
  printf '%s\n' "$unexpected" >&2
  echo "kubernetes-validate failed (exit $kv_rc)" >&2
  exit 1
fi
echo "kubernetes-validate: no errors; ${crd_skipped} CloudNativePG Cluster objects skipped"

echo "== deploy/k8s: schemas for Kubernetes ${K8S_VERSIONS[*]} and the deployment rules (check_rendered.py)"
k_args=()
for v in "${K8S_VERSIONS[@]}"; do k_args+=(-k "$v"); done
summary="$("$VENV/bin/python" deploy/k8s/check_rendered.py "${k_args[@]}" "$rendered"/*.yaml)" || {
  printf '%s\n' "$summary" >&2
  exit 1
}
printf '%s\n' "$summary"

echo "deploy/k8s: OK: $count overlays rendered and valid (Kubernetes ${K8S_VERSIONS[*]}, strict; CNPG Cluster CRD skipped) in $((SECONDS - start)) s"
