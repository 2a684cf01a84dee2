#!/usr/bin/env python3
"""Proposes the related mappings that carry the published crosswalk pairs the primary mappings do not link, and
rewrites the "Related mappings" section at the end of each src/compliance/catalog/data/ccf/mappings/<f>.toml.

A related mapping (control c -> requirement t) links t to every requirement for which c is a primary mapping, in
every framework a published crosswalk pairs with t's (related links are made only there; see catalog.py): that is
the price of a carrier. For each published pair (x, y) not linked by the primary mappings, the candidate carriers
are the primary controls of x mapped as related to y, and those of y mapped as related to x. A carrier's cost is 2
for each link it adds that the crosswalk of the two frameworks does not list (a link that would join a reviewed
exception rules the carrier out: an exception is deliberately not linked), plus up to 1.8 when the control's text shares little wording with the requirement whose pairs it carries and up to
1 when it shares little with the requirement it is mapped to (TF-IDF over our own prose). A primary control reading
less than 40% as close to its requirement as the requirement's best-matching primary control is not a candidate at
all (a control primary for several topics does not stand for the one it barely touches). The carriers are chosen
greedily by cost per published pair carried, then any carrier made redundant by later ones is dropped. The pairs
of the few requirements listed in anchors.tsv are always carried by the control named there (a reviewed choice).
Pairs whose cheapest carrier costs more than --max-cost per pair are left unlinked and printed: review them (link
by hand, list as a reviewed exception with its reason, or leave them unlinked within the 90% bar).

Every chosen mapping is `related`, so it never moves a score; its note names the published pairs it carries.
Read the output before committing.

Usage: python3 tools/crosswalks/propose_related.py [--dry-run] [--max-cost N] [--report]   (standard library only)
"""

import argparse
import collections
import heapq
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from catalog import FRAMEWORKS, PRIMARY, RELATED, SHORT, Catalog, Similarity  # noqa: E402

HEADER = "# Related mappings"
# A carrier must read at least this close to the requirement it stands for, relative to that requirement's best
# matching primary control.
REPRESENTATIVE = 0.4
SOURCE = {
    "hipaa_nist-csf-2": "SP 800-66r2",
    "nist-csf-2_iso27001-2022": "CSF 2.0 informative references",
    "pci-dss-4_nist-csf-2": "OLIR PCI DSS 4.0.1",
    "soc2_iso27001-2022": "SOC 2 to ISO 27001",
}


class Planner:
    def __init__(self, catalog, max_cost, anchors):
        self.cat = catalog
        self.max_cost = max_cost
        self.similar = Similarity(catalog)
        self.anchors = anchors
        cat = catalog
        # Published pairs by framework pair (both orders), and the exceptions.
        self.published = collections.defaultdict(set)
        self.excepted = set()
        self.targets = {}  # target id -> (crosswalk, (f, a), (g, b))
        self.carries = collections.defaultdict(set)  # ((f, x), (g, y)) either order -> target ids
        for name, cw in cat.crosswalks.items():
            f, g = cw["from"], cw["to"]
            for a, b in cw["pairs"]:
                self.published[(f, g)].add((a, b))
                self.published[(g, f)].add((b, a))
                if (name, (a, b)) in cat.exceptions:
                    for x in cat.stands_for(f, a):
                        for y in cat.stands_for(g, b):
                            self.excepted.add(((f, x), (g, y)))
                            self.excepted.add(((g, y), (f, x)))
                    continue
                tid = len(self.targets)
                self.targets[tid] = (name, (f, a), (g, b))
                for x in cat.stands_for(f, a):
                    for y in cat.stands_for(g, b):
                        self.carries[((f, x), (g, y))].add(tid)
                        self.carries[((g, y), (f, x))].add(tid)

    def linked_target(self, tid):
        _, (f, a), (g, b) = self.targets[tid]
        return self.cat.pair_linked(f, a, g, b)

    def link_cost(self, t, z):
        """What a new related link between t and z costs: 0 when the crosswalk publishes it, 2 otherwise (against
        at most 2.8 for a control that reads unlike its requirements)."""
        (f, a), (g, b) = t, z
        if (t, z) in self.excepted:
            return float("inf")
        return 0.0 if self.cat.is_published(f, a, g, b, self.published[(f, g)]) else 2.0

    def evaluate(self, control, t, open_targets):
        """(cost, carried target ids) of mapping control as related to t, given the current mappings."""
        if control in self.cat.by_requirement.get(t, {}):
            return None
        cost, carried = 0.0, set()
        for z, kind in self.cat.by_control[control].items():
            if kind != PRIMARY or z[0] == t[0] or (t[0], z[0]) not in self.published or self.cat.link(t, z):
                continue
            hits = self.carries.get((t, z), set()) & open_targets
            if hits:
                carried |= hits
            else:
                cost += self.link_cost(t, z)
        if not carried or cost == float("inf"):
            return None
        # Prefer a control that reads like the requirement it represents (the other side of the carried pairs)
        # and like the requirement it is mapped to.
        sources = {self.other_side(tid, t) for tid in carried}
        anchor = sum(self.similar(("ccf", control), x) for x in sources) / len(sources)
        cost += max(0.0, 0.3 - anchor) * 6 + max(0.0, 0.25 - self.similar(("ccf", control), t)) * 4
        return cost, carried

    def other_side(self, tid, t):
        _, (f, a), (g, b) = self.targets[tid]
        return (g, b) if t[0] == f else (f, a)

    def candidates(self, tid):
        _, (f, a), (g, b) = self.targets[tid]
        out = set()
        for x in self.cat.stands_for(f, a):
            for y in self.cat.stands_for(g, b):
                for here, there in (((f, x), (g, y)), ((g, y), (f, x))):
                    anchor = self.anchors.get(here)
                    if anchor:
                        return {(anchor, there)}
                    if there in self.anchors:
                        continue
                    out |= {(c, there) for c in self.representatives(here)}
        return out

    def representatives(self, requirement):
        """The primary controls of a requirement that can stand for it as a carrier: those whose text is not far
        from the best match's (a control primary for several topics is not chosen for the one it barely touches)."""
        controls = [c for c, k in self.cat.by_requirement.get(requirement, {}).items() if k == PRIMARY]
        closeness = {c: self.similar(("ccf", c), requirement) for c in controls}
        best = max(closeness.values(), default=0.0)
        return [c for c in controls if closeness[c] >= best * REPRESENTATIVE]

    def plan(self):
        open_targets = {tid for tid in self.targets if not self.linked_target(tid)}
        actions = set()
        for tid in open_targets:
            actions |= self.candidates(tid)
        heap = []
        for action in actions:
            value = self.evaluate(*action, open_targets)
            if value:
                heapq.heappush(heap, ((value[0] + 0.5) / len(value[1]), action))
        chosen = []
        while heap and open_targets:
            score, action = heapq.heappop(heap)
            value = self.evaluate(*action, open_targets)
            if not value:
                continue
            fresh = (value[0] + 0.5) / len(value[1])
            if heap and fresh > heap[0][0] + 1e-9:
                heapq.heappush(heap, (fresh, action))
                continue
            if value[0] / len(value[1]) > self.max_cost:
                continue
            control, t = action
            self.cat.add(control, t[0], t[1], RELATED)
            open_targets -= {tid for tid in value[1] if self.linked_target(tid)}
            chosen.append((control, t, value))
        return self.prune(chosen), open_targets

    def prune(self, chosen):
        """Drops carriers that later ones made redundant (most expensive first)."""
        kept = list(chosen)
        for control, t, value in sorted(chosen, key=lambda c: -c[2][0] / len(c[2][1])):
            self.cat.remove(control, t[0], t[1])
            if all(self.linked_target(tid) for tid in value[1]):
                kept.remove((control, t, value))
            else:
                self.cat.add(control, t[0], t[1], RELATED)
        # What each remaining carrier carries, now that the set is final.
        out = []
        for control, t, _ in kept:
            self.cat.remove(control, t[0], t[1])
            before = {tid for tid in self.targets if self.linked_target(tid)}
            self.cat.add(control, t[0], t[1], RELATED)
            carried = {tid for tid in self.targets if tid not in before and self.linked_target(tid)}
            out.append((control, t, carried))
        return out


def note(planner, t, carried):
    by_source = collections.defaultdict(list)
    for tid in sorted(carried, key=lambda i: planner.targets[i]):
        name, (f, a), (g, b) = planner.targets[tid]
        other = (g, b) if t[0] == f else (f, a)
        if other[1] not in by_source[(name, other[0])]:
            by_source[(name, other[0])].append(other[1])
    parts = [f"{SHORT[fw]} {', '.join(ids)} ({SOURCE.get(name, name)})" for (name, fw), ids in by_source.items()]
    return "Carries published pairs with " + "; ".join(parts)


def rewrite(catalog, chosen, planner, dry_run):
    by_framework = collections.defaultdict(list)
    for control, t, carried in chosen:
        by_framework[t[0]].append((control, t[1], note(planner, t, carried)))
    order = {f: {r: i for i, r in enumerate(catalog.requirements[f])} for f in FRAMEWORKS}
    for framework in FRAMEWORKS:
        rows = sorted(by_framework.get(framework, []), key=lambda m: (order[framework][m[1]], m[0]))
        path = f"{catalog.data}/ccf/mappings/{framework}.toml"
        with open(path) as f:
            text = f.read()
        head = text.split(f"\n{HEADER}", 1)[0].rstrip("\n") + "\n"
        if rows:
            head += (
                f"\n{HEADER}: the control contributes to the requirement or overlaps it, without being part of\n"
                "# meeting it (never counted in a score). Each carries published crosswalk pairs (data/crosswalks)\n"
                "# the primary mappings do not link; the note names them. Chosen by tools/crosswalks/\n"
                "# propose_related.py as the carrier adding the fewest links no crosswalk publishes (data/README.md).\n"
            )
            for control, requirement, text_note in rows:
                head += (
                    f'\n[[mapping]]\ncontrol = "{control}"\nrequirement = "{requirement}"\nkind = "related"\n'
                    f'note = "{text_note}"\n'
                )
        if dry_run:
            print(f"# {framework}: {len(rows)} related mappings")
        else:
            with open(path, "w") as f:
                f.write(head)


def read_anchors(catalog):
    """anchors.tsv: (framework, requirement) -> the control that carries the requirement's published pairs."""
    anchors = {}
    with open(os.path.join(os.path.dirname(__file__), "anchors.tsv")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                framework, requirement, control, _ = line.rstrip("\n").split("\t")
                if catalog.by_requirement.get((framework, requirement), {}).get(control) != PRIMARY:
                    sys.exit(f"anchors.tsv: {control} is not a primary control of {framework} {requirement}")
                anchors[(framework, requirement)] = control
    return anchors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print instead of rewriting the mapping files")
    parser.add_argument("--max-cost", type=float, default=12.0, help="leave a pair unlinked above this cost per pair")
    parser.add_argument("--report", action="store_true", help="print every chosen carrier with its cost")
    args = parser.parse_args()

    catalog = Catalog()
    for control, reqs in list(catalog.by_control.items()):
        for (f, r), kind in list(reqs.items()):
            if kind == RELATED:
                catalog.remove(control, f, r)
    planner = Planner(catalog, args.max_cost, read_anchors(catalog))
    chosen, left = planner.plan()
    if args.report:
        for control, t, carried in chosen:
            print(f"{control}\t{catalog.controls[control]['title']}\t->\t{SHORT[t[0]]} {t[1]} {catalog.title(*t)}"
                  f"\t{note(planner, t, carried)}")
    for tid in sorted(left, key=lambda i: planner.targets[i]):
        name, (f, a), (g, b) = planner.targets[tid]
        print(f"not linked\t{name}\t{a} {catalog.title(f, a)}\t{b} {catalog.title(g, b)}")
    rewrite(catalog, chosen, planner, args.dry_run)
    print(f"{len(chosen)} related mappings; {len(left)} published pairs left unlinked", file=sys.stderr)


if __name__ == "__main__":
    main()
