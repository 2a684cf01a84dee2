#!/usr/bin/env python3
"""Re-extracts the published crosswalk pairs the catalog is checked against, from checkouts of the public sources,
into src/compliance/catalog/data/crosswalks/<id>.toml (requirement id pairs in our identifiers, with the source
file, repository and commit recorded once per file).

The fetched files are never committed: only the pairs, as facts, in our own format.

Usage (a virtual environment with PyYAML and openpyxl):
    python3 -m venv /tmp/cw-venv && /tmp/cw-venv/bin/pip install pyyaml openpyxl
    git clone https://github.com/intuitem/ciso-assistant-community /tmp/ciso
    git clone https://github.com/Glimpz1/grc-mappings /tmp/grc-mappings
    /tmp/cw-venv/bin/python tools/crosswalks/extract.py --ciso /tmp/ciso --olir /tmp/grc-mappings

How each source's rows become pairs of our requirement ids:
  - CSF 2.0 -> ISO 27001:2022 (NIST's informative references): CSF subcategory ids upper-cased (gv.oc-01 ->
    GV.OC-01); ISO clauses as they are (6.1.2), Annex A controls upper-cased (a.5.15 -> A.5.15).
  - SOC 2 -> ISO 27001:2022: the source maps points of focus (cc6.1.3); each is rolled up to its criterion (CC6.1)
    through the parent chain of the SOC 2 library in the same repository; duplicates merged.
  - HIPAA (SP 800-66r2) -> CSF 2.0: the source maps SP 800-66r2 key activities (node ids of the framework library
    in the same repository). A key activity belongs to the standard above it; an "Implementation Specification"
    row belongs to that standard and to that implementation specification (HIPAA_SPECIFICATIONS below; the table is
    checked against the row's text), so it gives a pair for each. Rows pointing at a CSF category (not a subcategory) are not requirement pairs: they are counted
    and left out.
  - PCI DSS 4.0.1 -> CSF 2.0 (NIST OLIR, supportive): every row of the Relationships sheet with a relationship
    type; the PCI requirement id and the CSF subcategory as written.
"""

import argparse
import hashlib
import os
import subprocess
import sys

import openpyxl
import yaml

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "compliance", "catalog", "data", "crosswalks")
CATALOG = os.path.join(os.path.dirname(__file__), "..", "..", "src", "compliance", "catalog", "data", "frameworks")
LIBRARIES = "backend/library/libraries"

# SP 800-66r2 "Implementation Specification" rows -> the HIPAA citation, with the start of the row's text (the
# regulation's words) that identifies it. Key activities not listed here belong to their standard.
HIPAA_SPECIFICATIONS = {
    "node8": ("164.308(a)(1)(ii)(A)", "Conduct an accurate and thorough assessment"),
    "node12": ("164.308(a)(1)(ii)(B)", "Implement security measures sufficient to reduce risks"),
    "node20": ("164.308(a)(1)(ii)(C)", "Apply appropriate sanctions"),
    "node24": ("164.308(a)(1)(ii)(D)", "Implement procedures to regularly review records"),
    "node38": ("164.308(a)(3)(ii)(A)", "Implement procedures for the authorization and/or supervision"),
    "node46": ("164.308(a)(3)(ii)(B)", "Implement procedures to determine that the access"),
    "node50": ("164.308(a)(3)(ii)(C)", "Implement procedures for terminating access"),
    "node55": ("164.308(a)(4)(ii)(A)", "If a healthcare clearinghouse"),
    "node59": ("164.308(a)(4)(ii)(B)", "Implement policies and procedures for granting access"),
    "node63": ("164.308(a)(4)(ii)(C)", "Implement policies and procedures that"),
    "node86": ("164.308(a)(5)(ii)(A)", "Implement periodic security updates"),
    "node74": ("164.308(a)(5)(ii)(B)", "As reasonable and appropriate, train"),
    "node76": ("164.308(a)(5)(ii)(C)", "As reasonable and appropriate, train"),
    "node78": ("164.308(a)(5)(ii)(D)", "As reasonable and appropriate, train"),
    "node97": ("164.308(a)(6)(ii)", "Identify and respond to suspected or known security incidents"),
    "node114": ("164.308(a)(7)(ii)(A)", "Establish and implement procedures to create and maintain retrievable"),
    "node116": ("164.308(a)(7)(ii)(B)", "Establish (and implement as needed) procedures to restore"),
    "node120": ("164.308(a)(7)(ii)(C)", "Establish (and implement as needed) procedures to enable the continuation"),
    "node124": ("164.308(a)(7)(ii)(D)", "Implement procedures for the periodic testing"),
    "node106": ("164.308(a)(7)(ii)(E)", "Assess the relative criticality"),
    "node144": ("164.308(b)(3)", "Document the satisfactory assurances"),
    "node162": ("164.310(a)(2)(i)", "Establish (and implement as needed) procedures that allow facility access"),
    "node154": ("164.310(a)(2)(ii)", "Implement policies and procedures to safeguard the facility"),
    "node158": ("164.310(a)(2)(iii)", "Implement procedures to control and validate"),
    "node166": ("164.310(a)(2)(iv)", "Implement policies and procedures to document repairs"),
    "node185": ("164.310(d)(2)(i)", "Implement policies and procedures to address the final disposition"),
    "node189": ("164.310(d)(2)(ii)", "Implement procedures for the removal of ePHI"),
    "node193": ("164.310(d)(2)(iii)", "Maintain a record of the movements"),
    "node197": ("164.310(d)(2)(iv)", "Create a retrievable exact copy"),
    "node207": ("164.312(a)(2)(i)", "Assign a unique name and/or number"),
    "node217": ("164.312(a)(2)(ii)", "Establish (and implement as needed) procedures for obtaining"),
    "node221": ("164.312(a)(2)(iii)", "Consider whether the addressable"),
    "node223": ("164.312(a)(2)(iv)", "Consider whether the addressable"),
    "node249": ("164.312(c)(2)", "Implement electronic mechanisms to corroborate"),
    "node267": ("164.312(e)(2)(i)", "Implement security measures to ensure that electronically transmitted"),
    "node271": ("164.312(e)(2)(ii)", "Implement a mechanism to encrypt"),
    "node277": ("164.314(a)(2)(i)", "Contracts between covered entities and business associates"),
    "node281": ("164.314(a)(2)(i)", "In accordance with"),
    "node285": ("164.314(a)(2)(i)", "Report to the covered entity"),
    "node289": ("164.314(a)(2)(ii)", "The covered entity complies with paragraph (a)(1)"),
    "node293": ("164.314(a)(2)(iii)", "The requirements of paragraphs (a)(2)(i) and (a)(2)(ii)"),
    "node298": ("164.314(b)(2)(i)", "Amend the plan documents to incorporate provisions to require the plan sponsor to implement"),
    "node302": ("164.314(b)(2)(ii)", "Amend the plan documents to incorporate provisions to require the plan sponsor to ensure that the adequate separation"),
    "node306": ("164.314(b)(2)(iii)", "Amend plan documents to incorporate provisions to require the plan sponsor to ensure that any agent"),
    "node310": ("164.314(b)(2)(iv)", "Amend plan documents to incorporate provisions to require the plan sponsor to report"),
    "node323": ("164.316(b)(2)(i)", "Retain documentation"),
    "node327": ("164.316(b)(2)(ii)", "Make documentation available"),
    "node331": ("164.316(b)(2)(iii)", "Review documentation periodically"),
}

# The SP 800-66r2 library names some standards by their paragraph only; our identifiers carry the (1).
HIPAA_STANDARDS = {
    "164.310(a)": "164.310(a)(1)",
    "164.310(d)": "164.310(d)(1)",
    "164.312(a)": "164.312(a)(1)",
    "164.312(c)": "164.312(c)(1)",
    "164.314(a)": "164.314(a)(1)",
    "164.314(b)": "164.314(b)(1)",
    "164.316(b)": "164.316(b)(1)",
}


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout


def revision(repo):
    return git(repo, "rev-parse", "HEAD").decode().strip()


def read_yaml(repo, path):
    return yaml.safe_load(git(repo, "show", f"HEAD:{path}"))


def tail(urn):
    return urn.split(":")[-1]


def mapping_rows(repo, name):
    doc = read_yaml(repo, f"{LIBRARIES}/{name}")
    return doc["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]


def library_nodes(repo, name):
    doc = read_yaml(repo, f"{LIBRARIES}/{name}")
    return {tail(n["urn"]): n for n in doc["objects"]["framework"]["requirement_nodes"]}


def csf(node):
    return node.upper()


def iso(node):
    return node.upper() if node.startswith("a.") else node


def our_ids(framework):
    import tomllib

    with open(os.path.join(CATALOG, f"{framework}.toml"), "rb") as f:
        doc = tomllib.load(f)
    return {r["id"]: r.get("assessable", True) for r in doc["requirement"]}


def csf_to_iso(repo):
    rows = mapping_rows(repo, "mapping-nist-csf-2.0-to-iso27001-2022.yaml")
    pairs = [(csf(tail(m["source_requirement_urn"])), iso(tail(m["target_requirement_urn"]))) for m in rows]
    return rows, pairs, 0


def soc2_to_iso(repo):
    nodes = library_nodes(repo, "soc2_2017_with_rev_2022.yaml")
    criteria = {i for i, a in our_ids("soc2").items() if a}
    rows = mapping_rows(repo, "mapping-soc2-2017-rev-2022-to-iso27001-2022.yaml")
    pairs = []
    for m in rows:
        key = tail(m["source_requirement_urn"])
        while key and nodes[key]["ref_id"].upper() not in criteria:
            parent = nodes[key].get("parent_urn")
            key = tail(parent) if parent else None
        if key is None:
            sys.exit(f"SOC 2 point of focus {tail(m['source_requirement_urn'])} has no criterion above it")
        pairs.append((nodes[key]["ref_id"].upper(), iso(tail(m["target_requirement_urn"]))))
    return rows, pairs, 0


def hipaa_to_csf(repo):
    nodes = library_nodes(repo, "nist-sp-800-66-rev2.yaml")
    for node, (_, text) in HIPAA_SPECIFICATIONS.items():
        if not (nodes[node].get("description") or "").startswith(text):
            sys.exit(f"SP 800-66r2 row {node} no longer reads '{text}...': check HIPAA_SPECIFICATIONS")
    subcategories = {i for i, a in our_ids("nist-csf-2").items() if a}
    rows = mapping_rows(repo, "mapping-nist-sp-800-66-rev2-to-nist-csf-2.0.yaml")
    pairs, categories = [], 0
    for m in rows:
        node = tail(m["source_requirement_urn"])
        target = csf(tail(m["target_requirement_urn"]))
        if target not in subcategories:
            categories += 1
            continue
        standard = nodes[tail(nodes[node]["parent_urn"])]["ref_id"]
        pairs.append((HIPAA_STANDARDS.get(standard, standard), target))
        if node in HIPAA_SPECIFICATIONS:
            pairs.append((HIPAA_SPECIFICATIONS[node][0], target))
    return rows, pairs, categories


def pci_to_csf(repo, path):
    data = git(repo, "show", f"HEAD:{path}")
    tmp = "/tmp/olir-pci-csf.xlsx"
    with open(tmp, "wb") as f:
        f.write(data)
    sheet = openpyxl.load_workbook(tmp, read_only=True)["Relationships"]
    rows, pairs = [], []
    for i, row in enumerate(sheet.iter_rows(values_only=True)):
        focal, _, relationship, _, reference = row[:5]
        if i == 0 or not relationship or not reference:
            continue
        rows.append(row)
        pairs.append((str(reference).strip(), str(focal).strip()))
    return rows, pairs, 0, hashlib.sha256(data).hexdigest()


def write(id_, header, pairs, rows, skipped, frm, to):
    known_from, known_to = our_ids(frm), our_ids(to)
    unique = sorted(set(pairs), key=lambda p: (order(known_from, p[0]), order(known_to, p[1])))
    unknown = [p for p in unique if p[0] not in known_from or p[1] not in known_to]
    if unknown:
        sys.exit(f"{id_}: pairs with identifiers not in the catalog: {unknown[:10]}")
    path = os.path.join(OUT, f"{id_}.toml")
    with open(path, "w") as f:
        f.write("# Extracted by tools/crosswalks/extract.py from the published file named below; do not edit by hand.\n")
        f.write("# Each pair is [requirement of `from`, requirement of `to`] in the catalog's identifiers.\n")
        f.write("[crosswalk]\n")
        for key, value in header.items():
            f.write(f"{key} = {toml_value(value)}\n")
        f.write(f'from = "{frm}"\nto = "{to}"\n')
        f.write(f"source_rows = {len(rows)}\n")
        f.write(f"skipped_rows = {skipped}\n")
        f.write("pairs = [\n")
        for a, b in unique:
            f.write(f"  [{toml_value(a)}, {toml_value(b)}],\n")
        f.write("]\n")
    print(f"{id_}: {len(rows)} rows, {skipped} skipped, {len(unique)} distinct pairs -> {os.path.relpath(path)}")


def order(known, id_):
    return list(known).index(id_) if id_ in known else 10**6


def toml_value(v):
    if isinstance(v, int):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ciso", required=True, help="checkout of intuitem/ciso-assistant-community")
    parser.add_argument("--olir", required=True, help="checkout of Glimpz1/grc-mappings")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    ciso_rev = revision(args.ciso)

    def ciso(name, title, publisher, url):
        return {
            "title": title,
            "publisher": publisher,
            "url": url,
            "repository": "intuitem/ciso-assistant-community",
            "path": f"{LIBRARIES}/{name}",
            "revision": ciso_rev,
        }

    rows, pairs, skipped = csf_to_iso(args.ciso)
    write(
        "nist-csf-2_iso27001-2022",
        ciso(
            "mapping-nist-csf-2.0-to-iso27001-2022.yaml",
            "NIST CSF 2.0 Informative References to ISO/IEC 27001:2022",
            "NIST",
            "https://www.nist.gov/informative-references",
        ),
        pairs, rows, skipped, "nist-csf-2", "iso27001-2022",
    )
    rows, pairs, skipped = soc2_to_iso(args.ciso)
    write(
        "soc2_iso27001-2022",
        ciso(
            "mapping-soc2-2017-rev-2022-to-iso27001-2022.yaml",
            "SOC 2 Trust Services Criteria (2017, points of focus 2022) to ISO/IEC 27001:2022",
            "intuitem (CISO Assistant library)",
            "https://github.com/intuitem/ciso-assistant-community",
        ),
        pairs, rows, skipped, "soc2", "iso27001-2022",
    )
    rows, pairs, skipped = hipaa_to_csf(args.ciso)
    write(
        "hipaa_nist-csf-2",
        ciso(
            "mapping-nist-sp-800-66-rev2-to-nist-csf-2.0.yaml",
            "NIST SP 800-66 Rev. 2 (HIPAA Security Rule) key activities to NIST CSF 2.0",
            "NIST",
            "https://csrc.nist.gov/pubs/sp/800/66/r2/final",
        ),
        pairs, rows, skipped, "hipaa", "nist-csf-2",
    )
    path = "olir/csf-2.0_pci-4.0.1_supportive/csf-v2_pci-dss_v4.0.1_olir-supportive.xlsx"
    rows, pairs, skipped, digest = pci_to_csf(args.olir, path)
    write(
        "pci-dss-4_nist-csf-2",
        {
            "title": "NIST OLIR: CSF 2.0 to PCI DSS v4.0.1, supportive relationship mapping",
            "publisher": "NIST OLIR catalog (reference 183)",
            "url": "https://csrc.nist.gov/projects/olir/informative-reference-catalog/details?referenceId=183",
            "repository": "Glimpz1/grc-mappings",
            "path": path,
            "revision": revision(args.olir),
            "sha256": digest,
        },
        pairs, rows, skipped, "pci-dss-4", "nist-csf-2",
    )


if __name__ == "__main__":
    main()
