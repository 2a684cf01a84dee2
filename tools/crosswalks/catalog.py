"""The catalog data as the crosswalk tools read it (standard library only): requirements, controls, mappings,
published crosswalks and reviewed exceptions, and the link rule of src/compliance/catalog/crosswalk.rs.

Link rule: two requirements of different frameworks are linked when a common control is mapped to both and is a
primary mapping on at least one side; the link is primary when it is primary on both. A control mapped as related
on both sides does not link them (it only contributes to each), and related links are made only between two
frameworks a published crosswalk pairs (between others, primary links only).
"""

import collections
import glob
import math
import os
import re
import tomllib

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "src", "compliance", "catalog", "data")
FRAMEWORKS = ["hipaa", "soc2", "nist-csf-2", "iso27001-2022", "cmmc-2", "pci-dss-4", "gdpr", "ftc-safeguards"]
SHORT = {
    "hipaa": "HIPAA",
    "soc2": "SOC 2",
    "nist-csf-2": "CSF",
    "iso27001-2022": "ISO 27001",
    "cmmc-2": "CMMC",
    "pci-dss-4": "PCI DSS",
    "gdpr": "GDPR",
    "ftc-safeguards": "FTC",
}
PRIMARY, RELATED = "primary", "related"


def load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


class Catalog:
    def __init__(self, data=DATA):
        self.data = data
        self.requirements = {
            f: {r["id"]: r for r in load(f"{data}/frameworks/{f}.toml")["requirement"]} for f in FRAMEWORKS
        }
        self.controls = {c["id"]: c for c in load(f"{data}/ccf/controls.toml")["control"]}
        # Grouping nodes and the assessable requirements under each (a published pair may name a CSF category).
        self.parent, self.members = {}, collections.defaultdict(list)
        for f, reqs in self.requirements.items():
            for r in reqs.values():
                if "parent" in r:
                    self.parent[(f, r["id"])] = r["parent"]
            for r in reqs.values():
                if r.get("assessable", True):
                    for above in self.lineage(f, r["id"])[1:]:
                        if not self.assessable(f, above):
                            self.members[(f, above)].append(r["id"])
        # (framework, requirement) -> {control: kind}; control -> {(framework, requirement): kind}
        self.by_requirement = collections.defaultdict(dict)
        self.by_control = collections.defaultdict(dict)
        for f in FRAMEWORKS:
            for m in load(f"{data}/ccf/mappings/{f}.toml").get("mapping", []):
                kind = m.get("kind", PRIMARY)
                self.by_requirement[(f, m["requirement"])][m["control"]] = kind
                self.by_control[m["control"]][(f, m["requirement"])] = kind
        self.crosswalks = {}
        for path in sorted(glob.glob(f"{data}/crosswalks/*.toml")):
            name = os.path.basename(path)[:-5]
            if name != "exceptions":
                self.crosswalks[name] = load(path)["crosswalk"]
        exceptions = load(f"{data}/crosswalks/exceptions.toml").get("exception", [])
        self.exceptions = {(e["crosswalk"], tuple(e["pair"])): e for e in exceptions}

    def assessable(self, framework, requirement):
        return self.requirements[framework][requirement].get("assessable", True)

    def lineage(self, framework, requirement):
        out = [requirement]
        while (framework, out[-1]) in self.parent:
            out.append(self.parent[(framework, out[-1])])
        return out

    def named_by(self, framework, requirement):
        """The requirement and the grouping nodes above it: the identifiers a published pair may name it by."""
        return [x for x in self.lineage(framework, requirement) if x == requirement or (framework, x) in self.members]

    def stands_for(self, framework, requirement):
        """The assessable requirements a published identifier stands for: itself, or those under a grouping node."""
        return self.members.get((framework, requirement)) or [requirement]

    def title(self, framework, requirement):
        return self.requirements[framework][requirement]["title"]

    def add(self, control, framework, requirement, kind):
        self.by_requirement[(framework, requirement)][control] = kind
        self.by_control[control][(framework, requirement)] = kind

    def remove(self, control, framework, requirement):
        del self.by_requirement[(framework, requirement)][control]
        del self.by_control[control][(framework, requirement)]

    def relates(self, f, g):
        """Whether related links are made between two frameworks: a published crosswalk pairs them."""
        return any({cw["from"], cw["to"]} == {f, g} for cw in self.crosswalks.values())

    def link(self, x, y):
        """The kind of the link between two requirements ((framework, id) each), or None."""
        best = None
        related = self.relates(x[0], y[0])
        here = self.by_requirement.get(x, {})
        for control, kind in self.by_requirement.get(y, {}).items():
            other = here.get(control)
            if other is None or (kind == RELATED and other == RELATED):
                continue
            k = PRIMARY if kind == other == PRIMARY else RELATED
            if k == RELATED and not related:
                continue
            if best is None or k == PRIMARY:
                best = k
        return best

    def linked_pairs(self, f, g):
        """Every linked pair (a of f, b of g) with its kind."""
        out = {}
        related = self.relates(f, g)
        for control, reqs in self.by_control.items():
            left = [(r, k) for (fw, r), k in reqs.items() if fw == f]
            right = [(r, k) for (fw, r), k in reqs.items() if fw == g]
            for a, ka in left:
                for b, kb in right:
                    k = PRIMARY if ka == kb == PRIMARY else RELATED
                    if (ka == RELATED and kb == RELATED) or (k == RELATED and not related):
                        continue
                    if out.get((a, b)) != PRIMARY:
                        out[(a, b)] = k
        return out

    def published(self, name):
        cw = self.crosswalks[name]
        return {tuple(p) for p in cw["pairs"]}

    def excepted(self, name):
        return {pair for (cw, pair) in self.exceptions if cw == name}

    def crosswalk_frameworks(self):
        """(from, to) -> crosswalk names covering that framework pair."""
        out = collections.defaultdict(list)
        for name, cw in self.crosswalks.items():
            out[(cw["from"], cw["to"])].append(name)
        return out

    def supported(self, f, g):
        """The published pairs of every crosswalk between f and g (in f, g order)."""
        pairs = set()
        for name in self.crosswalk_frameworks().get((f, g), []):
            pairs |= self.published(name)
        return pairs

    def is_published(self, f, a, g, b, pairs):
        """Whether the linked pair (a of f, b of g) is published: the pair, or a pair naming a grouping node above."""
        return any((x, y) in pairs for x in self.named_by(f, a) for y in self.named_by(g, b))

    def pair_linked(self, f, a, g, b):
        """Whether a published pair is linked (a grouping node: any requirement under it)."""
        return any(self.link((f, x), (g, y)) for x in self.stands_for(f, a) for y in self.stands_for(g, b))

    def text(self, framework, requirement):
        if framework == "ccf":
            c = self.controls[requirement]
            return " ".join([c["title"], c["title"], c["description"]] + [e["what"] for e in c["evidence"]])
        r = self.requirements[framework][requirement]
        return " ".join([r["title"], r["title"], r["summary"]])


STOP = set(
    "a an the and or of to in for on with by from is are be as at it its this that these those their any all each "
    "which who whom what when where how not no into than then so such other own per via must shall should may can "
    "will has have had been being within without under over about across after before between both do does done".split()
)


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
    """TF-IDF cosine between the texts (our own prose) of controls and requirements: keys (framework or "ccf", id)."""

    def __init__(self, catalog):
        docs = {("ccf", c): catalog.text("ccf", c) for c in catalog.controls}
        for f, reqs in catalog.requirements.items():
            docs.update({(f, r): catalog.text(f, r) for r in reqs})
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
