#!/usr/bin/env bash
# Installs what Tests/Integration/slurm.sh needs: Debian's slurm-wlm (slurmctld, slurmd and the
# client commands) and munge, sqlite3, and kubernetes-validate from PyPI (it carries the
# Kubernetes API schemas, so the check runs offline). Idempotent: installs only what is missing.
# Starts nothing: the suite starts its own one-node cluster and stops it.
set -euo pipefail
missing=()
for pair in slurmctld:slurm-wlm slurmd:slurm-wlm sbatch:slurm-client munged:munge sqlite3:sqlite3; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The packages' own services are not started here (no systemd); the suite runs its own.
    apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
fi
if ! python3 -c 'import kubernetes_validate' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check 'kubernetes-validate==1.37.0'
fi
echo "slurm suite prerequisites: $(slurmctld -V), $(munged --version 2>&1 | head -1), kubernetes-validate $(python3 -m pip show kubernetes-validate 2>/dev/null | sed -n 's/^Version: //p')"
