#!/usr/bin/env python3
"""Side by side on the public GAAD files of datasets/authorization-details/: which
principals blastgraph finds able to administer their account (directly or through a
privilege-escalation path), which principals Cloudsplaining flags for privilege
escalation, and, for iam-vulnerable (whose principals are named after the path they
carry: privescN / fnN exploitable, fpN not), which tool agrees with the labels.

    compare_public_gaad.py BLASTGRAPH_BIN CLOUDSPLAINING_BIN

A measurement printed as Markdown (docs/public-datasets.md keeps the last run), not a
test. Needs `cloudsplaining` (PyPI) installed; `scripts/compare_public_gaad.sh` does it.
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO / "datasets" / "authorization-details"


def blastgraph(binary, gaad, work):
    snap = work / (gaad.stem + ".snap")
    subprocess.run([binary, "import", "gaad", str(gaad), "-o", str(snap)], check=True,
                   capture_output=True)
    out = subprocess.run([binary, "blast-radius", "--all", "--snapshot", str(snap),
                          "--format", "json"], check=True, capture_output=True, text=True)
    rows = json.loads(out.stdout)["sources"]
    return {row["source"].split(":", 5)[-1]: bool(row["administers"]) for row in rows}


def cloudsplaining(binary, gaad, work):
    out = work / ("cs-" + gaad.stem)
    out.mkdir()
    subprocess.run([binary, "scan", "--input-file", str(gaad), "--output", str(out),
                    "--skip-open-report"], check=True, capture_output=True)
    findings = json.loads(next(out.glob("iam-findings-*.json")).read_text())
    escalating = set()
    for kind in ("customer_managed_policies", "inline_policies", "aws_managed_policies"):
        for policy in findings[kind].values():
            if not policy.get("PrivilegeEscalation", {}).get("findings"):
                continue
            attached = policy.get("AttachedTo", {})
            escalating.update("user/" + u for u in attached.get("users", []))
            escalating.update("role/" + r for r in attached.get("roles", []))
            for group in attached.get("groups", []):
                for user in findings["users"].values():
                    if group in user.get("groups", {}):
                        escalating.add("user/" + user["name"])
    return escalating


def label(name):
    """iam-vulnerable's ground truth from the principal's name."""
    short = name.split("/")[-1]
    if re.match(r"fp\d", short):
        return False
    if re.match(r"(privesc|fn)", short):
        return True
    return None


def main():
    binary, cs_binary = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for gaad in sorted(DATASETS.glob("*.json")):
            ours = blastgraph(binary, gaad, work)
            theirs = cloudsplaining(cs_binary, gaad, work)
            principals = sorted(p for p in ours if p.startswith(("user/", "role/")))
            both = sum(1 for p in principals if ours[p] and p in theirs)
            only_ours = [p for p in principals if ours[p] and p not in theirs]
            only_theirs = [p for p in principals if not ours[p] and p in theirs]
            print(f"## {gaad.name}\n")
            print(f"{len(principals)} users and roles; blastgraph: "
                  f"{sum(ours[p] for p in principals)} administer the account; Cloudsplaining: "
                  f"{sum(p in theirs for p in principals)} flagged for privilege escalation; "
                  f"both: {both}.\n")
            print("Only blastgraph: " + (", ".join(f"`{p}`" for p in only_ours) or "none") + ".\n")
            print("Only Cloudsplaining: " + (", ".join(f"`{p}`" for p in only_theirs) or "none") + ".\n")
            labelled = [(p, label(p)) for p in principals if label(p) is not None]
            if labelled:
                print("| principal | expected (iam-vulnerable) | blastgraph | Cloudsplaining |")
                print("| --- | --- | --- | --- |")
                score = {"blastgraph": 0, "Cloudsplaining": 0}
                for p, expected in labelled:
                    b, c = ours[p], p in theirs
                    score["blastgraph"] += b == expected
                    score["Cloudsplaining"] += c == expected
                    mark = lambda v: ("escalates" if v else "-") + ("" if v == expected else " ✗")
                    print(f"| `{p}` | {'escalates' if expected else 'no'} | {mark(b)} | {mark(c)} |")
                print(f"\nAgreement with the labels: blastgraph {score['blastgraph']}/{len(labelled)}, "
                      f"Cloudsplaining {score['Cloudsplaining']}/{len(labelled)}.\n")


if __name__ == "__main__":
    main()
