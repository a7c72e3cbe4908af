"""Give each clause a stance from its own cue phrases, its table cells, its lead-in and its
section heading; reviewed overrides have the last word."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.errors import CorpusError
from assistant.models import RESPONSIBILITY_STANCES, Clause, Stance
from assistant.policy.corpus import split_sentences
from assistant.policy.patterns import alternation
from assistant.policy.provider import UNNAMED, provider_of

# The customer as policies and contracts name it.
_CUSTOMER = r"(?:customers?|clients?|licensees?|subscribers?)"
# Ordered: the first stance whose cue matches wins, so specific cues come before general ones.
# Written from the wordings policies use for each stance (not from labelled clauses).
_CUES: tuple[tuple[Stance, tuple[str, ...]], ...] = (
    (
        Stance.BEST_EFFORT,
        (
            r"best[- ]effort",
            r"\bprovided as[- ]is\b",
            # the wordings of contracts for help given without a commitment
            r"\bcommercially reasonable efforts\b",
            r"\b(?:use|uses|using|make|makes|with) (?:all )?reasonable (?:efforts|endeavou?rs)\b",
            r"\breasonable[- ](?:efforts|endeavou?rs) basis\b",
            r"\bat (?:its|our) (?:sole )?discretion\b",
            r"\b(?:we'll|we will|we) do our best\b",
        ),
    ),
    (
        Stance.SHARED_RESPONSIBILITY,
        (
            r"shared? responsibility",
            r"\bisn't a (?:completely|fully) managed\b",
            # "Gateway health monitoring is also shared:" (not data "shared with" someone)
            r"\b(?:is|are) (?:also )?shared(?::| between\b|\.?$)",
            r"\bjointly (?:responsible|manage[sd]?|maintain(?:s|ed)?)\b",
            r"\b(?:is|are) a joint (?:effort|responsibility)\b",
        ),
    ),
    (
        Stance.CUSTOMER_RESPONSIBILITY,
        (
            # the customer by a contract's names for it too ("the Client", "the Licensee")
            rf"{_CUSTOMER} (?:is|are) (?:solely |fully |entirely )?responsible",
            r"\byou(?:'re| are) (?:also )?(?:solely |fully |entirely )?responsible\b",
            r"\b(?:it's|it is) your responsibility\b",
            r"^you (?:own|manage)\b",
            r"\byou should (?:apply|seek|update|keep)\b",
            r"^you(?:'ll| will) need to (?:take care of|handle|look after|manage|check|ask)\b",
            r"user input is required",
            r"users must help",
            rf"\b(?:the )?{_CUSTOMER} (?:owns?|defines?|chooses?|configures?|manages?)\b",
            rf"\b(?:the )?{_CUSTOMER} (?:shall|assigns?|(?:is|are) required to)\b",
            # "You must remove access …"; opting in is what a feature is available on
            rf"\b(?:(?:the )?{_CUSTOMER}|you) must (?!not\b)(?!(?:\w+ )?opt[- ]in\b)",
            rf"\b(?:is|are|remains?) (?:your|the {_CUSTOMER}'s) (?:responsibility|job)\b",
            r"\bis up to you\b",
            r"\b(?:is|are) yours to\b",
            r"^you (?:secure|maintain)\b",
            r"\byou (?:define|choose)\b",
            r"\b(?:microsoft|aks) doesn't automatically\b",
        ),
    ),
    (
        Stance.NOT_SUPPORTED,
        (
            r"unsupportable",
            r"(?<!supported and )\bunsupported\b",
            r"\byou can't,? (?:however,? )?(?:change|alter|modify)\b",
            r"^avoid\b",
            r"\bnot supported\b",
            r"\b(?:is|are)n't supported\b",
            r"\bisn't a supported\b",
            r"\bout of support\b(?! guidelines)",
            r"\boutside the scope of support\b",
            r"\b(?:is|are)n't covered\b",
            # the wordings of contracts: "are excluded from support", "do not include
            # assistance with", "is not included in", "not eligible for", "no obligation to"
            r"\b(?:is|are) excluded from (?:technical )?(?:support|coverage|(?:this|the) "
            r"(?:policy|agreement|contract))\b(?! hours| window)",
            r"^the following (?:is|are) excluded\b",
            r"\b(?:is|are) excluded[.:]?$",  # "Websocket traffic is excluded."
            r"\b(?:do not|does not|don't|doesn't) include (?:[\w-]+ ){0,2}"
            r"(?:support|assistance|help)\b",
            r"\b(?:is|are)(?: not|n't) (?:included|eligible for)\b",
            r"\bno obligation to\b",
            r"\b(?:is|are) not (?:obliged|obligated) to\b",
            r"\boutside (?:the )?scope of (?:this |these |the )?(?:support )?"
            r"(?:policy|agreement|contract|coverage|terms)\b",
            r"\bout of scope\b",
            r"\bno longer (?:receives?|gets?|(?:is|are) (?:supported|covered))\b",
            r"\b(?:is|are)n't available\b",
            r"doesn't (?:provide technical )?support\b",
            # "X and Y don't provide technical support for the following:", "we do not offer"
            r"\b(?:don't|do not|doesn't|does not|won't|will not|can't|cannot|no longer) "
            r"(?:provide|offer|give) (?:[\w-]+ ){0,2}support\b",
            # a requirement or prohibition stated to the customer
            r"^(?:you|customers?|the customer) (?:must not|mustn't|should not|shouldn't)\b",
            r"\b(?:must not|mustn't) be used\b",
            r"\bcan(?:'t|not) be (?:recovered|restored|renewed|reopened|extended|repaired|"
            r"reinstated|undone)\b",
            r"\b(?:don't|do not|doesn't|does not|won't|will not) cover\b",
            # "Service credits don't apply to outages caused by your DNS changes."
            r"\b(?:credits?|guarantees?|warrant(?:y|ies)|service levels?|slas?|targets?|coverage) "
            r"(?:don't|do not|doesn't|does not) apply to\b",
            r"\bnot covered\b",
            r"^(?:don't|do not|never)\b",  # a requirement: "Don't scale the cluster to zero."
            # an answer: "No. Fabrikam can't …" (not "No, unless …": a condition)
            r"^(?:a: ?)?no(?:[.!]|,(?! (?:only )?(?:if|when|unless|as long as|provided)\b))",
            r"doesn't provide (?:advice|technical support)\b",
            r"don't support",
            r"doesn't allow",
            r"\bcan't (?:help|troubleshoot|investigate|configure|diagnose|provide custom)\b",
            r"aren't meant for production",
            r"\bnot for production\b",
            r"\bdon't install\b",
            r"\bdon't perform\b",
            r"\bshould be prohibited\b",
            r"can't alter",
        ),
    ),
    (
        Stance.CONDITIONAL,
        (
            r"\bif\b[^.]*\bis available\b",
            r"^where\b",
            r"\bin two scenarios\b",
            r"\bwithout (?:\w+ ){0,2}(?:permission|consent|approval)\b",
            r"\bonly (?:when|if|under|until|between|within)\b",
            r"\bcan (?:customize|use|modify|change)\b[^.]*\bonly\b",
            r"\bas long as\b",
            # an answer with a condition: "Yes, if it was deleted within the last 35 days."
            r"^(?:a: ?)?(?:yes|no),? (?:only )?(?:if|when|unless|as long as|provided|but only)\b",
            # "Yes, on Business and Enterprise." (not "Yes, on every plan.")
            r"^(?:a: ?)?yes,? (?:but )?(?:only )?(?:on|for|with) (?!(?:all|every|any|each)\b)",
            # "… response times apply only on the Enterprise plan"
            r"\bonly (?:on|for|to|in|with) (?:the )?[\w-]+(?: (?:and|or) [\w-]+)? "
            r"(?:plans?|tiers?|editions?|customers|clients|subscribers)\b",
            r"\bprovided that\b",
            # "Subject to the Customer paying the Provider's rates, …" (not "subject to this
            # Schedule")
            rf"^subject to (?:the )?(?:{_CUSTOMER}|you)\b",
            r"\b(?:approved|agreed|authorized) in advance\b",
            r"\b(?:is|are) (?:available|offered|allowed|permitted)\b[^.]*\bonly\b",
            r"\b(?:is|are) limited to\b",  # "Support for integrations is limited to …"
            r"^only\b",  # "Only account owners and administrators can open tickets."
            r"\bsupports? [^.]*\bonly (?:for|on|in|with)\b",
            r"\b(?:is|are) (?:fully )?supported\b[^.]*\bonly\b",  # "… on the Premium plan only"
        ),
    ),
    (
        Stance.MICROSOFT_RESPONSIBILITY,
        (
            r"maintained and operated by microsoft",
            r"\bmicrosoft (?:manages|maintains|owns|notifies|monitors)\b",
            r"\b(?:aks |support |engineering )?team (?:will|patches)\b",
            r"\b(?:fully|completely) managed\b",
            r"\b(?:microsoft|aks team) provides (?!(?:[\w-]+ )?support\b)",
            r"\b(?:microsoft|aks) (?:might|may|will) (?:restart|reboot|repair|remediate|replace)\b",
            r"\b(?:microsoft|aks team)\b[^.]*\bresponsible for\b",
            r"\bautomatically (?:remediated|remediates|patched|restore)",
            r"\bprovides? autoremediation\b",
            r"\b(?:microsoft|aks) will (?:notify|detect)",
            r"\baks team might need to reboot",
            r"reboot operations are automated",
            r"support and engineering teams will",
            r"committed to fixing",
        ),
    ),
    (
        Stance.SUPPORTED,
        (
            r"provides? (?:[\w-]+ )?support\b",
            r"provides? technical support",
            r"\bdoes support\b",
            r"\bcan advise\b",
            r"\bcan answer questions\b",
            r"\bcan provide\b",
            r"\bsupports\b",
            r"\b(?:is|are) supported\b",
            # "are covered by this policy", "stays fully supported", "We support the web app",
            # "Every subscription includes support", "This policy covers …"
            r"\b(?:is|are|stays?|remains?) (?:fully |also |still )?(?:supported|covered)\b",
            r"^we support\b",
            r"\bincludes? (?:[\w-]+ ){0,2}support\b",
            r"^(?:this |the )?(?:policy|plan|contract|agreement|support) covers\b",
            r"^support (?:is|are) included\b",
            r"^(?:a: ?)?yes[.,!]",
        ),
    ),
)

# What a section's heading says of the items under it (when nothing else does); `{provider}`
# is the document's provider ("Woodgrove responsibilities").
_HEADING_CUES: tuple[tuple[Stance, str], ...] = (
    (Stance.CUSTOMER_RESPONSIBILITY, r"(?:customer|your) responsibilit"),
    (Stance.MICROSOFT_RESPONSIBILITY, r"(?:microsoft|our|{provider}) responsibilit"),
    (Stance.SHARED_RESPONSIBILITY, r"shared responsibilit"),
    (
        Stance.NOT_SUPPORTED,
        r"\bunsupported\b|\bexclusions?\b|\bnot (?:covered|supported|included)\b|"
        r"\bout of scope\b|\b(?:isn't|aren't|is not|are not) (?:covered|supported|included)\b",
    ),
    (
        Stance.SUPPORTED,
        r"(?<!un)supported (?:scenarios|configurations?|features|platforms|environments)\b|"
        r"^in scope$|^what(?:'s| is) (?:covered|supported|included)$",
    ),
)

# Table cells that state a stance by themselves: yes/no answers and check marks, and short
# cells that are a stance word or a party ("Best-effort", "Customer", "Microsoft").
_CELL_ANSWERS: tuple[tuple[Stance, str], ...] = (
    (
        Stance.NOT_SUPPORTED,
        r"^(?:no|not supported|not available)\b|^[\u274c\u2716\u2717\u2718\u26d4\U0001f6ab]",
    ),
    (Stance.SUPPORTED, r"^(?:yes|available|generally available)\b|^[\u2705\u2713\u2714\u2611]"),
)
_CELL_WORDS: tuple[tuple[Stance, str], ...] = (
    (Stance.BEST_EFFORT, r"^(?:best[- ]effort|preview|limited(?: support)?$)"),
    (Stance.NOT_SUPPORTED, r"^unsupported\b"),
    (Stance.SUPPORTED, r"^(?:fully )?supported\b"),
    (Stance.SHARED_RESPONSIBILITY, r"^shared\b"),
    (Stance.CUSTOMER_RESPONSIBILITY, r"^(?:customer|client|licensee|subscriber|you|user)s?\b"),
    (Stance.MICROSOFT_RESPONSIBILITY, r"^microsoft\b"),
)
_SHORT_CELL = 4  # words
_NOT_APPLICABLE = re.compile(r"^(?:not applicable|n/a|-|—)$", re.IGNORECASE)
_ICON = re.compile(r"^([^\w\s(\[]+)\s*(\w.*)$")
# A lead-in that introduces the contents of something rather than who does what.
_CONTENTS_LEAD_IN = re.compile(r"\b(?:explains|includes|contains|describes|lists|covers):\s*$")
# A sentence that says what a table or matrix shows (it introduces the rows that state stances).
_TABLE_INTRO = re.compile(r"\b(?:the|this|following) (?:table|matrix)\b[^.]*:\s*$")
# A section that defines the document's terms ("1. Definitions", "Glossary"): what its clauses
# say is what a word means, not who supports what ("Incident: … the reasonable efforts …").
_DEFINITIONS = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:definitions?|glossary|(?:key )?terms(?: and definitions)?|"
    r"terminology)$",
    re.IGNORECASE,
)
# A sentence that opens with one of these continues the sentence before it.
_ANAPHORA = re.compile(
    r"^(?:they|it)\b|^(?:this|that) (?:applies|means|covers|includes)\b", re.IGNORECASE
)
# A duty the provider states of itself: first person, or a name from the document's title
# ("Fabrikam will:", "Microsoft and Red Hat manage ...", "A Northwind engineer must confirm").
_PROVIDER_DUTY = (
    r"\b(?:we|{names})(?: (?:engineers?|team|staff))? (?:will(?! not\b)|shall(?! not\b)|"
    r"must(?! not\b)|manages?|maintains?|monitors?|operates?|patch(?:es)?|updates?|backs? up|"
    r"appl(?:y|ies)|secures?|renews?|"
    r"publish(?:es)?|ships?|builds?|handles?|runs?|scales?|encrypts?|scans?|filters?|"
    r"reviews?|keeps?|sends?|takes? care of|looks? after|"
    r"(?:is|are) responsible for)\b"
)
# The provider naming itself: first person, or its name (`provider_of`).
_PROVIDER = r"(?:we|{provider})(?: (?:support|engineers?|engineering|team|staff))?"
# What the provider states of itself when no cue phrase decides, first match wins: what it
# leaves to the customer ("Northwind doesn't push firmware automatically"), what it declines
# ("we don't troubleshoot …", "Northwind can't open a case …"; not a recommendation or a
# responsibility), then a duty (the provider named by its title's words).
_PROVIDER_STATEMENTS = (
    (
        Stance.CUSTOMER_RESPONSIBILITY,
        rf"\b{_PROVIDER} (?:doesn't|does not|don't|do not) [^.]*\bautomatically\b",
    ),
    (
        Stance.NOT_SUPPORTED,
        rf"\b{_PROVIDER} (?:don't|do not|doesn't|does not|can't|cannot|won't|will not|never|"
        r"no longer) (?!(?:[\w-]+ )?(?:responsib|recommend))",
    ),
    (Stance.MICROSOFT_RESPONSIBILITY, _PROVIDER_DUTY),
    # the passive: "Security patches are applied automatically by Litware."
    (
        Stance.MICROSOFT_RESPONSIBILITY,
        r"\b(?:applied|performed|managed|handled|maintained|monitored|operated|patched|"
        r"installed|updated|upgraded|rotated|renewed|backed up|restarted|rebooted|replaced|"
        r"repaired|scaled) (?:automatically )?by (?:us|{names})\b",
    ),
)
# A benefit only some plans or tiers get, by the names the document gives them (`tier_names`):
# "Premier Customers have a named Technical Account Manager", "Enterprise plans also include
# …", "You can deploy … on the Premium and Dedicated plans", "… are available on the
# Enterprise plan".
# ({tiers}: one name, or two joined by "and" / "or": "the Starter and Team plans")
_TIER_STATEMENTS = (
    r"(?:^|, ){tiers} (?:customers|clients|plans|tiers|subscribers) (?:(?:may|can) )?(?:also )?"
    r"(?:have|get|receive|include|can|may)\b",
    r"\b(?:you|customers?|clients?) can\b[^.]*\bon (?:the )?{tiers} (?:plans?|tiers?)\b",
    # "On the Enterprise plan, you can extend archive retention …"
    r"^(?:on|with|under) (?:the )?{tiers} (?:plans?|tiers?),? (?:you|customers?|clients?) can\b",
    # "Audit logs are available for 1 year on the Enterprise plan."
    r"\b(?:is|are) (?:only )?(?:available|included|offered|provided)\b[^.]*\b(?:on|with|in) "
    r"(?:the )?{tiers} (?:plans?|tiers?)\b",
)
# Capitalised names before "plan", "tier" or "Customers" within a sentence ("on the Enterprise
# plan", "the Starter and Team plans", "to Premier Customers").
_TIER_NAMES = re.compile(
    r"(?<=[a-z,] )((?:[A-Z][a-z]+,? (?:(?:and|or) )?)+)(?:[Cc]ustomers|[Cc]lients|plans?|tiers?)\b"
)
# Title words that name no one (so "… Support and Maintenance Policy" makes no provider of
# "and").
_TITLE_WORDS = {
    "support", "policy", "policies", "technical", "service", "services",
    "the", "a", "an", "and", "or", "of", "for", "to", "in", "on", "with", "by", "at",
}  # fmt: skip
_PARTIES = RESPONSIBILITY_STANCES - {Stance.SHARED_RESPONSIBILITY}


def stance_from_cues(text: str) -> Stance | None:
    """The stance a piece of policy text states by its cue phrases, if any."""
    lowered = _plain(text)
    for stance, patterns in _CUES:
        if any(re.search(p, lowered) for p in patterns):
            return stance
    return None


# A contract clause's number ("2.2 Support covers …"): cues read the words after it.
_CLAUSE_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.\s+|^\d+(?:\.\d+)+\s+")


def _plain(text: str) -> str:
    return _CLAUSE_NUMBER.sub("", text.lower().replace("\u2019", "'"))


def _stance_from_heading(
    path: tuple[str, ...], provider: re.Pattern[str] | None = None
) -> Stance | None:
    named = provider.pattern if provider is not None else "microsoft"
    for heading in reversed(path):
        for stance, pattern in _HEADING_CUES:
            if re.search(pattern.replace("{provider}", named), _plain(heading).strip()):
                return stance
    return None


def cell_stance(cell: str, legend: dict[str, Stance]) -> Stance | None:
    """The stance a table cell states by itself: an icon the document's legend explains
    (unsupported wins over a party), a yes/no/best-effort answer, a check mark or a party."""
    icons = [stance for icon, stance in legend.items() if icon in cell]
    if icons:
        return Stance.NOT_SUPPORTED if Stance.NOT_SUPPORTED in icons else icons[-1]
    lowered = _plain(cell.strip())
    short = len(lowered.split()) <= _SHORT_CELL
    for stance, pattern in _CELL_ANSWERS + (_CELL_WORDS if short else ()):
        if re.search(pattern, lowered):
            return stance
    return None


def icon_legend(clauses: tuple[Clause, ...]) -> dict[str, Stance]:
    """Icons a document explains in a key table ("🔵 Customer | You own and manage this
    area."), with the stance each stands for."""
    legend: dict[str, Stance] = {}
    for clause in clauses:
        if clause.kind != "row" or not clause.cells:
            continue
        match = _ICON.match(clause.cells[0].strip())
        if match is None:
            continue
        words = " ".join([match.group(2), *clause.cells[1:]])
        stance = cell_stance(match.group(2), {}) or stance_from_cues(words)
        if stance is not None:
            legend[match.group(1).strip()] = stance
    return legend


@dataclass(frozen=True)
class RuleStance:
    """A clause's rule-based stance, the rule that decided it, and every rule's vote as
    features (1.0 where a rule points at a stance) for a learned classifier."""

    stance: Stance
    rule: str
    features: dict[str, float]
    cells: tuple[Stance | None, ...] = ()  # a row's stance per cell or part (`cell_stances`)
    parts: tuple[str, ...] = ()  # a clause's sentences or their contrasted parts (`parts`)


def _row_stance(
    clause: Clause, legend: dict[str, Stance], provider: re.Pattern[str] | None
) -> Stance | None:
    """A table row's stance from its cells: the parties whose columns check it (a ✅, Yes, or
    a RACI matrix's R or A) when the columns are parties, then answers and icons (the
    rightmost one; conditional when they differ between columns), then what each column's
    header says about the cells under it."""
    duties = _checked_parties(clause, legend, provider)
    if duties:
        return _combined(duties)
    answers = _cell_answers(clause, legend)
    if answers:
        # yes under some columns (plans, tiers), no under others: it depends on which
        differ = _answers_differ(_answer_columns(clause, legend))
        return Stance.CONDITIONAL if differ else answers[-1]
    stances = [s for s in _column_stances(clause) if s is not None]
    return _combined(stances) if stances else None


def _cell_answers(clause: Clause, legend: dict[str, Stance]) -> list[Stance]:
    """The stances a row's cells state by themselves (answers, icons), left to right; the
    first column names the row's subject, unless it is a legend's icon."""
    by_cell = [
        cell_stance(cell, legend)
        for i, cell in enumerate(clause.cells)
        if cell.strip() and (i or any(icon in cell for icon in legend))
    ]
    return [s for s in by_cell if s is not None]


def answers_by_column(clause: Clause) -> bool:
    """Whether a row's cell stances are its cells' own answers under columns that are plans or
    tiers ("Phone support | No | Yes | Yes"), not what its columns' headers say of each cell: a
    question naming one of those plans asks about a condition (eval/LABELLING.md)."""
    return clause.kind == "row" and bool(clause.cell_stances) and bool(_cell_answers(clause, {}))


def _answer_columns(clause: Clause, legend: dict[str, Stance]) -> tuple[Stance | None, ...]:
    """A row's yes/no answer per column (None for its first column and for a cell that
    answers nothing), when its columns are not parties."""
    return (None,) + tuple(cell_stance(cell, legend) for cell in clause.cells[1:])


def _answers_differ(answers: tuple[Stance | None, ...]) -> bool:
    """Whether a row's answers (`_answer_columns`) say yes under some columns and no under
    others ("Phone support | ❌ | ✅ | ✅" under "Basic | Business | Enterprise")."""
    return {Stance.SUPPORTED, Stance.NOT_SUPPORTED} <= set(answers)


# A RACI matrix's cell that makes the task the party's: Responsible or Accountable ("R",
# "R, A", "A/R"); Consulted or Informed alone does not.
_RACI_DUTY = re.compile(r"^(?:[CI]\s*[,/]?\s*)*[RA](?:\s*[,/]?\s*[RACI])*$")


def _checked_parties(
    clause: Clause, legend: dict[str, Stance], provider: re.Pattern[str] | None
) -> list[Stance]:
    """Whose duty a row is in a table whose columns are the parties ("| Task | Litware |
    Customer |" with a check mark under one or both, or a RACI matrix's letters): each party
    whose column says yes, or R or A."""
    parties = []
    for head, cell in zip((clause.header or ())[1:], clause.cells[1:], strict=False):
        party = _party(head, provider)
        checked = cell_stance(cell, legend) is Stance.SUPPORTED or _RACI_DUTY.match(cell.strip())
        if party is not None and checked:
            parties.append(party)
    return parties


def _party(head: str, provider: re.Pattern[str] | None) -> Stance | None:
    """The responsibility of the party a column header names: the provider, or the customer."""
    if provider is not None and provider.fullmatch(_plain(head.strip())):
        return Stance.MICROSOFT_RESPONSIBILITY
    stance = cell_stance(head, {})
    return stance if stance in _PARTIES else None


def _column_stances(clause: Clause) -> list[Stance | None]:
    """What each column's header (else the cell's own wording) says about a row's cells;
    None for an empty or "Not applicable" cell and for a first column whose header says
    nothing (it names what the row is about)."""
    stances: list[Stance | None] = []
    header = clause.header or ("",) * len(clause.cells)
    for i, (head, cell) in enumerate(zip(header, clause.cells, strict=False)):
        by_header = stance_from_cues(head) or cell_stance(head, {})
        if not cell.strip() or _NOT_APPLICABLE.match(cell.strip()) or (i == 0 and not by_header):
            stances.append(None)
        else:
            stances.append(by_header or stance_from_cues(cell))
    return stances


def _combined(stances: list[Stance]) -> Stance:
    """The stance of a row whose columns say these: shared when two parties own parts of
    it, conditional when part is supported and part isn't, else the last column's."""
    kinds = set(stances)
    if len(kinds & RESPONSIBILITY_STANCES) > 1:
        return Stance.SHARED_RESPONSIBILITY
    if {Stance.SUPPORTED, Stance.NOT_SUPPORTED} <= kinds:
        return Stance.CONDITIONAL
    return stances[-1]


def cell_stances(
    clause: Clause, legend: dict[str, Stance], provider: re.Pattern[str] | None = None
) -> tuple[Stance | None, ...]:
    """A row's stance per cell when its columns' headers say different things about their
    cells (`Microsoft supports | Microsoft doesn't support`; `Microsoft provides | Customer
    provides`), or its answers do (yes under some plans' columns, no under others'), so that a
    question about one cell (one plan) gets that cell's; empty otherwise (a row answered by
    the same icons or Yes/No throughout, one whose columns are parties, or one stance for the
    whole row). A first column whose stance the others' combine to (a `Shared
    responsibility` column naming the areas) names the row's subject: it gets None."""
    if clause.kind != "row":
        return ()
    if _cell_answers(clause, legend):
        answers = _answer_columns(clause, legend)
        differ = _answers_differ(answers) and not _checked_parties(clause, legend, provider)
        return answers if differ else ()
    stances = _column_stances(clause)
    rest = [s for s in stances[1:] if s is not None]
    if stances and stances[0] is not None and rest and _combined(rest) is stances[0]:
        stances[0] = None
    return tuple(stances) if len({s for s in stances if s is not None}) > 1 else ()


# Where a sentence turns from what is offered to what is not ("…, but does not review schemas").
_CONTRAST = re.compile(r",? but\b|; however,?|, however,|\bwhereas\b")
# A part after a contrast that denies the provider's action by itself ("but won't debug your
# code"), unless it denies a responsibility (that says whose it is instead).
_DENIAL = re.compile(
    r"^\s*(?:[\w-]+ ){0,2}(?:does not|doesn't|do not|don't|will not|won't|cannot|can't|not)\b"
    r"(?! (?:[\w-]+ )?responsib)"
)


def part_stances(clause: Clause) -> tuple[tuple[str, ...], tuple[Stance | None, ...]]:
    """A clause's sentences, and their parts either side of a contrast, with each part's
    stance, when they say different things ("Fabrikam will advise on design questions on a
    best-effort basis, but does not review Customer schemas"; "… best-effort support for
    projects like Helm. Where the tool integrates with the Azure cloud provider, Microsoft
    supports …"), so that a question about one part gets its stance; empty otherwise (a row,
    or one stance throughout). A sentence whose contrast is a condition ("supported, but only
    when …") stays whole: the condition qualifies all of it."""
    if clause.kind == "row":
        return (), ()
    parts: list[str] = []
    stances: list[Stance | None] = []
    for sentence, _, _ in split_sentences(clause.text, 0):
        pieces = [p for p in _CONTRAST.split(sentence) if p.strip()]
        own = [_part_stance(p) for p in pieces]
        if Stance.CONDITIONAL in own:
            pieces, own = [sentence], [stance_from_cues(sentence)]
        parts += pieces
        stances += own
    if len({s for s in stances if s is not None}) < 2:
        return (), ()
    return tuple(parts), tuple(stances)


def _part_stance(part: str) -> Stance | None:
    """A part's stance by its cue phrases; a part that only denies is `not_supported`."""
    return stance_from_cues(part) or (
        Stance.NOT_SUPPORTED if _DENIAL.search(_plain(part)) else None
    )


def provider_statements(title: str, provider: str) -> tuple[tuple[Stance, re.Pattern[str]], ...]:
    """The patterns of what a document's provider states of itself (`_PROVIDER_STATEMENTS`):
    duties named after its title or its provider, the rest after its provider ("Microsoft and
    Red Hat"). The provider's own name counts for a document whose title the clauses do not
    carry (no text before its first section)."""
    names, providers = _provider_words(title, provider)
    return tuple(
        (
            stance,
            re.compile(
                pattern.replace("{names}", alternation(names) or "microsoft").replace(
                    "{provider}", alternation(providers) or "we"
                )
            ),
        )
        for stance, pattern in _PROVIDER_STATEMENTS
    )


def tier_names(texts: Iterable[str], title: str, provider: str) -> set[str]:
    """The names a document gives its plans or tiers (lower-cased), not its provider's."""
    names, providers = _provider_words(title, provider)
    taken = {*names, *(_plain(p) for p in providers), "and", "or"}
    found = {
        word
        for text in texts
        for run in _TIER_NAMES.findall(text)
        for word in re.findall(r"[a-z]+", run.lower())
    }
    return found - taken


def tier_statements(tiers: set[str]) -> tuple[tuple[Stance, re.Pattern[str]], ...]:
    """The patterns of a benefit only the named plans or tiers get (`_TIER_STATEMENTS`)."""
    if not tiers:
        return ()
    words = alternation(tiers)
    named = f"(?:{words})(?:,? (?:and|or) (?:{words}))?"
    return tuple(
        (Stance.CONDITIONAL, re.compile(p.replace("{tiers}", named))) for p in _TIER_STATEMENTS
    )


def _provider_words(title: str, provider: str) -> tuple[list[str], list[str]]:
    """The lower-cased words that may name a document's provider (its title's words and the
    provider's names), and the provider's names alone."""
    titled = [w for w in re.findall(r"[a-z][\w-]*", _plain(title)) if w not in _TITLE_WORDS]
    named = (
        []
        if provider == UNNAMED
        else [_plain(p).removeprefix("the ") for p in (provider, *provider.split(" and "))]
    )
    return [*titled, *named], named


def _provider_column(title: str, provider: str) -> re.Pattern[str] | None:
    """A column header that names the provider: a word of its title or its name."""
    words = alternation(_provider_words(title, provider)[0])
    return re.compile(rf"(?:{words})") if words else None


def _own_stance(text: str, statements: tuple[tuple[Stance, re.Pattern[str]], ...]) -> Stance | None:
    """A text's stance by its cue phrases, else by what its provider states of itself; a
    question ("Which add-ons are covered?", an FAQ's) states none."""
    if text.rstrip().endswith("?"):
        return None
    stance = stance_from_cues(text)
    if stance is None:
        plain = _plain(text)
        stance = next((st for st, pattern in statements if pattern.search(plain)), None)
    return stance


def rule_stances(clauses: tuple[Clause, ...]) -> list[RuleStance]:
    """Each clause's rule-based stance with the votes of every rule (reading order, so a
    parent is decided before its children)."""
    titles: dict[str, str] = {}  # the heading over a document's first clause: its title
    for c in clauses:
        titles.setdefault(c.doc_id, c.section_path[0] if c.section_path else "")
    providers = {doc: provider_of(c for c in clauses if c.doc_id == doc) for doc in titles}
    duties = {
        doc: provider_statements(title, providers[doc])
        + tier_statements(
            tier_names((c.text for c in clauses if c.doc_id == doc), title, providers[doc])
        )
        for doc, title in titles.items()
    }
    columns = {doc: _provider_column(title, providers[doc]) for doc, title in titles.items()}
    legend: dict[str, dict[str, Stance]] = {}
    decided: dict[str, Stance] = {}
    parents = {c.clause_id: c for c in clauses}
    out = []
    previous: Clause | None = None
    for clause in clauses:
        if clause.doc_id not in legend:
            legend[clause.doc_id] = icon_legend(
                tuple(c for c in clauses if c.doc_id == clause.doc_id)
            )
        votes = {
            "own": _own_stance(clause.text, duties[clause.doc_id]),
            "legend": Stance.INFORMATIONAL
            if _defines_icon(clause, legend[clause.doc_id])
            else None,
            "cells": _row_stance(clause, legend[clause.doc_id], columns[clause.doc_id])
            if clause.kind == "row"
            else None,
            "definition": Stance.INFORMATIONAL
            if _DEFINITIONS.match(clause.section_path[-1] if clause.section_path else "")
            else None,
            "contents": Stance.INFORMATIONAL if _lists_contents(clause, parents) else None,
            "parent": decided.get(clause.parent_id or ""),
            "lead_in": _own_stance(clause.context, duties[clause.doc_id])
            if clause.kind == "item"
            else None,
            "heading": _stance_from_heading(clause.section_path, columns[clause.doc_id]),
            "table_intro": Stance.INFORMATIONAL
            if clause.kind == "sentence" and _TABLE_INTRO.search(_plain(clause.text))
            else None,
            "previous": decided[previous.clause_id]
            if previous is not None and _continues(previous, clause)
            else None,
        }
        rule, stance = _decide(clause, votes)
        decided[clause.clause_id] = stance
        features = {f"kind={clause.kind}": 1.0}
        features.update({f"{name}={vote.value}": 1.0 for name, vote in votes.items() if vote})
        if clause.kind == "row":
            out.append(
                RuleStance(
                    stance,
                    rule,
                    features,
                    cell_stances(clause, legend[clause.doc_id], columns[clause.doc_id]),
                )
            )
        else:
            parts, by_part = part_stances(clause)
            out.append(RuleStance(stance, rule, features, by_part, parts))
        previous = clause
    return out


def _lists_contents(clause: Clause, parents: dict[str, Clause]) -> bool:
    """Whether a nested item lists what something explains or holds ("The known-issue filing
    explains: - The issue, … - Rough timelines …"): details, not a stance of their own."""
    parent = parents.get(clause.parent_id or "")
    return parent is not None and _CONTENTS_LEAD_IN.search(_plain(parent.text)) is not None


def _defines_icon(clause: Clause, legend: dict[str, Stance]) -> bool:
    """Whether a table row is a key entry that explains an icon ("🟢 Microsoft | Microsoft owns
    and manages this area."): it says what a symbol means, not who supports what."""
    if clause.kind != "row" or not clause.cells:
        return False
    match = _ICON.match(clause.cells[0].strip())
    return match is not None and match.group(1).strip() in legend


def _continues(previous: Clause, clause: Clause) -> bool:
    """Whether a sentence is the next one in the same paragraph and opens by pointing back
    ("They can execute upgrades…" after "Customers are responsible for upgrades.")."""
    return (
        clause.kind == previous.kind == "sentence"
        and clause.section_path == previous.section_path
        and 0 <= clause.start - previous.end <= 1
        and _ANAPHORA.match(clause.text) is not None
    )


_ORDER: dict[str, tuple[str, ...]] = {
    "row": ("definition", "legend", "cells", "own", "heading"),
    "item": ("definition", "own", "contents", "parent", "lead_in", "heading"),
}


def _decide(clause: Clause, votes: dict[str, Stance | None]) -> tuple[str, Stance]:
    for name in _ORDER.get(clause.kind, ("definition", "table_intro", "own", "parent", "previous")):
        vote = votes[name]
        if vote is not None:
            return name, vote
    return "none", Stance.INFORMATIONAL


def load_overrides(path: Path | None) -> list[tuple[str, Stance]]:
    """Reviewed (quote, stance) corrections; the quote identifies a clause verbatim."""
    if path is None or not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    overrides = []
    for entry in data.get("override", []):
        try:
            overrides.append((str(entry["quote"]), Stance(entry["stance"])))
        except (KeyError, ValueError) as exc:
            raise CorpusError(f"{path}: bad override {entry!r}: {exc}") from exc
    return overrides


def assign_stances(
    clauses: tuple[Clause, ...], overrides: list[tuple[str, Stance]]
) -> tuple[Clause, ...]:
    """Return the clauses with stances: rules first, then reviewed overrides on top."""
    rules = rule_stances(clauses)
    stances = {c.clause_id: r.stance for c, r in zip(clauses, rules, strict=True)}
    by_cell = {c.clause_id: r.cells for c, r in zip(clauses, rules, strict=True)}
    parts = {c.clause_id: r.parts for c, r in zip(clauses, rules, strict=True)}
    problems = []
    for quote, stance in overrides:
        matches = [c for c in clauses if quote in c.text]
        if len(matches) != 1:
            problems.append(
                f"stance override quote {quote!r} matches {len(matches)} clauses; it must match one"
            )
            continue
        stances[matches[0].clause_id] = stance
        # the reviewer's stance holds for every cell and part
        by_cell.pop(matches[0].clause_id, None)
        parts.pop(matches[0].clause_id, None)
    if problems:  # every orphaned or ambiguous override at once
        raise CorpusError("\n".join(problems))
    return tuple(
        replace(
            c,
            stance=stances[c.clause_id],
            cell_stances=by_cell.get(c.clause_id, ()),
            parts=parts.get(c.clause_id, ()),
        )
        for c in clauses
    )
