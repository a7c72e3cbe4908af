"""Who provides the support a policy describes: the name its sentences most often give the
party that provides, manages or declines something ("Microsoft provides …", "Fabrikam will …",
"Microsoft and Red Hat don't provide …"). Verdict labels name it ("This is Fabrikam's
responsibility."), so that a policy dropped in is not answered in another provider's name."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from assistant.models import Clause
from assistant.policy.corpus import Corpus

# one or two capitalised words (or two such names joined by "and") before a provider's verb;
# every part is bounded, so a clause is read in linear time
_SUBJECT = re.compile(
    r"\b([A-Z][\w-]*(?: [A-Z][\w-]*)?(?: and [A-Z][\w-]*(?: [A-Z][\w-]*)?)?)"
    r"(?:,? (?:Inc|Ltd|LLC|Corp|Corporation|GmbH|plc)\.?)? "  # "Proseware, Inc. provides"
    r"(?:support |engineering )?"
    r"(?:will|provides?|supports?|manages?|maintains?|monitors?|operates?|patch(?:es)?|"
    r"handles?|appl(?:y|ies)|backs? up|publish(?:es)?|(?:is|are) responsible|"
    r"does(?:n't| not)|do(?:n't| not)|can(?:'t|not)?)\b"
)
# the provider as a contract names its role ("The Supplier shall …")
_ROLES = ("Supplier", "Vendor", "Service Provider", "Provider", "Contractor", "Licensor")
_ROLE = re.compile(rf"\b[Tt]he ({'|'.join(_ROLES)})\b")
# capitalised sentence openers that name no one
_NOT_NAMES = frozenset(
    "The This These That Those It If You We They Customers Customer Users Each When Your "
    "Our Any All Some".split()
)
UNNAMED = "the provider"


def provider_name(corpus: Corpus) -> str:
    """The provider's name as the policy gives it, or "the provider" when no name is given
    as the subject of a provider's verb at least twice."""
    return provider_of(corpus.clauses)


def document_providers(corpus: Corpus) -> dict[str, str]:
    """Each document's provider (`provider_of` its own clauses), by document id."""
    return {
        d.doc_id: provider_of(c for c in corpus.clauses if c.doc_id == d.doc_id)
        for d in corpus.documents
    }


def provider_of(clauses: Iterable[Clause]) -> str:
    """`provider_name` read from some clauses (one document's); else the name a contract
    gives the provider's role ("the Supplier"), when it uses one at least twice. Sentences
    name it, not table cells ("Safari | Limited support" names no "Limited")."""
    clauses = list(clauses)
    texts = [clause.text for clause in clauses]
    counts = Counter(
        m.group(1)
        for clause in clauses
        if clause.kind != "row"
        for m in _SUBJECT.finditer(clause.text)
        if m.group(1).split()[0] not in _NOT_NAMES
    )
    name, seen = counts.most_common(1)[0] if counts else (UNNAMED, 0)
    if seen >= 2:
        return f"the {name}" if name in _ROLES else name
    roles = Counter(m.group(1) for text in texts for m in _ROLE.finditer(text))
    role, used = roles.most_common(1)[0] if roles else ("", 0)
    return f"the {role}" if used >= 2 else UNNAMED
