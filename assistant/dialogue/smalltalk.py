"""Small talk and hand-offs: fixed, templated replies that never carry a policy verdict."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from assistant.answer.suggestions import starter_questions
from assistant.models import Answer, Verdict
from assistant.policy.corpus import Corpus
from assistant.search.terms import TermCounter

SMALLTALK = "smalltalk"
HANDOFF = "handoff"


@dataclass(frozen=True)
class Intent:
    """A kind of message that gets a fixed reply: its name, reply kind and how to spot it."""

    name: str
    kind: str
    pattern: re.Pattern[str]


def _whole(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{pattern})$", re.IGNORECASE)


# Every pattern here runs on whatever a user sends, so each is unambiguous: a repeated item is
# followed by a separator that cannot be empty ("bye bye" is `_BYE`, a separator, `_BYE`), so a
# failed match backtracks in linear time (tests/test_regex_timing.py holds every pattern to that).
_SEP = r"(?:\s*,\s*|\s+)"
_BYE = (
    r"(?:bye|goodbye|see you|see ya|cya|that'?s all|that is all|that'?s it|"
    r"nothing else|have a (?:good|nice|great) (?:day|one|weekend))"
)
_POLITE = r"(?:\s+(?:there|all|folks|team|everyone|bot|assistant|again|so much|a lot|very much))*"

# Checked in order on the message without punctuation or emoji. Greetings, thanks and goodbyes
# must be the whole message ("hi, is istio supported?" is a policy question); a request for a
# person may appear anywhere in it.
INTENTS: tuple[Intent, ...] = (
    Intent(
        "handoff",
        HANDOFF,
        re.compile(
            r"\b(?:talk|speak|chat|connect me|put me through|get me)(?:\s+(?:to|with))?\s+"
            r"(?:(?:a|an|some|real|actual|live)\s+)*(?:human|person|agent|engineer|"
            r"representative|rep|someone|somebody|support engineer|operator)\b|"
            r"\b(?:human|live)\s+(?:agent|support|help|being)\b|\breal person\b|"
            r"\bescalat(?:e|ion)\b|^(?:agent|human|operator|representative|a human)$",
            re.IGNORECASE,
        ),
    ),
    Intent(
        "greeting",
        SMALLTALK,
        _whole(
            rf"(?:hi|hello|hey|heya|hiya|howdy|yo|hallo|greetings|good (?:morning|afternoon|"
            rf"evening|day)|what'?s up|sup)(?:\s+(?:hi|hello|hey))?{_POLITE}"
        ),
    ),
    Intent(
        "thanks",
        SMALLTALK,
        _whole(
            rf"(?:(?:ok(?:ay)?|great|perfect|awesome|cool|nice|got it|that helps|brilliant)"
            rf"{_SEP})*(?:thanks?|thank you|thx|ty|cheers|much appreciated|appreciate it|"
            rf"that help(?:s|ed)|great help){_POLITE}"
        ),
    ),
    Intent(
        "goodbye",
        SMALLTALK,
        _whole(rf"(?:(?:ok(?:ay)?|thanks?|thank you){_SEP})?{_BYE}(?:{_SEP}{_BYE})*{_POLITE}"),
    ),
    # questions about the provider as a company, which no support policy answers ("is
    # microsoft hiring?", "contoso stock price"): out of the assistant's domain
    Intent(
        "out_of_domain",
        SMALLTALK,
        re.compile(
            r"^(?:is|are) [\w-]+(?: [\w-]+)? (?:still |currently )?hiring(?: now)?$|"
            r"\bjob (?:openings?|vacanc(?:y|ies))\b|"
            r"\bcareers? (?:at|with)\b|\b(?:stock|share) price\b|\bwho is the ceo\b",
            re.IGNORECASE,
        ),
    ),
    Intent(
        "capabilities",
        SMALLTALK,
        _whole(
            r"(?:help|help me|what can you do|what do you do|what can i ask(?: you)?|who are you|"
            r"what are you|how does this work|how do you work|what do you know(?: about)?|"
            r"what is this|what are you for|what can you help (?:me |us )?with|menu|options|"
            r"start|are you (?:a )?(?:bot|robot|human|person|real|ai|chatgpt)|"
            r"what (?:kind of |sort of )?questions can i ask(?: you)?)"
        ),
    ),
)

# Offered with fixed replies; each is one the engine answers from the policy.
EXAMPLE_QUESTIONS = (
    "Is Istio supported?",
    "Who reboots nodes after OS patches?",
    "How often is etcd backed up?",
    "Who is responsible for Kubernetes upgrades?",
)

_GREETING_PREFIX = re.compile(
    r"^(?:hi|hello|hey|heya|hiya|good (?:morning|afternoon|evening))(?:\s+(?:there|all|team))?"
    r"\s*[,!.:-]+\s*",
    re.IGNORECASE,
)
# Searched for only where a thanks word starts, so a long run of punctuation is read once.
_THANKS_TAIL = re.compile(r"(?:thanks?|thank you|thx|ty|cheers)[\s!.]*\Z", re.IGNORECASE)
_THANKS_SEPARATORS = " \t\n\r\f\v,.!"


def _trim_edges(text: str) -> str:
    """The text without leading or trailing characters that are not letters or digits (one
    pass from each end: a regex for this rescans a long punctuation run from every start)."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def bare_message(message: str) -> str:
    """The message lower-cased without leading or trailing punctuation, emoji or spaces."""
    return " ".join(_trim_edges(message.strip()).split()).lower()


def _without_thanks(text: str) -> str:
    """The text without a trailing thanks set off by spaces or punctuation ("..., thx!")."""
    tail = _THANKS_TAIL.search(text)
    if tail is None:
        return text
    head = text[: tail.start()]
    kept = head.rstrip(_THANKS_SEPARATORS)
    return kept if len(kept) < len(head) else text


def detect_intent(message: str) -> Intent | None:
    """The small-talk intent of a message, or None for a policy question."""
    text = bare_message(message)
    if not text:
        return None
    return next((i for i in INTENTS if i.pattern.search(text)), None)


def strip_pleasantries(message: str) -> str:
    """A question without a leading greeting or trailing thanks ("hi, is X supported? thx")."""
    stripped = _without_thanks(_GREETING_PREFIX.sub("", message.strip()))
    return stripped.strip() or message.strip()


def policy_vocabulary(corpus: Corpus) -> frozenset[str]:
    """Stemmed content words of the policy's clauses and headings."""
    texts = [c.text for c in corpus.clauses] + [" ".join(s.path) for s in corpus.sections]
    return TermCounter().vocabulary(texts)


UNNAMED_POLICY = "the support policy"  # a policy whose documents carry no title
UNTITLED_POLICY = "Support policy"  # the same as a heading


def policy_title(corpus: Corpus) -> str:
    """The served policy as a heading: its documents' titles."""
    titles = dict.fromkeys(d.title.strip() for d in corpus.documents if d.title.strip())
    return " and ".join(titles) or UNTITLED_POLICY


def policy_name(corpus: Corpus) -> str:
    """What the fixed replies call the served policy: its documents' titles, after "the"."""
    name = policy_title(corpus)
    if name == UNTITLED_POLICY:
        return UNNAMED_POLICY
    return name if name.lower().startswith("the ") else f"the {name}"


class SmallTalk:
    """Spots small talk and off-topic messages and renders their fixed replies."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        suggestions: tuple[str, ...] = EXAMPLE_QUESTIONS,
        policy: str = UNNAMED_POLICY,
    ):
        self.vocabulary = frozenset(vocabulary)
        self.suggestions = suggestions
        self.policy = policy
        self._terms = TermCounter()
        self._env = Environment(
            loader=PackageLoader("assistant.dialogue", "templates"),
            autoescape=select_autoescape(default=False, default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @classmethod
    def for_corpus(cls, corpus: Corpus) -> SmallTalk:
        """Small talk about this policy: replies that name it, and the example questions as
        suggestions when the policy uses all but at most one word of each ("often"), else its
        starter questions."""
        vocabulary = policy_vocabulary(corpus)
        terms = TermCounter()
        fits = all(len(terms.terms(q) - vocabulary) <= 1 for q in EXAMPLE_QUESTIONS)
        suggestions = EXAMPLE_QUESTIONS if fits else starter_questions(corpus)
        return cls(vocabulary, suggestions, policy_name(corpus))

    def _paragraphs(self, template: str) -> list[str]:
        module = self._env.get_template(template).make_module({"policy": self.policy})
        return [str(p) for p in module.paragraphs]  # type: ignore[attr-defined]

    def fixed_phrases(self) -> list[str]:
        """Every paragraph any small-talk reply can say (for grounding checks)."""
        names = [n for n in self._env.list_templates() if not n.endswith("_base.j2")]
        return [p for name in names for p in self._paragraphs(name)]

    def is_off_topic(self, question: str) -> bool:
        """True when no word of the question (beyond very common ones) appears in the policy."""
        return not self._terms.terms(question) & self.vocabulary

    def reply(self, question: str, intent: str, kind: str = SMALLTALK) -> Answer:
        """The fixed reply for an intent ("greeting", "handoff", "out_of_domain", ...)."""
        paragraphs = self._paragraphs(f"{intent}.j2")
        base = self._env.get_template("_base.j2").make_module()
        return Answer(
            question=question,
            resolved_question=question,
            verdict=Verdict.UNKNOWN,
            confidence=0.0,
            answer=" ".join(str(base.text(paragraphs)).split()),  # type: ignore[attr-defined]
            answer_markdown=str(base.markdown(paragraphs)).strip(),  # type: ignore[attr-defined]
            answer_html=str(base.html(paragraphs, intent, kind)).strip(),  # type: ignore[attr-defined]
            citations=(),
            suggestions=self.suggestions[:3],
            kind=kind,
        )
