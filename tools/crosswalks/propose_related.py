#!/usr/bin/env python3
"""Proposes related mappings for the published crosswalk pairs the catalog does not link yet, and appends them to
the mapping files (src/compliance/catalog/data/ccf/mappings/<framework>.toml) with a note naming the pair.

The procedure behind the related mappings of catalog 2026.11.2 (see data/README.md): for each unlinked pair
(x, y), the candidates are the primary controls of x mapped as related to y, and those of y mapped as related to x;
the two candidates whose control text is closest to the other requirement's text (TF-IDF cosine over our own
prose) are kept; a greedy pass then takes the candidate that links the most missing pairs, ties broken by
closeness, until every pair is linked. Pairs listed in crosswalks/exceptions.toml are left alone.

With --candidates N it only prints, per crosswalk, the N unlinked pairs whose requirements share the least wording:
the place to start reviewing exceptions. Read the output before committing: every added mapping is `related`, so
it never moves a score, but it shows on the pages.

Usage: python3 tools/crosswalks/propose_related.py [--dry-run] [--candidates N]   (standard library only)
"""

import argparse
import collections
import glob
import math
import os
import re
import tomllib

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "src", "compliance", "catalog", "data")
FRAMEWORKS = ["hipaa", "soc2", "nist-csf-2", "iso27001-2022", "cmmc-2", "pci-dss-4", "gdpr", "ftc-safeguards"]
SHORT = {"hipaa": "HIPAA", "nist-csf-2": "CSF", "iso27001-2022": "ISO 27001", "pci-dss-4": "PCI DSS", "soc2": "SOC 2"}
STOP = set(
    "a an the and or of to in for on with by from is are be as at it its this that these those their any all each "
    "which who whom what when where how not no into than then so such other own per via must shall should may can "
    "will has have had been being within without under over about across after before between both do does done".split()
)


def load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def words(text):
    out = []
    for w in re.findall(r"[a-z][a-z0-9]+", text.lower()):
        if w in STOP or len(w) < 3:
            continue
        for suffix in ("ations", "ation", "ments", "ment", "ities", "ity", "ies", "ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                break
        out.append(w)
    return out


class Similarity:
    """TF-IDF cosine between the texts of controls and requirements."""

    def __init__(self, docs):
        df = collections.Counter()
        for text in docs.values():
            df.update(set(words(text)))
        n = len(docs)
        self.vectors = {}
        for key, text in docs.items():
            tf = collections.Counter(words(text))
            v = {w: (1 + math.log(c)) * math.log(1 + n / (1 + df[w])) for w, c in tf.items()}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1
            self.vectors[key] = {w: x / norm for w, x in v.items()}

    def __call__(self, a, b):
        va, vb = self.vectors[a], self.vectors[b]
        return sum(x * vb.get(w, 0) for w, x in va.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the mappings instead of appending them")
    parser.add_argument("--candidates", type=int, default=0, help="print exception candidates instead")
    args = parser.parse_args()

    requirements = {f: {r["id"]: r for r in load(f"{DATA}/frameworks/{f}.toml")["requirement"]} for f in FRAMEWORKS}
    controls = load(f"{DATA}/ccf/controls.toml")["control"]
    mapped, primary = collections.defaultdict(set), collections.defaultdict(set)
    for f in FRAMEWORKS:
        for m in load(f"{DATA}/ccf/mappings/{f}.toml").get("mapping", []):
            mapped[(f, m["requirement"])].add(m["control"])
            if m.get("kind", "primary") == "primary":
                primary[(f, m["requirement"])].add(m["control"])
    docs = {("ccf", c["id"]): " ".join([c["title"], c["title"], c["description"]] + [e["what"] for e in c["evidence"]]) for c in controls}
    for f, reqs in requirements.items():
        for r in reqs.values():
            docs[(f, r["id"])] = " ".join([r["title"], r["title"], r["summary"]])
    similar = Similarity(docs)
    excepted = {(e["crosswalk"], tuple(e["pair"])) for e in load(f"{DATA}/crosswalks/exceptions.toml").get("exception", [])}

    def linked(x, y):
        return bool(mapped[x] & mapped[y])

    def candidates(x, y):
        both = [(similar(("ccf", c), y), c, y) for c in primary[x]] + [(similar(("ccf", c), x), c, x) for c in primary[y]]
        return sorted(both, reverse=True)

    missing = []
    for path in sorted(glob.glob(f"{DATA}/crosswalks/*.toml")):
        name = os.path.basename(path)[:-5]
        if name == "exceptions":
            continue
        cw = load(path)["crosswalk"]
        rows = []
        for a, b in cw["pairs"]:
            x, y = (cw["from"], a), (cw["to"], b)
            if (name, (a, b)) in excepted or linked(x, y):
                continue
            rows.append((candidates(x, y)[0][0] + similar(x, y), name, x, y))
        if args.candidates:
            for relevance, _, x, y in sorted(rows)[: args.candidates]:
                print(f"{name}\t{relevance:.2f}\t{x[1]} {requirements[x[0]][x[1]]['title']}\t{y[1]} {requirements[y[0]][y[1]]['title']}")
        missing += [(x, y) for _, _, x, y in rows]
    if args.candidates:
        return

    options = collections.defaultdict(set)
    for x, y in missing:
        for _, control, target in candidates(x, y)[:2]:
            options[(control, target)].add((x, y))
    unlinked, added = set(missing), []
    while unlinked:
        best = None
        for (control, target), pairs in options.items():
            live = [p for p in pairs if p in unlinked]
            if live:
                score = len(live) + similar(("ccf", control), target)
                if best is None or score > best[0]:
                    best = (score, control, target, live)
        if best is None:
            break
        _, control, target, live = best
        mapped[target].add(control)
        unlinked = {p for p in unlinked if not linked(*p)}
        added.append((control, target, live))

    by_framework = collections.defaultdict(list)
    for control, (framework, requirement), live in added:
        (x, y) = live[0]
        more = f" and {len(live) - 1} more" if len(live) > 1 else ""
        note = f"Published pair {SHORT[x[0]]} {x[1]} / {SHORT[y[0]]} {y[1]}{more}"
        by_framework[framework].append((control, requirement, note))
    for framework, rows in by_framework.items():
        text = "".join(
            f'\n[[mapping]]\ncontrol = "{c}"\nrequirement = "{r}"\nkind = "related"\nnote = "{n}"\n' for c, r, n in rows
        )
        if args.dry_run:
            print(f"# {framework}{text}")
        else:
            with open(f"{DATA}/ccf/mappings/{framework}.toml", "a") as f:
                f.write(text)
    print(f"{len(added)} related mappings proposed for {len(missing)} unlinked pairs")


if __name__ == "__main__":
    main()
