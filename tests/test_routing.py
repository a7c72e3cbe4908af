"""Which served documents a question names, by title words and acronyms."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.answer.routing import documents_named, title_acronyms
from assistant.policy.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[1]
AKS = load_corpus(ROOT / "corpus").documents
ARO = load_corpus(ROOT / "eval" / "documents" / "aro" / "policy").documents
CLOUDDB = load_corpus(ROOT / "eval" / "documents" / "clouddb" / "policy").documents


def test_a_question_names_a_document_by_a_title_word_no_other_served_title_has() -> None:
    both = (*AKS, *ARO)
    assert documents_named(both, "Is Istio supported on AKS?") == {"aks-support-policies"}
    assert documents_named(both, "who patches OpenShift nodes") == {"aro-support-policy"}
    # "Azure" is in both titles, "support" and "policy" name nothing
    assert documents_named(both, "does azure support policy cover this") == set()
    assert documents_named(ARO, "who patches openshift nodes") == {"aro-support-policy"}
    assert documents_named((*AKS, *CLOUDDB), "Fabrikam's sev 1 response time?") == {
        "fabrikam-clouddb-support"
    }


def test_a_question_names_a_document_by_an_acronym_of_its_title() -> None:
    assert "aro" in title_acronyms("Azure Red Hat OpenShift support policy")
    # the parenthesised acronym is a title word already; the product words make it again
    assert title_acronyms("Support Policies for Azure Kubernetes Service (AKS)") == {"aks"}
    assert title_acronyms("Fabrikam CloudDB Technical Support Policy") == set()  # two words
    served = (*AKS, *ARO, *CLOUDDB)
    assert documents_named(served, "istio on aro, is that supported?") == {"aro-support-policy"}
    assert documents_named(served, "is ARO fully managed") == {"aro-support-policy"}
    # a question may name several
    assert documents_named(served, "Is aro or aks cheaper?") == {
        "aro-support-policy",
        "aks-support-policies",
    }


def test_an_acronym_that_is_a_word_of_a_served_document_names_nothing() -> None:
    # "rho" is an acronym of "Red Hat OpenShift"; once a served document uses it as a word it
    # reads as that word
    assert documents_named(ARO, "what does rho mean") == {"aro-support-policy"}
    greek = replace(AKS[0], text=AKS[0].text + "\nThe rho value.\n")
    assert documents_named((greek, *ARO), "what does rho mean") == set()


def test_an_acronym_its_own_document_writes_in_capitals_still_names_it() -> None:
    apps = replace(
        ARO[0],
        doc_id="container-apps",
        title="Azure Container Apps support policy",
        text="Microsoft supports ACA environments. Custom ACA add-ons are not supported.",
    )
    assert documents_named((*AKS, apps), "can i run dapr on aca?") == {"container-apps"}
    # written as a word ("aca" in lower case) it is that word, not the acronym
    plain = replace(apps, text="Microsoft supports environments aca and beyond.")
    assert documents_named((*AKS, plain), "can i run dapr on aca?") == set()


def test_a_title_word_the_other_documents_use_about_as_often_names_nothing() -> None:
    root = ROOT / "corpus" / "training" / "policies"
    northwind = load_corpus(root / "northwind-edge" / "policy").documents
    served = (*northwind, *CLOUDDB)  # both speak of maintenance windows
    assert documents_named(served, "who schedules maintenance?") == set()
    assert documents_named(served, "is the edge gateway covered?") == {"northwind-edge"}
