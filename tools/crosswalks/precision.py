#!/usr/bin/env python3
"""Prints, for every pair of frameworks, how many requirement pairs the catalog links, and for the pairs that have a
published crosswalk how many of those links the crosswalk does not list (a link to a requirement under a published
CSF category counts as listed); then the related mappings that add the most such links on their own.

Usage: python3 tools/crosswalks/precision.py [--top N]   (standard library only)
"""

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from catalog import FRAMEWORKS, PRIMARY, RELATED, SHORT, Catalog  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=20, help="how many related mappings to list")
    args = parser.parse_args()
    cat = Catalog()
    measured = cat.crosswalk_frameworks()
    total = collections.Counter()
    print(f"{'frameworks':<32} {'links':>6} {'primary':>8} {'unpublished':>12} {'of them primary':>16}")
    for i, f in enumerate(FRAMEWORKS):
        for g in FRAMEWORKS[i + 1 :]:
            key = (f, g) if (f, g) in measured else (g, f)
            links = cat.linked_pairs(*key)
            primary = sum(1 for k in links.values() if k == PRIMARY)
            total["links"] += len(links)
            if key not in measured:
                print(f"{key[0] + ' / ' + key[1]:<32} {len(links):>6} {primary:>8}")
                continue
            pairs = cat.supported(*key)
            unpublished = [p for p in links if not cat.is_published(key[0], p[0], key[1], p[1], pairs)]
            up = sum(1 for p in unpublished if links[p] == PRIMARY)
            print(f"{key[0] + ' / ' + key[1]:<32} {len(links):>6} {primary:>8} {len(unpublished):>12} {up:>16}")
    print(f"all framework pairs: {total['links']} linked requirement pairs")

    # The related mappings that add unpublished links no other mapping makes.
    blame = collections.Counter()
    for control, reqs in cat.by_control.items():
        for t, kind in reqs.items():
            if kind != RELATED:
                continue
            for z, other in reqs.items():
                if other != PRIMARY or z[0] == t[0]:
                    continue
                key = (t[0], z[0]) if (t[0], z[0]) in measured else (z[0], t[0])
                if key not in measured:
                    continue
                a, b = (t, z) if key == (t[0], z[0]) else (z, t)
                if cat.is_published(a[0], a[1], b[0], b[1], cat.supported(*key)):
                    continue
                others = [c for c in cat.by_requirement[t] if c != control and c in cat.by_requirement[z]]
                if not any(cat.by_requirement[t][c] == PRIMARY or cat.by_requirement[z][c] == PRIMARY for c in others):
                    blame[(control, t)] += 1
    print(f"\nrelated mappings adding the most unpublished links on their own (of {sum(blame.values())}):")
    for (control, (f, r)), n in blame.most_common(args.top):
        print(f"{n:>4}  {control} {cat.controls[control]['title']} -> {SHORT[f]} {r} {cat.title(f, r)}")


if __name__ == "__main__":
    main()
