"""Follow-up questions: rewrite an elliptical message as a standalone question by explicit rules.

"Is Istio supported?" then "what about Kured?" becomes "Is Kured supported?": a follow-up either
brings a new subject for the previous question's predicate (subject swap) or a new predicate
for the previous question's subject (pronouns, bare "how often?"). No generative model: the
words of `followup_words` and the rules below are the whole of it, and `Resolution.rule` names
the rule that fired.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from assistant.answer.followup_words import (
    AFTERTHOUGHTS,
    AGENT,
    AGENT_VERBS,
    ALTERNATIVE_TEMPLATE,
    ALTERNATIVES,
    ANAPHORS,
    APPROVAL_ECHOES,
    APPROVAL_QUESTION,
    APPROVAL_WORDS,
    AUXILIARIES,
    BARE_NOUNS,
    CIRCUMSTANCE_SWAPS,
    CIRCUMSTANCE_VERBS,
    CIRCUMSTANCES,
    CLAUSE_WORDS,
    CONDITION_LEADS,
    CONDITION_PRONOUNS,
    CONDITIONS,
    COPULAS,
    CORRECTION_LEADS,
    CORRECTION_OPENERS,
    DEMONSTRATIVE_AFTER,
    DETERMINERS,
    DISCOURSE_MARKERS,
    DOUBT_TIMES,
    DOUBTS,
    EXPLETIVE_IT,
    FOCUS_WORDS,
    IRREGULAR_PARTICIPLES,
    KIND_NOUNS,
    MANNER_PREPOSITIONS,
    MANNERS,
    MAX_BARE_SUBJECT_WORDS,
    MAX_LED_SUBJECT_WORDS,
    MAX_PHRASE_WORDS,
    MAX_PLACE_WORDS,
    MAX_PROVIDER_WORDS,
    MAX_REPLACED_ANAPHORS,
    MAX_REWRITE_CHARS,
    MAX_SCENE_WORDS,
    MAX_SITUATION_WORDS,
    MAX_WHICH_WORDS,
    MIN_OWN_QUESTION_WORDS,
    MIN_PARTICIPLE_LETTERS,
    NOT_BEFORE_ONE,
    NOT_WHICH_NOUNS,
    PARTICLES,
    PARTIES,
    PERSONAL_ANAPHORS,
    PHRASE_ENDS,
    PLACES,
    PLURAL_VERBS,
    PREDICATE_WORDS,
    PRONOUN_AFTER,
    PRONOUNS,
    QUALIFICATION_TEMPLATE,
    QUALIFICATIONS,
    QUANTIFIERS,
    QUESTION_OPENERS,
    QUESTION_WORDS,
    RELATIVE_PRONOUNS,
    REPLY_WORDS,
    SAME_QUESTION_LEADS,
    SCENE_WORDS,
    SENTENCE_BREAK,
    SINGULAR_AUXILIARIES,
    SINGULAR_WORDS_IN_S,
    SITUATION_OPENERS,
    SUBJECT_ENDS,
    SUBJECT_FRAMES,
    SUBJECT_LEADS,
    SUBJECT_MARKERS,
    SUBJECT_PREPOSITIONS,
    SUBJECT_TAILS,
    SUBJECT_TEMPLATES,
    SUBSTITUTE_NOUNS,
    SWAP_PREPOSITIONS,
    TRAILING_REMARKS,
    WH_FALLBACK,
    WH_FRAGMENTS,
    WH_PREPOSITIONS,
    WHICH_TEMPLATE,
    WHICH_WORDS,
    WHO_TEMPLATE,
)
from assistant.answer.query import frame_question, singular_word
from assistant.models import Frame
from assistant.policy.patterns import alternation
from assistant.policy.provider import UNNAMED


@dataclass(frozen=True)
class Resolution:
    """The standalone question for a message, the rule that produced it and its subject."""

    question: str
    rule: str | None = None  # None: the message stands alone
    subject: str | None = None


# Patterns that run on user text start a whitespace run only where one begins (`(?<!\s)`) and
# take it whole (`\s++`): a long run of spaces is then read once, not once per position in it.
_MARKERS = re.compile(rf"^(?:(?:{alternation(DISCOURSE_MARKERS)})\b[\s,.!-]*)+", re.IGNORECASE)
_SUBJECT_LEAD = re.compile(
    rf"^(?P<lead>{alternation(SUBJECT_LEADS)})\s+(?P<subject>.+)$", re.IGNORECASE
)
_SUBJECT_TAIL = re.compile(
    rf"^(?:not\s++)?(?P<subject>.+?),?(?<!\s)\s++(?:{alternation(SUBJECT_TAILS)})$",
    re.IGNORECASE,
)
# "automatically?", "manually?": a manner added to the previous question, or swapped for its own.
_MANNER = re.compile(rf"^(?:and\s++)?(?:{alternation(MANNERS)})$", re.IGNORECASE)
_MANNER_WORD = re.compile(rf"\b(?:{alternation(MANNERS)})\b", re.IGNORECASE)
# "is it automatic?" after "who rotates the certificates?": how the action is done.
_DONE_HOW = re.compile(
    r"^(?:is|are|will)\s++(?:it|that|this|they)\s++(?:be\s++)?(?:done\s++)?"
    r"(?P<how>automatic|automatically|automated|manual|manually)$",
    re.IGNORECASE,
)
_FRONTED = re.compile(
    rf"^(?:(?:{alternation(SUBJECT_LEADS)})\s+)?(?P<subject>[^,]+),\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
# ("when" before an auxiliary asks a question: "on standard when does the replacement ship?";
# "after" of "look after" is the verb's)
_CIRCUMSTANCE = re.compile(
    r"(?<!\s)(?<!\blook)(?<!\blooks)(?<!\blooking)\s++"
    rf"(?P<circumstance>(?!when\s++(?:{alternation(AUXILIARIES)})\b)"
    rf"(?:{alternation(CIRCUMSTANCES)})\b.*)$",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    rf"^(?:(?:{alternation(CONDITION_LEADS)})\s+)?"
    rf"(?P<cond>(?P<word>{alternation(CONDITIONS)})\s+(?P<clause>.+))$",
    re.IGNORECASE,
)
# Where a condition's own question begins: "what if X, still covered?", "what if X - who ...".
_CONDITION_REPLY = re.compile(
    r",\s*+|(?<!\s)\s++[-\u2014]\s|(?<!\s)\s++(?=(?:who|what|how|when|where|why)\s)", re.IGNORECASE
)  # "what if it crashes who fixes it?" asks who fixes it
_QUESTION_START = re.compile(
    rf"^(?:{alternation((*AUXILIARIES, 'am', 'has', 'have', *QUESTION_WORDS))})\b", re.IGNORECASE
)
_ASKED_SENTENCE = re.compile(r"(?<=[?!.;])\s++")
# ("even before a firmware upgrade?", "just after kernel updates?": narrowed by a focus word)
_CIRCUMSTANCE_LEAD = re.compile(
    rf"^(?:(?:{alternation(FOCUS_WORDS)})\s++)?(?:right\s++)?"
    rf"(?:{alternation(CIRCUMSTANCE_SWAPS)})\s",
    re.IGNORECASE,
)
# "even after i bump to 1.30?": a circumstance of the asker's added to the question's own
_EVEN_WHEN = re.compile(
    rf"^even\s++(?:{alternation(CIRCUMSTANCE_SWAPS)})\s++(?:{alternation(PRONOUNS)}|we're|i'm)\s",
    re.IGNORECASE,
)
_TRAILING_REMARK = re.compile(rf",?(?<!\s)\s++(?:{alternation(TRAILING_REMARKS)})$", re.IGNORECASE)
_PLACE_LEAD = re.compile(rf"^(?:{alternation(PLACES)})\s", re.IGNORECASE)
_PLACE = re.compile(rf"(?<!\s)\s++(?:{alternation(PLACES)})\s", re.IGNORECASE)
_SWAP_LEAD = re.compile(
    rf"^(?P<focus>(?:{alternation(FOCUS_WORDS)})\s++)?"
    rf"(?P<prep>{alternation((*SWAP_PREPOSITIONS, *PLACES))})\s++(?P<phrase>\S.*)$",
    re.IGNORECASE,
)
_OPENERS = rf"(?:(?:{alternation(CORRECTION_OPENERS)})\s*+[,.!:;-]+\s*+)"
_SPACED_OPENERS = rf"(?:(?:{alternation(CORRECTION_OPENERS)})(?:\s*+[,.!:;-]+\s*+|\s++))"
_CORRECTION = (
    re.compile(
        rf"^{_SPACED_OPENERS}*(?:{alternation(CORRECTION_LEADS)})\s++(?P<subject>\S.*)$",
        re.IGNORECASE,
    ),
    re.compile(rf"^{_OPENERS}(?P<subject>[^\s,.!:;-].*)$", re.IGNORECASE),
    re.compile(r"^not\s++[^,]+,\s*+(?P<subject>[^\s,].*)$", re.IGNORECASE),
)
_DOUBT = re.compile(
    rf"^(?:{alternation(DOUBTS)})(?:\s++(?:{alternation(DOUBT_TIMES)}))?$", re.IGNORECASE
)
# "really? they're just vms", "are you sure? not even best effort?": a doubt with a remark
_DOUBT_LEAD = re.compile(rf"^(?:{alternation(DOUBTS)})\s*+[?!.]+\s*+(?P<rest>\S.*)$", re.IGNORECASE)
# "back to containerd - if it crashes who fixes it?": a message that returns to an earlier turn
_BACK_TO = re.compile(
    r"^(?:(?:going|coming|getting|go|come)\s++)?back\s++to\s++"
    r"(?P<topic>[^,:;?!\u2014-]{1,60}?)\s*+[-,:;?!\u2014]\s*+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_APPROVAL_ECHO = re.compile(
    r"^(?:(?:is|would|will) (?:that|it|this) (?:be )?)?(?:still |really |actually )?"
    rf"(?:{alternation(APPROVAL_ECHOES)})$",
    re.IGNORECASE,
)
_ALTERNATIVE = re.compile(rf"^(?:{alternation(ALTERNATIVES)})$", re.IGNORECASE)
_FOCUS_LEAD = re.compile(rf"^(?:{alternation(FOCUS_WORDS)})\s++(?=\S)", re.IGNORECASE)
_NOT_EVEN = re.compile(r"^not\s++even\s++(?=\S)", re.IGNORECASE)
# "on which subnets?", "for what versions?": a question word under a preposition
_PREPOSITION_WH = re.compile(
    rf"^(?P<wh>(?:{alternation((*SWAP_PREPOSITIONS, *PLACES, *WH_PREPOSITIONS))})\s++"
    r"(?:which|what)\s++(?P<noun>[a-z][\w-]*(?:\s[a-z][\w-]*)?))$",
    re.IGNORECASE,
)
# "can that be automated?", "is that on me?" after "who reboots nodes after OS patches?": the
# pronoun stands for doing the action asked about.
_ACTION_PRONOUN = re.compile(
    r"^(?P<aux>(?:how\s++(?:long|much\s++time)\s++)?(?:is|are|was|can|could|should|will|would|"
    r"must|does))\s++(?:it|that|this)\s++"
    rf"(?P<rest>(?:be\s++\w+ed|takes?|(?:on|up\s++to)\s++(?:{alternation(PARTIES)})|"
    r"(?:my|our|your|microsoft's|the customer's)\s++(?:job|responsibility|problem|task|duty)|"
    r"required|mandatory|optional|necessary|needed)\b.*)$",
    re.IGNORECASE,
)
# "and deleted?" after "what happens if my subscription is suspended?"
_PARTICIPLE = re.compile(r"^(?:if\s++)?(?P<word>[a-z]+ed)$", re.IGNORECASE)
# (a question puts its subject between: "is data deleted …?")
_PASSIVE = re.compile(
    r"\b(?:is|are|was|were|gets|get|got|getting|been|be)\s++(?:[\w'-]+\s++){0,3}?"
    r"(?P<word>[a-z]+ed)\b",
    re.IGNORECASE,
)
# The word just before a pronoun, when it is an auxiliary ("do they …")
_AUX_BEFORE = re.compile(r"\b(?P<aux>do|are|were|have)\s++$", re.IGNORECASE)
# "one" after a verb, ending the message or before a word that is no noun ("get one myself")
_ONE = re.compile(
    r"(?<!\S)one(?=\s*+(?:$|[?!.,]|(?:myself|ourselves|yourself|for|from|of|with|too|then|now|back|"
    r"please|again)\b))",
    re.IGNORECASE,
)
_AGENT_WORD = re.compile(rf"\b{AGENT}\b", re.IGNORECASE)
# "what's not covered?" is "what is not covered?"
_WHAT_IS = re.compile(r"^(?P<wh>what|which)(?:'s|s)(?=\s)", re.IGNORECASE)
# The auxiliaries of a yes/no question that asks about an action ("does microsoft back up etcd?")
_ACTING_AUX = re.compile(r"^(?:does|do|did|will|would|can|could|should|must)\s", re.IGNORECASE)
_POSSESSIVE = re.compile(
    r"^(?:(?:and|what about|how about)\s++)?(?:its|their)\s++"
    r"(?P<part>\w[\w-]*(?:\s\w[\w-]*){0,2})$",
    re.IGNORECASE,
)
_QUALIFICATION = re.compile(
    rf"^(?:are there |is there |there )?any (?P<noun>{alternation(QUALIFICATIONS)})$",
    re.IGNORECASE,
)
_WHICH = re.compile(
    rf"^(?:{alternation(WHICH_WORDS)})\s++(?P<noun>[^\s,].*?)(?:\s++(?:are|is))?$",
    re.IGNORECASE,
)
# "what exactly is covered?", "what isn't?", "which parts are included?": a question of what
# part of the previous subject takes a predicate, asked about that subject ("What isn't
# supported for BYOCNI?"); without a predicate it takes the previous question's.
_WHAT_PART = re.compile(
    r"^(?P<wh>what|which(?: parts?| bits?| pieces?)?)(?: exactly| else)? "
    r"(?P<copula>is|are|isn't|aren't|is not|are not)"
    rf"(?: (?P<predicate>{alternation(PREDICATE_WORDS)}))?$",
    re.IGNORECASE,
)
_WH_CIRCUMSTANCE = re.compile(
    rf"^(?P<wh>{alternation(WH_FRAGMENTS)})\s++"
    rf"(?P<rest>(?:{alternation((*CIRCUMSTANCES, *PLACES, *MANNER_PREPOSITIONS))})\s.+)$",
    re.IGNORECASE,
)
_PREPOSITIONS = {
    p: re.compile(rf"(?<!\S){p}\s++(?=\S)", re.IGNORECASE) for p in (*SWAP_PREPOSITIONS, *PLACES)
}
_SITUATION = re.compile(rf"^(?:{alternation(SITUATION_OPENERS)})\s", re.IGNORECASE)
_HOW_MANY_AUX = re.compile(
    rf"^how many\s++(?P<rest>(?:{alternation((*AUXILIARIES, 'am', 'has', 'have'))})\s.+)$",
    re.IGNORECASE,
)
_WH_FRAGMENT = re.compile(
    rf"^(?P<wh>{alternation(WH_FRAGMENTS)})"
    r"(?:\s+(?:exactly|then|though|tho|again|now|so|is\s+that|is\s+this|is\s+it))?$",
    re.IGNORECASE,
)
_WH_LEAD = re.compile(
    r"^(?P<wh>how often|how frequently|how long|how soon|how|when|why|where|what|which)\s+"
    rf"(?P<rest>(?:{alternation(AUXILIARIES)})\b.+)$",
    re.IGNORECASE,
)
_AUX_LEAD = re.compile(rf"^(?:{alternation((*AUXILIARIES, 'am'))})\b", re.IGNORECASE)
_WHO_VERB = re.compile(
    r"^who\s+(?!(?:is|has|does|was)\b)(?P<stem>[a-z]+?)(?P<suffix>es|s)\s+(?:(?P<particle>up|out|over|down|on)\s+)?"
    r"(?P<object>.+)$",
    re.IGNORECASE,
)
# "can microsoft do it for me" after "who reboots nodes after OS patches?": "do" with a
# pronoun stands for the action the previous question asked about.
_DO_IT = re.compile(r"\b(?<!\bwho )do(?:ing)?\s+(?:it|that|this)\b", re.IGNORECASE)
# "how often should that happen" after "who rotates the credentials?": the pronoun and
# "happen" stand for the action done to the previous question's object.
_IT_HAPPENS = re.compile(
    r"^(?P<lead>.*?)(?:\b(?:should|does|do|did|will|would|can|could|must)\s+)?"
    r"\b(?:it|that|this)\s+happen(?:s|ed)?\b(?P<rest>.*)$",
    re.IGNORECASE,
)
# How many of the latest questions are searched for one that asked about a duty or an action.
MAX_RECENT_TURNS = 3
# "do i have to reboot nodes after patches?": the action a question asks whether the asker must do.
_DUTY = re.compile(
    r"^(?:(?:do|does|did) (?:i|we) (?:have|need|got) to|(?:should|must) (?:i|we)|"
    r"(?:am i|are we) (?:supposed|expected|required) to|is it (?:my|our) (?:job|responsibility) to)"
    r"\s++(?!do\b)(?P<action>\w.*)$",
    re.IGNORECASE,
)
# "can i edit the node resource group?": the action a question asks whether the asker may do.
_PERMISSION = re.compile(
    r"^(?:(?:can|could|may) (?:i|we)|(?:am i|are we) (?:allowed|permitted) to|"
    r"is it (?:ok|okay|fine|alright|allowed|safe) (?:for (?:me|us) )?to)"
    r"\s++(?!do\b)(?P<action>\w.*)$",
    re.IGNORECASE,
)
# "can you restore our data from a backup?": the action a question asks whether the provider
# does (the provider's name reads as Microsoft's here).
_SERVICE = re.compile(
    rf"^(?:can|could|will|would|do|does|did)\s+(?:you|u|they|{AGENT}|ms|support|your team)"
    r"\s++(?!(?:have|need|want|know|think|mean|offer|provide|support|cover|include)\b)"
    r"(?P<action>[a-z]\w*\s.*)$",
    re.IGNORECASE,
)
# "should i apply the node images myself?": the doer, not part of the action.
_REFLEXIVE = re.compile(r"(?<!\s)\s++(?:(?:by )?(?:myself|ourselves)|on (?:my|our) own)\b")
# "what happens if i don't?", "and if we never do it?": the duty or action left undone.
_OMISSION = re.compile(
    r"^(?:what (?:happens )?)?if (?P<who>i|we) (?:don't|dont|do not|didn't|won't|never|"
    r"forget(?: to)?)(?: do (?:it|that))?$",
    re.IGNORECASE,
)
# "should i?" after "can i ssh to nodes?": the same question under another modal verb.
_MODALS = r"can|could|should|must|may|might|will|would|shall"
_MODAL_ONLY = re.compile(
    rf"^(?P<modal>{_MODALS})\s+(?P<who>i|we)(?:\s+(?:tho|though|then|really|even))?$",
    re.IGNORECASE,
)
_MODAL_LEAD = re.compile(rf"^(?:{_MODALS})\s+(?P<who>i|we)\s+(?P<rest>\w.*)$", re.IGNORECASE)
# "what happens if i do?", "and if we do it anyway?": the action asked about, done.
_COMMISSION = re.compile(
    r"^(?:what (?:happens )?)?if (?P<who>i|we) (?:do|did)(?: (?:it|that|this|so))?(?: anyway)?$",
    re.IGNORECASE,
)
# "who sets that up?", "who fixes this then?": a question of who does something to a pronoun.
_WHO_DOES_THAT = re.compile(
    rf"^who\s+[a-z]+\s+(?:that|this)(?:\s+(?:{alternation(PARTICLES)}))?"
    rf"(?:\s+(?:{alternation(AFTERTHOUGHTS)}))?[\s?!.]*$",
    re.IGNORECASE,
)
# "is phone support included on the business plan?": what a plan offers, asked about by place.
_OFFERED = re.compile(
    r"\b(?:included|available|offered|get|gets|receive|receives|(?:is|are) there)\b",
    re.IGNORECASE,
)
# words of a subject that say how much of it, left out of "how many …?" ("any free hours")
_AMOUNT_WORDS = {*DETERMINERS, "any", "some", "free"}
# "for free?", "even at no extra cost?": the previous question asked at no charge
_COST = re.compile(
    r"^(?:(?:and|but|even|only|just)\s++)?(?P<cost>for free|free of charge|"
    r"at no (?:extra |additional )?(?:cost|charge)|without paying(?: extra| more)?)$",
    re.IGNORECASE,
)
# "on the gold plan", "for business customers": the words around a plan's name
_PLAN_WRAPPING = re.compile(
    r"^(?:(?:on|for|in|with|under|at)\s++)?(?:the\s++)?|"
    r"\s++(?:plan|plans|tier|tiers|level|edition|package|customers|clients|subscribers)$",
    re.IGNORECASE,
)
# words of "back to the alpha thing" that name no earlier turn
_VAGUE_TOPIC_WORDS = {*DETERMINERS, "thing", "things", "stuff", "question", "one", "bit", "part"}
_OBJECT_TAIL = re.compile(r"(?<!\s)\s++(?P<tail>(?:after|before|during|when|if|once|for)\b.+)$")
_SUBJECT_FRAMES = tuple(re.compile(rf"^{p}$", re.IGNORECASE) for p in SUBJECT_FRAMES)
_SUBJECT_END = re.compile("|".join(SUBJECT_ENDS), re.IGNORECASE)
_SUBJECT_PREPOSITION = re.compile(
    rf"^(?:{alternation(SUBJECT_PREPOSITIONS)})\s++(?=\S)", re.IGNORECASE
)
_SENTENCE_BREAK = re.compile(SENTENCE_BREAK)
_TOPIC = re.compile(
    r"^(?P<subject>[^,:?!.\u2014]+?)(?<!\s)(?:\s*+(?:\u2014|:)|\s++-\s)\s*+(?P<rest>.+)$"
)
_EXPLETIVE = re.compile(EXPLETIVE_IT, re.IGNORECASE)
_ANAPHOR = re.compile(
    rf"\b(?P<pronoun>{alternation(ANAPHORS)})\b(?:\s+(?P<next>[a-z][\w/-]*))?", re.IGNORECASE
)
_WORDS = re.compile(r"[\w'/-]+(?:\.\w+)*")  # "1.26" and "node.js" are one word
_PHRASE_ENDS = {*PHRASE_ENDS, *CLAUSE_WORDS, *DETERMINERS, *PRONOUNS}
_NOUN_ENDS = {*PHRASE_ENDS, *CLAUSE_WORDS}
# A version or model number: "6", "v1", "3.13", "eg-200", "2019", a dated API version
# "2024-09-15".
_VERSION = re.compile(r"[a-z]{0,3}-?\d+(?:\.\d+)*[a-z]?|\d{4}-\d{2}-\d{2}", re.IGNORECASE)
# What may follow a version as its edition: "2012 r2", "10 sp1", "22.04 lts".
_EDITION = re.compile(r"r\d|sp\d|lts|ltsc|esr", re.IGNORECASE)
# "sev 1", "severity 2", "tier-3", "p1": a word and its number
_NUMBERED = re.compile(
    r"\b(?P<word>[a-z]{1,12})(?:\s|-)?(?P<number>\d{1,3})(?:s\b|\b)", re.IGNORECASE
)  # "P2s" is P2 incidents
# A level named by a letter ("sev a", "priority b"): a word, then one letter.
_LETTERED = re.compile(r"\b(?P<word>[a-z]{1,12})(?:\s|-)(?P<number>[a-e])\b", re.IGNORECASE)
# Words before a numbered thing that name no part of it ("and for p2?", "and a P3?").
_NUMBERED_LEAD = re.compile(r"^(?:(?:for|on|at|in|with|a|an|the)\s++)+", re.IGNORECASE)
# "can I get help if ..." asks about help in general: what follows says what it is about.
_NOT_A_SUBJECT = {a.lower() for a in ANAPHORS} | {
    "i", "we", "you", "me", "us", "microsoft", "help", "support", "some help", "any help",
}  # fmt: skip


def strip_markers(message: str) -> str:
    """The message without leading discourse markers, trailing punctuation or extra spaces."""
    text = " ".join(message.split()).rstrip(" ?!.")
    return _MARKERS.sub("", text).strip() or text


def _replacing(question: str, named: re.Match[str], new: str, group: str | int = 0) -> str:
    """The question with what `named` matched of it (its `group`) replaced by `new`."""
    return _sentence(question[: named.start(group)] + new + question[named.end(group) :])


def _sentence(text: str) -> str:
    text = text.strip().rstrip(" ?!.").strip()
    return text[:1].upper() + text[1:] + "?" if text else text


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(text)]


def _is_bare_subject(
    text: str, max_words: int = MAX_BARE_SUBJECT_WORDS, relatives: bool = False
) -> bool:
    """True when the text is a noun phrase (no word of a clause of its own); with `relatives`,
    a relative clause after its noun ("charts we pull from the hub") is allowed."""
    words = _words(text)
    if not 0 < len(words) <= max_words:
        return False
    if relatives:
        words = _without_relative_clauses(words)
    return not set(words) & set(CLAUSE_WORDS)


def _without_relative_clauses(words: list[str]) -> list[str]:
    """The words without each pronoun that follows a noun and the verb after it."""
    kept: list[str] = []
    n = 0
    while n < len(words):
        word = words[n]
        after_noun = bool(kept) and kept[-1] not in CLAUSE_WORDS
        if word in RELATIVE_PRONOUNS and after_noun and n + 1 < len(words):
            n += 2
            continue
        kept.append(word)
        n += 1
    return kept


def clean_subject(text: str) -> str | None:
    """The subject phrase cut before any condition, place or trailing remark, without the
    preposition of its verb ("can I get at etcd backups" is about "etcd backups")."""
    end = _SUBJECT_END.search(text)
    subject = _SUBJECT_PREPOSITION.sub("", (text[: end.start()] if end else text).strip(" ,?!."))
    if not subject or subject.lower() in _NOT_A_SUBJECT:
        return None
    return subject


def extract_subject(question: str) -> str | None:
    """What a standalone question asks about, by the first subject frame that matches."""
    topic = _TOPIC.match(question.strip())
    if topic and _is_bare_subject(topic.group("subject")):
        return clean_subject(topic.group("subject"))
    for sentence in _SENTENCE_BREAK.split(question):
        text = strip_markers(sentence)
        end = _SUBJECT_END.search(text)
        text = text[: end.start()] if end else text
        for start in _scene_starts(text):
            for frame in _SUBJECT_FRAMES:
                match = frame.match(text[start:])
                if match:
                    subject = clean_subject(match.group("subject"))
                    if subject:
                        return subject
    return None


def phrase_subject(question: str) -> str | None:
    """The noun phrase an earlier question is about when no subject frame fits it (see
    `COPULAS`), or None."""
    words = [(m.group(), m.group().lower()) for m in _WORDS.finditer(_asked_sentence(question))]
    lower = [w for _, w in words]
    starts = []
    if lower[:1] and lower[0] in COPULAS:
        starts.append(1)
    starts += [n for n, w in enumerate(lower) if w in DETERMINERS][:1]
    if lower[:1] and lower[0] in AUXILIARIES and lower[1:2] and lower[1] in PRONOUNS:
        starts.append(3)
    if lower[:2] in (["what", "is"], ["what", "are"]) or lower[:1] in (["what's"], ["whats"]):
        starts.append(2 if lower[0] == "what" else 1)  # "what is kured?", "what's kured?"
    for start in starts:
        phrase = _phrase_from(words, start)
        if phrase and _has_letters(phrase) and phrase.lower() not in _NOT_A_SUBJECT:
            return phrase
    return None


def _phrase_from(words: Sequence[tuple[str, str]], start: int) -> str:
    """The words from `start` up to the first that ends a noun phrase."""
    kept: list[str] = []
    for n, (word, lower) in enumerate(words[start : start + MAX_PHRASE_WORDS]):
        opener = n == 0 and lower in DETERMINERS
        participle = len(lower) > 4 and lower.endswith(("ed", "ing", "ly"))
        # "the known issue Microsoft files": the support organisation starts a relative clause
        agent = n >= 2 and lower == AGENT.lower()
        # "the field engineer swaps the unit": a word before a definite determiner is a verb
        # (not before "a": "the connector a lot")
        after = words[start + n + 1][1] if start + n + 1 < len(words) else ""
        verb = n >= 2 and after in DETERMINERS and after not in ("a", "an")
        if not opener and (participle or agent or verb or lower in _PHRASE_ENDS):
            break
        kept.append(word)
    return "" if kept[-1:] and kept[-1].lower() in DETERMINERS else " ".join(kept)


def _scene_starts(text: str) -> list[int]:
    """Where a question's frame may begin: at its start and, when it opens with a scene-setting
    word, after each of its next few words ("with byo cni | can support look at ...")."""
    words = list(_WORDS.finditer(text[:200]))
    if not words or words[0].group().lower() not in SCENE_WORDS:
        return [0]
    return [0] + [w.start() for w in words[2 : MAX_SCENE_WORDS + 2]]


def _base_verb(stem: str, suffix: str) -> str:
    """The verb's base form from the stem and suffix `_WHO_VERB` reads ("manages" ->
    "manage", "patches" -> "patch", "applies" -> "apply", "reboots" -> "reboot")."""
    if suffix == "es" and stem.endswith("i"):
        return stem[:-1] + "y"
    if suffix == "es" and not re.search(r"(?:sh|ch|x|s|z|o)$", stem):
        return stem + "e"
    return stem


def _ask_happening(core: str, context: _Context) -> str | None:
    """The message with "it happens" replaced by the previous "who …" question's object and
    action in the passive ("does it happen automatically" -> "are nodes rebooted after OS
    patches automatically"), or a question word's "does it happen" by a yes/no question about
    an action ("how often does that happen" -> "how often does microsoft back up etcd"); None
    when it says no "it happens" or that asked no action."""
    happens = _IT_HAPPENS.match(core)
    if happens is None:
        return None
    lead = happens.group("lead").strip()
    if context.action is None:
        # "how often does that happen?" after "does microsoft back up etcd?"
        asked = context.asked.rstrip(" ?!.")
        if _words(lead)[:1] and _words(lead)[0] in QUESTION_WORDS and _ACTING_AUX.match(asked):
            return _sentence(f"{lead} {asked[:1].lower()}{asked[1:]}{happens.group('rest')}")
        return None
    subject, rest = _in_the_passive(context.action)
    return _sentence(" ".join(w for w in (lead, subject, rest) if w) + happens.group("rest"))


def _in_the_passive(who: re.Match[str]) -> tuple[str, str]:
    """A "who VERBs OBJECT …" question in the passive, as its verb and object ("are nodes")
    and the rest ("rebooted after OS patches")."""
    obj, tail = who.group("object"), ""
    cut = _OBJECT_TAIL.search(obj)
    if cut:
        obj, tail = obj[: cut.start()], " " + cut.group("tail")
    participle = _participle(who.group("stem").lower(), who.group("suffix").lower())
    return f"{'are' if _plural(obj) else 'is'} {obj}", f"{participle}{_particle(who)}{tail}"


def _particle(who: re.Match[str]) -> str:
    """The particle after a "who VERBs" question's verb, with its space ("" when none)."""
    return f" {who.group('particle')}" if who.group("particle") else ""


def _ask_action(core: str, context: _Context) -> str | None:
    """The message with "do it" replaced by the action the previous "who …" question asked
    about ("can microsoft do it for me" -> "can microsoft reboot nodes after OS patches for
    me"), or the one a question asked whether the asker must or may do ("how do i do that?"
    after "can i edit the node resource group?"); None when the message says no "do it" or
    the previous question asked no action."""
    done = _DO_IT.search(core)
    action = _who_action(context) or context.duty or context.attempt
    if done is None or action is None:
        return None
    return _sentence(core[: done.start()] + action + core[done.end() :])


def _ask_manner(manner: str, context: _Context) -> str:
    """The previous question with its manner replaced ("... applied automatically?" ->
    "... applied manually?"), or added when it named none."""
    named = _MANNER_WORD.search(context.asked)
    if named is None:
        return _add_phrase(manner, context)
    return _replacing(context.asked, named, manner)


def _ask_done_how(core: str, context: _Context) -> str | None:
    """Whether the previous "who …" question's action is done automatically or by hand ("is it
    automatic?" -> "are the certificates rotated automatically?"); None when the message asks
    no such thing or that question asked no action."""
    done = _DONE_HOW.match(core)
    if done is None or context.action is None:
        return None
    subject, rest = _in_the_passive(context.action)
    how = "manually" if done.group("how").lower().startswith("manual") else "automatically"
    return _sentence(f"{subject} {rest} {how}")


def _ask_action_pronoun(core: str, context: _Context) -> str | None:
    """A predicate of doing the previous "who …" question's action ("can that be automated?"
    -> "can rebooting nodes after OS patches be automated?", "is that on me?", "how long does
    it take?"); None when the message says no such thing or that question asked no action."""
    said = _ACTION_PRONOUN.match(core)
    who = context.action or context.recent_action
    if said is None or who is None:
        return None
    base = _base_verb(who.group("stem").lower(), who.group("suffix").lower())
    doing = f"{_gerund(base)}{_particle(who)} {who.group('object')}"
    return _sentence(f"{said.group('aux')} {doing} {said.group('rest')}")


def _gerund(base: str) -> str:
    """A verb's -ing form ("reboot" -> "rebooting", "manage" -> "managing", "run" ->
    "running")."""
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith("e") and not base.endswith(("ee", "ye", "oe")):
        return base[:-1] + "ing"
    if re.fullmatch(r"[^aeiou]{0,2}[aeiou][^aeiouwxy]", base):  # one short syllable
        return base + base[-1] + "ing"
    return base + "ing"


def _participle_swap(core: str, asked: str) -> str | None:
    """The previous question with its last passive participle replaced by the message's one
    ("and deleted?" after "what happens if my subscription is suspended?"); None unless the
    message is one such word and the question has one that is no predicate ("supported")."""
    new = _PARTICIPLE.match(core.rstrip(" ?!."))
    if new is None or len(new.group("word")) < MIN_PARTICIPLE_LETTERS:
        return None
    named = list(_PASSIVE.finditer(asked))
    if not named or named[-1].group("word").lower() in PREDICATE_WORDS:
        return None
    old = named[-1]
    return _replacing(asked, old, new.group("word"), "word")


def _ask_omission(core: str, context: _Context) -> str | None:
    """What happens if the asker leaves undone ("if i don't", "if we never do it", "what if i
    forget?") the action the previous question asked whether they must do ("do i have to
    reboot nodes after patches?") or who does ("who upgrades the kubernetes version?"), or does
    the action it asked whether they must or may do ("what happens if i do?" after "can i edit
    the node resource group?"); None when the message asks no such thing or the previous
    question named no such action."""
    omitted = _OMISSION.match(core)
    undone = context.duty or _who_action(context)
    if omitted is not None and undone is not None:
        return _sentence(f"What happens if {omitted.group('who')} don't {undone}")
    done = _COMMISSION.match(core)
    action = context.duty or context.attempt
    if done is not None and action is not None:
        return _sentence(f"What happens if {done.group('who')} {action}")
    return None


def _who_action(context: _Context) -> str | None:
    """The action the previous "who VERBs X" question asked about, in its base form
    ("upgrade the kubernetes version" of "who upgrades the kubernetes version?")."""
    who = context.action
    if who is None:
        return None
    base = _base_verb(who.group("stem").lower(), who.group("suffix").lower())
    return f"{base}{_particle(who)} {who.group('object')}"


def _ask_doer(context: _Context) -> str | None:
    """Who does the action the previous question asked whether the provider does ("can you
    restore our data from a backup?") or the asker must or may do ("do i have to update the
    node images myself?"): "Who restores our data from a backup?"; None when it asked none."""
    action = _service_action(context) or context.duty or context.attempt
    if action is None:
        return None
    verb, _, rest = action.partition(" ")
    return _sentence(f"Who {_third_person(verb.lower())} {rest}")


def _service_doing(context: _Context) -> str | None:
    """Doing the action the previous question asked whether the provider does, for a pronoun
    that points at it ("is that included on bronze?" after "do you come on site for P1
    incidents?": "coming on site for P1 incidents"); None when it asked none."""
    action = _service_action(context)
    if action is None:
        return None
    verb, _, rest = action.partition(" ")
    return f"{_gerund(verb.lower())} {rest}"


def _service_action(context: _Context) -> str | None:
    """The action the previous question asked whether the provider does, without a doer
    ("restore our data from a backup" of "can you restore our data from a backup?")."""
    service = _SERVICE.match(context.asked.rstrip(" ?!."))
    return _REFLEXIVE.sub("", service.group("action")) if service else None


def _third_person(base: str) -> str:
    """A verb's third person singular ("restore" -> "restores", "patch" -> "patches", "apply"
    -> "applies")."""
    if re.search(r"[^aeiou]y$", base):
        return base[:-1] + "ies"
    if re.search(r"(?:sh|ch|x|s|z|o)$", base):
        return base + "es"
    return base + "s"


def _ask_modal(core: str, context: _Context) -> str | None:
    """The previous "can i …?" question asked again under the message's modal verb ("should
    i?" -> "should i ssh to nodes?"); None for any other message or previous question."""
    modal = _MODAL_ONLY.match(core)
    asked = _MODAL_LEAD.match(context.asked.rstrip(" ?!."))
    if modal is None or asked is None:
        return None
    return _sentence(f"{modal.group('modal')} {modal.group('who')} {asked.group('rest')}")


def _participle(stem: str, suffix: str) -> str:
    base = stem + ("e" if suffix == "s" and stem.endswith("e") else "")
    if suffix == "es" and not re.search(r"(?:sh|ch|x|s|z|o)$", stem):
        base = stem + "e"  # "manages" -> "manage"
    if base in IRREGULAR_PARTICIPLES:
        return IRREGULAR_PARTICIPLES[base]
    if stem in IRREGULAR_PARTICIPLES:
        return IRREGULAR_PARTICIPLES[stem]
    if base.endswith("e"):
        return base + "d"
    if base.endswith("i"):  # "applies" -> "applied"
        return base + "ed"
    return base + "ed"


def _plural(noun_phrase: str) -> bool:
    last = _words(noun_phrase)[-1] if _words(noun_phrase) else ""
    return last.endswith("s") and not last.endswith("ss")


def _agreeing(question: str, subject: str) -> str:
    """A template's "Is {subject} …" with "Are" for a subject that reads as a plural ("node
    pools"; not "kubernetes", "AKS", "status" or "adding labels")."""
    words = _WORDS.findall(subject)
    last = _head_word(words, participles=True)
    gerund = bool(words) and words[0].lower().endswith("ing")  # "adding labels" is one thing
    plural = (
        not gerund
        and _plural(last)
        and len(last) > 3
        and not last.isupper()
        and not last.lower().endswith(("us", "is", "os"))
        and last.lower() not in SINGULAR_WORDS_IN_S
    )
    return f"Are {question[3:]}" if plural and question.startswith("Is ") else question


def _singular(noun_phrase: str) -> str:
    """The noun phrase with its last word singular when it reads as a plural."""
    if not _plural(noun_phrase):
        return noun_phrase
    head, _, last = noun_phrase.rpartition(" ")
    return f"{head} {singular_word(last)}".lstrip()


class _Context:
    """What the earlier turns offer a follow-up: the latest question that names a subject
    (else the latest question), its frame and its subject (`phrase`: read as a noun phrase,
    not by a frame, so never swapped in place)."""

    def __init__(self, previous: Sequence[str], frames: Sequence[Frame | None]) -> None:
        at, self.subject, self.phrase = len(previous) - 1, None, False
        for n in reversed(range(len(previous))):
            subject = extract_subject(previous[n])
            phrase = None if subject else phrase_subject(previous[n])
            if subject or phrase:
                at, self.subject, self.phrase = n, subject or phrase, phrase is not None
                break
        anchor = previous[at]
        self.question = strip_markers(anchor)
        # the frame it was answered in, else the cue words'
        answered = frames[at] if len(frames) == len(previous) else None
        self.frame = answered or frame_question(anchor)
        self.asked = _asked_sentence(anchor)
        # the action it asked about, when it asked "who VERBs X …?"
        self.action = _WHO_VERB.match(self.asked.rstrip(" ?!."))
        # the action a recent question asked whether the asker must do ("reboot nodes after
        # patches" of "do i have to reboot nodes after patches?", still after "what happens if
        # i don't …?"), without the doer ("myself")
        duty = _latest_match(previous, _DUTY)
        self.duty = _REFLEXIVE.sub("", duty.group("action")) if duty else None
        # and the action a recent question asked whether the asker may do ("edit the node
        # resource group" of "can i edit the node resource group?")
        attempt = _latest_match(previous, _PERMISSION)
        self.attempt = _REFLEXIVE.sub("", attempt.group("action")) if attempt else None
        # and the latest "who VERBs X …?" (a pronoun for doing it still points there after
        # "how often?")
        self.recent_action = _latest_match(previous, _WHO_VERB)


def _latest_match(previous: Sequence[str], pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The pattern matched on the latest of the last few questions it matches."""
    for question in previous[-MAX_RECENT_TURNS:][::-1]:
        found = pattern.match(_asked_sentence(question).rstrip(" ?!."))
        if found:
            return found
    return None


def _asked_sentence(question: str) -> str:
    """The sentence of a message that asks (the last one ending in "?"), without markers: "Our
    NSG isn't updating. Will MS help?" asks "Will MS help"."""
    sentences = [s.strip() for s in _ASKED_SENTENCE.split(question.strip()) if s.strip()]
    asked = [s for s in sentences if s.endswith("?")]
    return strip_markers(asked[-1] if asked else question)


def _swap_subject(new_subject: str, context: _Context, same_question: bool = False) -> str:
    """The previous question about a new subject: FACT questions (and any question after "and
    for X?") keep their wording with the subject swapped in place; others take a template."""
    in_place = same_question or context.frame is Frame.FACT
    named = _PLACE.search(new_subject)  # "and a TAM on enterprise?" names its own place
    if in_place and context.subject and not context.phrase:
        question = context.asked if same_question else context.question
        at = question.lower().find(context.subject.lower())
        if at >= 0:
            rest = question[at + len(context.subject) :]
            if named and _PLACE.match(f"{rest} "):
                rest = ""
            if question[:at].strip().lower() in COPULAS[:2]:  # "is X …" -> "Are Ys …"
                return _agreeing(_sentence(f"Is {new_subject}{rest}"), new_subject)
            return _sentence(question[:at] + new_subject + rest)
    asked = _agreeing(SUBJECT_TEMPLATES[context.frame].format(subject=new_subject), new_subject)
    offered = _OFFERED.search(context.asked)
    place = _place_of(context) if context.frame is Frame.SCOPE and offered and not named else None
    return f"{asked[:-1]} {place}?" if place else asked


def _place_of(context: _Context) -> str | None:
    """The place the previous question named after its subject, last ("on the business plan"
    of "is phone support included on the business plan?"), kept when a template asks about a
    new subject; None when it named none, or a long one."""
    if context.subject is None or context.phrase:
        return None
    main, _ = _split_circumstance(context.asked.rstrip(" ?!."))
    after = main.lower().find(context.subject.lower())
    places = [m for m in _PLACE.finditer(main) if after >= 0 and m.start() >= after]
    if not places:
        return None
    place = main[places[-1].start() :].strip()
    return place if len(_words(place)) <= MAX_PLACE_WORDS else None


def _swapped_modifier(word: str, previous: str | None) -> str | None:
    """The previous subject with its one modifier replaced by `word` ("beta features" after
    "alpha features", "the premium plan" after "the consumption plan"); None unless that
    subject is a modifier and a kind noun, and `word` one other word."""
    if previous is None or not re.fullmatch(r"[a-z][\w.-]*", word, re.IGNORECASE):
        return None
    words = previous.split()
    if words[:1] and words[0].lower() in DETERMINERS:
        words = words[1:]
    if len(words) != 2 or words[1].lower() not in KIND_NOUNS or word.lower() in KIND_NOUNS:
        return None
    if word.lower() == words[0].lower():
        return None
    return previous[: previous.lower().rindex(words[0].lower())] + f"{word} {words[1]}"


def _substitute_noun(subject: str, previous: str | None) -> str:
    """A subject ending in "one(s)" with the previous subject's noun in its place: "the
    microsoft managed one" after "kong ingress" is "the microsoft managed ingress"."""
    words = subject.split()
    if previous is None or len(words) < 2:
        return subject
    # "the microsoft managed one", or "ones we built" (the noun before a relative clause)
    at = len(words) - 1 if words[-1].lower() in SUBSTITUTE_NOUNS else 0
    if words[at].lower() not in SUBSTITUTE_NOUNS:
        return subject
    noun = _head_noun(previous)
    if words[at].lower() == "ones" and not _plural(noun):
        noun += "s"
    elif words[at].lower() == "one" and _plural(noun):
        noun = noun[:-1]
    return " ".join([*words[:at], noun, *words[at + 1 :]])


def _head_noun(noun_phrase: str) -> str:
    """The noun a phrase is about: its last word before a preposition or clause ("sfps" in
    "sfps from your compatibility matrix")."""
    return _head_word(noun_phrase.split())


def _head_word(words: Sequence[str], participles: bool = False) -> str:
    """The last of the words before the first (after the first word) that is a preposition or
    a clause word, or with `participles` a participle too ("advice" in "advice on retries",
    "filter" in "spam filter eating emails")."""
    for n, word in enumerate(words[1:], start=1):
        lower = word.lower()
        if lower in _NOUN_ENDS or (participles and len(word) > 4 and lower.endswith("ing")):
            return words[n - 1]
    return words[-1] if words else ""


def _ask_wh(wh: str, context: _Context) -> str | None:
    wh_lower = " ".join(wh.lower().split())
    if wh_lower == "why not":
        return _negated(_ask_wh("why", context), context.subject)
    if wh_lower in ("who", "by whom", "whose job", "who does that", "who does", "who does it"):
        doer = _ask_doer(context)
        if doer is not None:
            return doer
        return WHO_TEMPLATE.format(subject=context.subject) if context.subject else None
    lead = _WH_LEAD.match(context.question)
    if lead:
        return _sentence(f"{wh} {lead.group('rest')}")
    if _AUX_LEAD.match(context.question):
        return _sentence(f"{wh} {context.question[:1].lower()}{context.question[1:]}")
    who = _WHO_VERB.match(context.question)
    if who:
        subject, rest = _in_the_passive(who)
        return _sentence(f"{wh} {subject} {rest}")
    if context.subject:
        return _sentence(WH_FALLBACK.format(wh=wh, subject=context.subject))
    return None


def _ask_which(core: str, context: _Context) -> str | None:
    """The previous yes/no question asked of some of its subject, for a message such as
    "which versions?" ("Which versions of Istio are supported?", "Which version of Calico can I
    use?"; "which ones?" asks which of the subject); None for any other message."""
    which = _WHICH.match(core)
    if which is None or context.subject is None or context.phrase:
        return None
    noun = which.group("noun")
    words = _words(noun)
    if (
        len(words) > MAX_WHICH_WORDS
        or not _has_letters(noun)
        or set(words) & {*CLAUSE_WORDS, *NOT_WHICH_NOUNS, *DETERMINERS, *PRONOUNS}
    ):
        return None
    subject = context.subject
    asked = context.asked.rstrip(" ?!.")
    at = asked.lower().find(subject.lower())
    aux = _AUX_LEAD.match(asked)
    if aux is None or at <= aux.end():
        return None
    if words[-1] in SUBSTITUTE_NOUNS and not _plural(subject):
        return None  # "which one?" of one thing
    named = set(_words(subject))
    if any(w in named for w in words) and not all(w in named for w in words):
        # "which windows versions?" of windows nodes: "Which versions of windows nodes …"
        noun = " ".join(w for w in noun.split() if w.lower() not in named)
    some = (
        subject
        if words[-1] in SUBSTITUTE_NOUNS
        else WHICH_TEMPLATE.format(noun=noun, subject=subject)
    )
    rest = asked[at + len(subject) :]
    if aux.group().lower() in COPULAS:
        plural = _plural(noun) or (some == subject and _plural(subject))
        return _sentence(f"Which {some} {'are' if plural else 'is'}{rest}")
    between = asked[aux.end() : at].strip()
    return _sentence(f"Which {some} {aux.group().lower()} {between}{rest}")


def _ask_what_part(core: str, context: _Context) -> str | None:
    """A message such as "what exactly is covered?" asked of the previous question's subject,
    with that question's predicate when it names none ("What isn't supported for BYOCNI?")."""
    part = _WHAT_PART.match(_WHAT_IS.sub(r"\g<wh> is", core))
    if part is None or context.subject is None:
        return None
    predicate = part.group("predicate") or next(
        (w for w in _words(context.asked) if w in PREDICATE_WORDS), None
    )
    if predicate is None:
        return None
    wh, copula = part.group("wh"), part.group("copula")
    return _sentence(f"{wh} {copula} {predicate} for {context.subject}")


def _negated(question: str | None, subject: str | None) -> str | None:
    """A "why ..." question asked in the negative: "not" before its predicate ("why is X
    supported" -> "why is X not supported") or after its auxiliary's subject ("why does
    microsoft patch X" -> "why does microsoft not patch X")."""
    if question is None:
        return None
    words = question.rstrip("?").split(" ")
    at = (
        len(subject.split()) + 2
        if subject and question.lower().startswith(f"why {words[1].lower()} {subject.lower()} ")
        else 3
    )
    if len(words) <= at:
        return None
    return _sentence(" ".join([*words[:at], "not", *words[at:]]))


def _replace_anaphors(text: str, antecedent: str | None) -> tuple[str, bool]:
    """The text with pronouns that point back replaced by `antecedent` (or by the support
    organisation, for "they" that tell, patch or fix); whether any was replaced. A personal
    pronoun after the antecedent is named points back at it and stays ("will the known issue
    say when it gets fixed")."""
    expletives = [m.span() for m in _EXPLETIVE.finditer(text)]
    # "who sets that up?", "who fixes that then?": the pronoun is the previous subject
    who_does = _WHO_DOES_THAT.match(text) is not None
    pieces: list[str] = []
    pos, replaced, named = 0, False, False
    for match in _ANAPHOR.finditer(text):
        if len(pieces) >= 2 * MAX_REPLACED_ANAPHORS:  # each replacement added two pieces
            break
        pronoun, following = match.group("pronoun").lower(), (match.group("next") or "").lower()
        start, end = match.start("pronoun"), match.end("pronoun")
        before = _words(text[:start])
        if any(a <= start < b for a, b in expletives):
            continue
        if pronoun in ("that one", "this one") and following and following not in _PHRASE_ENDS:
            continue  # "just that one record" names its own noun
        if (
            pronoun in ("that", "this")
            and before
            and before[-1] not in DEMONSTRATIVE_AFTER
            and not who_does
        ):
            continue
        if pronoun == "they" and set(_words(text[end:])[:3]) & set(AGENT_VERBS):
            # "they handle backups too?" asks whether the provider does
            replacement = AGENT if before else f"Does {AGENT}"
            aux = _AUX_BEFORE.search(text, pos, start)
            if aux and aux.group("aux").lower() in SINGULAR_AUXILIARIES:
                agreeing = SINGULAR_AUXILIARIES[aux.group("aux").lower()]
                if aux.group("aux")[0].isupper():
                    agreeing = agreeing.capitalize()
                pieces += [text[pos : aux.start("aux")], agreeing]
                pos = aux.end("aux")
        elif antecedent is None or (named and pronoun in PERSONAL_ANAPHORS):
            continue
        else:
            after = before[-1] if before else ""
            phrase = (
                (antecedent, end)
                if who_does
                else _antecedent_phrase(pronoun, following, antecedent, match, after)
            )
            if phrase is None:
                continue
            replacement, end = phrase
            if pronoun == "it" and text[end : end + 2].lower() == "'s":  # "it's" -> "X is"
                verb = "are" if _plural(replacement) else "is"
                replacement, end = f"{replacement} {verb}", end + 2
            named = True
        pieces += [text[pos:start], replacement]
        pos, replaced = end, True
    pieces.append(text[pos:])
    return "".join(pieces), replaced


def _replace_one(text: str, antecedent: str | None) -> tuple[str, bool]:
    """The text with "one" that stands for one of the previous subject ("how do i get one?"
    after "who is responsible for etcd backups?") as "an etcd backup"; whether it was."""
    one = _ONE.search(text)
    if one is None or antecedent is None or _words(antecedent)[:1] == ["one"]:
        return text, False
    before = _words(text[: one.start()])
    if set(before[-1:]) & set(NOT_BEFORE_ONE) or set(before[-3:]) & set(DETERMINERS):
        return text, False  # "which one", "no one", "the microsoft managed one"
    thing = _singular(antecedent)
    if _words(thing)[:1] and _words(thing)[0] in DETERMINERS:
        return text, False  # "the control plane" is one already
    article = "an" if thing[:1].lower() in "aeiou" else "a"
    return f"{text[: one.start()]}{article} {thing}{text[one.end() :]}", True


def _antecedent_phrase(
    pronoun: str, following: str, antecedent: str, match: re.Match[str], after: str = ""
) -> tuple[str, int] | None:
    """What replaces a pronoun (and the noun after a demonstrative), and where it ends (`after`:
    the word before the pronoun). None for a demonstrative before a noun that a determined
    antecedent does not name ("that plan" after a question about "the support hours" points at
    something else: left as it is); a bare antecedent names the noun's kind ("etcd backups")."""
    if pronoun == "each one":  # "how long does each one last" after "… major versions …"
        return f"each {_singular(antecedent)}", match.end("pronoun")
    if pronoun not in ("those", "these", "that", "this") or not following:
        return antecedent, match.end("pronoun")
    if following in CLAUSE_WORDS or following in ("the", "a", "an", "to", "and", "or"):
        return antecedent, match.end("pronoun")
    if following in (*PARTICLES, *PLACES):  # "can we get that on the free tier?"
        return antecedent, match.end("pronoun")
    if following in BARE_NOUNS or any(
        w.rstrip("s") == following.rstrip("s") for w in _words(antecedent)
    ):
        return antecedent, match.end("next")
    if after in PRONOUN_AFTER:  # "does that include ...?", "is that active?": the pronoun
        return antecedent, match.end("pronoun")
    if _words(antecedent)[:1] and _words(antecedent)[0] in DETERMINERS:
        return None
    return f"{antecedent} {following}", match.end("next")


def _split_circumstance(question: str) -> tuple[str, str | None]:
    """A question without its trailing circumstance ("... after OS patches", "... if it's
    behind a flag"), and that circumstance."""
    cut = _CIRCUMSTANCE.search(question)
    return (question[: cut.start()], cut.group("circumstance")) if cut else (question, None)


def _reattached(main: str, circumstance: str | None) -> str:
    """The question `_split_circumstance` cut, edited, with its circumstance back at its end."""
    return _sentence(f"{main} {circumstance}" if circumstance else main)


def _circumstance_thing(circumstance: str | None) -> str | None:
    """What a circumstance is about: "the API server" in "if the API server is unreachable",
    "OS patches" in "after OS patches"; None for a person ("after we created ...")."""
    if circumstance is None:
        return None
    words = circumstance.split()
    for lead in sorted(CIRCUMSTANCES, key=len, reverse=True):
        n = len(lead.split())
        if [w.lower() for w in words[:n]] == lead.split():
            words = words[n:]
            break
    thing: list[str] = []
    for word in words[:MAX_BARE_SUBJECT_WORDS]:
        if word.lower() in CIRCUMSTANCE_VERBS or word.lower().endswith(("ed", "n't")):
            break
        thing.append(word.strip(",;:"))
    phrase = " ".join(thing).strip()
    if not phrase or thing[0].lower() in _NOT_A_SUBJECT | {"he", "she", "someone", "somebody"}:
        return None
    return phrase


def _with_antecedent(clause: str, antecedent: str) -> str:
    """A condition's clause with its opening pronoun replaced by `antecedent`, and the verb
    after it made to agree ("it needs" -> "OS patches need", "it's" -> "the API server is")."""
    words = clause.split(" ")
    pronoun, plural = words[0].lower(), _plural(antecedent)
    if pronoun in ("it's", "they're", "theyre"):
        return " ".join([antecedent, "are" if plural else "is", *words[1:]])
    rest = words[1:]
    if rest and plural and rest[0].lower() in PLURAL_VERBS:
        rest = [PLURAL_VERBS[rest[0].lower()], *rest[1:]]
    return " ".join([antecedent, *rest])


def _ask_place(place: str, context: _Context) -> str:
    """The previous question about a new place, which replaces the last place it named ("...
    on my own custom subnet" -> "... on the managed subnets"), before any circumstance."""
    main, circumstance = _split_circumstance(context.asked)
    places = list(_PLACE.finditer(main))
    if places:
        main = main[: places[-1].start()]
    return _reattached(f"{main} {place}", circumstance)


def _ask_preposition(preposition: str, phrase: str, context: _Context) -> str | None:
    """The previous question with what it named after `preposition` replaced, up to a verb or
    predicate ("is importing from X supported" -> "is importing from Y supported"); "one" in
    the new phrase stands for the old one's noun. None when it named nothing after it."""
    main, circumstance = _split_circumstance(context.asked)
    at = [m for m in _PREPOSITIONS[preposition.lower()].finditer(main) if m.start() > 0]
    if not at:
        return None
    rest = main[at[-1].end() :]
    words = list(_WORDS.finditer(rest[:MAX_REWRITE_CHARS]))[:MAX_LED_SUBJECT_WORDS]
    kept = 0
    for n, word in enumerate(words):
        lower = word.group().lower()
        if n and (lower in CLAUSE_WORDS or lower in PREDICATE_WORDS):
            break
        kept = n + 1
    if kept == 0:
        return None
    end = words[kept - 1].end()
    new = _substitute_noun(phrase, rest[:end])
    return _reattached(f"{main[: at[-1].end()]}{new}{rest[end:]}", circumstance)


def _corrected_subject(core: str) -> str | None:
    """The subject a correction means ("kured" in "I meant kured, not kubelet"), or None."""
    for pattern in _CORRECTION:
        match = pattern.match(core)
        if match:
            subject = match.group("subject")
            cut = subject.lower().find(" not ")
            subject = (subject[:cut] if cut >= 0 else subject).strip(" ,")
            if _is_bare_subject(subject, MAX_LED_SUBJECT_WORDS) and _has_letters(subject):
                return subject
    return None


def _add_phrase(phrase: str, context: _Context) -> str:
    """The previous question with a phrase added before its circumstance ("is X supported" ->
    "is X supported with a custom DNS server")."""
    main, circumstance = _split_circumstance(context.asked)
    return _reattached(f"{main} {phrase}", circumstance)


def _ask_situation(core: str, context: _Context) -> str | None:
    """The previous question asked under the asker's stated situation ("we're on team" ->
    "... if we're on team"); None unless the message is one short statement of it."""
    statement = _TRAILING_REMARK.sub("", core) or core
    if not _SITUATION.match(statement) or _CONDITION_REPLY.search(statement):
        return None
    if len(_words(statement)) > MAX_SITUATION_WORDS or "?" in statement:
        return None
    condition = _CONDITION.match(f"if {statement}")
    return _ask_condition(condition, context) if condition else None


def _ask_condition(condition: re.Match[str], context: _Context) -> str:
    """The previous question under a new condition, which replaces its old circumstance; a
    reply after the condition that is a question of its own is asked instead."""
    clause, reply = condition.group("clause"), None
    cut = _CONDITION_REPLY.search(clause)
    if cut:
        clause, reply = clause[: cut.start()], clause[cut.end() :]
    main, circumstance = _split_circumstance(context.asked)
    if reply is not None:
        words = _words(reply)
        if len(words) >= MIN_OWN_QUESTION_WORDS and set(words) & set(CLAUSE_WORDS):
            main, _ = _replace_anaphors(reply.strip(), context.subject)
        elif context.frame is not Frame.SCOPE and set(words) & set(APPROVAL_WORDS):
            main, circumstance = APPROVAL_QUESTION, None
    subject = context.subject
    if subject is None or subject.lower() not in main.lower():
        # the question no longer names what the condition's pronouns point at: name it
        thing = _circumstance_thing(circumstance)
        if thing is not None and _words(clause)[:1] and _words(clause)[0] in CONDITION_PRONOUNS:
            clause = _with_antecedent(clause, thing)
        elif subject is not None:
            clause, _ = _replace_anaphors(clause, subject)
    return _sentence(f"{main} {condition.group('word')} {clause}")


def _has_letters(text: str) -> bool:
    return any(sum(c.isalpha() for c in w) > 1 for w in _words(text))


def resolve_followup(
    message: str,
    previous: Sequence[str],
    max_chars: int = MAX_REWRITE_CHARS,
    frames: Sequence[Frame | None] = (),
    provider: str = AGENT,
    plans: Collection[str] = (),
) -> Resolution:
    """The standalone question a message stands for, given the earlier turns' questions.

    `previous` holds the resolved questions of the conversation's earlier policy turns,
    oldest first; `frames`, when given, the frame each was answered in (None: not known). A
    message that needs no context, or whose rewrite would be longer than `max_chars`, comes
    back unchanged with `rule=None`. `provider` is who provides the support the policy
    describes: the rules read its name as they read Microsoft's ("does northwind cover X?",
    "will they tell me?" -> "Will Northwind tell me?"). `plans` are the names the policy
    gives its plans or tiers (lower-cased): "and silver?" asks the previous question of the
    Silver plan when that question named another one.
    """
    name = _provider_pattern(provider, message, previous)
    if name is None:
        resolution = _resolve(message, previous, frames, plans)
    else:
        agent = [_as_agent(name, text) for text in (message, *previous)]
        resolution = _from_agent(_resolve(agent[0], agent[1:], frames, plans), provider)
    if resolution.rule is not None and len(resolution.question) > max_chars:
        text = " ".join(message.split())
        return Resolution(text, None, extract_subject(text))
    return resolution


def _provider_pattern(
    provider: str, message: str, previous: Sequence[str]
) -> re.Pattern[str] | None:
    """The provider's name as a pattern, when the rules should read it as Microsoft's: a name
    other than Microsoft's of a few words, and no "microsoft" in the conversation to mistake
    for it; None otherwise."""
    words = provider.split()
    if (
        provider.lower() in (AGENT.lower(), UNNAMED)
        or not words
        or len(words) > MAX_PROVIDER_WORDS
        or "and" in (w.lower() for w in words)
        or any(_AGENT_WORD.search(text) for text in (message, *previous))
    ):
        return None
    return re.compile(rf"\b{re.escape(provider)}\b", re.IGNORECASE)


def _as_agent(name: re.Pattern[str], text: str) -> str:
    """The text with the provider's name as Microsoft's, in the case it was typed in."""
    return name.sub(lambda m: AGENT if m.group()[:1].isupper() else AGENT.lower(), text)


def _from_agent(resolution: Resolution, provider: str) -> Resolution:
    """A resolution read with the provider as Microsoft, with the provider's name back."""

    def named(text: str) -> str:
        return _AGENT_WORD.sub(
            lambda m: provider if m.group()[:1].isupper() else provider.lower(), text
        )

    subject = resolution.subject
    return replace(
        resolution,
        question=named(resolution.question),
        subject=None if subject is None else named(subject),
    )


def _resolve(
    message: str,
    previous: Sequence[str],
    frames: Sequence[Frame | None],
    plans: Collection[str] = (),
) -> Resolution:
    text = " ".join(message.split())
    if not previous or not text:
        return Resolution(text, None, extract_subject(text))
    context = _Context(previous, frames)
    # "not even for crashes?" asks what "even for crashes?" asks
    core = _NOT_EVEN.sub("even ", strip_markers(text))

    if set(_words(core)) <= set(REPLY_WORDS) or not _MARKERS.sub("", text.rstrip(" ?!.")):
        return Resolution(text, None, None)  # a bare reply, or markers alone ("ok cool")
    back = _BACK_TO.match(core)
    at = _turn_about(back.group("topic"), previous) if back else None
    if back and at is not None:
        earlier = frames[: at + 1] if len(frames) == len(previous) else ()
        return _resolve(back.group("rest"), previous[: at + 1], earlier, plans)
    doubted = _DOUBT_LEAD.match(core)
    if doubted:
        pressed = _resolve(doubted.group("rest"), previous, frames, plans)
        asks = text.rstrip().endswith("?")  # "really? they're just vms" only remarks
        if asks and pressed.rule is not None:  # "really? even the addon?"
            return pressed
        if asks and _QUESTION_START.match(doubted.group("rest")):  # "really? is helm supported?"
            return Resolution(_sentence(pressed.question), "full_question", pressed.subject)
        return Resolution(_sentence(context.question), "again", context.subject)
    if _DOUBT.match(core) or (_APPROVAL_ECHO.match(core) and context.frame is Frame.SCOPE):
        return Resolution(_sentence(context.question), "again", context.subject)
    if _ALTERNATIVE.match(core) and context.subject:
        instead = ALTERNATIVE_TEMPLATE.format(subject=context.subject)
        return Resolution(instead, "alternative", context.subject)
    owned = _POSSESSIVE.match(core)
    if owned and context.subject:  # "and its availability?": a part of the previous subject
        whose = f"{context.subject}'s {owned.group('part')}"
        return Resolution(_swap_subject(whose, context), "possessive", whose)
    qualification = _QUALIFICATION.match(core)
    if qualification and context.subject:
        noun = qualification.group("noun").lower()
        asked = QUALIFICATION_TEMPLATE.format(noun=noun, subject=context.subject)
        return Resolution(asked, "qualification", context.subject)
    corrected = _corrected_subject(core)
    if corrected is not None:
        swapped = _swap_subject(corrected, context, same_question=True)
        return Resolution(swapped, "correction", corrected)

    cost = _COST.match(core)
    if cost:  # "for free?" after "will you help with the handover?"
        return Resolution(_add_phrase(cost.group("cost"), context), "cost", context.subject)
    amount = _ask_amount(core, context)
    if amount is not None:
        return Resolution(amount, "how_many", context.subject)
    counted = _HOW_MANY_AUX.match(core)
    if counted and context.subject:  # "how many can i have?" -> "how many read replicas …"
        asked = f"how many {context.subject} {counted.group('rest')}"
        return Resolution(_sentence(asked), "how_many", context.subject)
    wh = _WH_FRAGMENT.match(core) or _preposition_wh(core)
    if wh:
        question = _ask_wh(wh.group("wh"), context)
        if question:
            return Resolution(question, "wh_fragment", context.subject)
    which = _ask_which(core, context)
    if which is not None:
        return Resolution(which, "which", context.subject)
    part = _ask_what_part(core, context)
    if part is not None:
        return Resolution(part, "what_part", context.subject)
    wh = _WH_CIRCUMSTANCE.match(core)
    question = _ask_wh(wh.group("wh"), context) if wh else None
    if wh and question:  # "how quickly after a CVE?": the question asked again under it
        main, _ = _split_circumstance(question.rstrip("?"))
        return Resolution(_sentence(f"{main} {wh.group('rest')}"), "wh_fragment", context.subject)

    marked = bool(set(_words(_marker_prefix(text, core))) & set(SUBJECT_MARKERS))
    lead = _SUBJECT_LEAD.match(core) or _SUBJECT_TAIL.match(core)
    candidate = lead.group("subject") if lead else core
    candidate = _TRAILING_REMARK.sub("", candidate) or candidate
    led = bool(lead or marked)
    most = MAX_LED_SUBJECT_WORDS if led else MAX_BARE_SUBJECT_WORDS
    bare = _is_bare_subject(candidate, most, relatives=led)
    bare = bare and _has_letters(candidate) and _words(candidate)[0] not in QUESTION_OPENERS
    # "so they handle full cluster backup too?" says what someone does: no subject
    bare = bare and not (len(_words(candidate)) > 1 and _words(candidate)[0] in PRONOUNS)
    if bare and _PLACE_LEAD.match(candidate) and (led or len(_words(candidate)) <= 4):
        return Resolution(_ask_place(candidate, context), "place_swap", context.subject)
    swap = _SWAP_LEAD.match(candidate) if bare else None
    prep = swap.group("prep").lower() if swap else ""
    if swap and swap.group("focus"):  # "even on the free tier?": added to the question
        question = (_ask_place if prep in PLACES else _add_phrase)(candidate, context)
        return Resolution(question, "focus", context.subject)
    if swap and prep not in PLACES and (led or len(_words(candidate)) <= MAX_BARE_SUBJECT_WORDS):
        question = _ask_preposition(prep, swap.group("phrase"), context)
        if question is None and prep in MANNER_PREPOSITIONS:
            question = _add_phrase(candidate, context)
        if question:
            return Resolution(question, "phrase_swap", context.subject)
    if bare and _CIRCUMSTANCE_LEAD.match(candidate):
        main, _ = _split_circumstance(context.asked)
        return Resolution(_sentence(f"{main} {candidate}"), "circumstance_swap", context.subject)
    if _EVEN_WHEN.match(core) and len(_words(core)) <= MAX_SITUATION_WORDS:
        # "even after i bump to 1.30?": a circumstance added to the one the question named
        asked = context.asked.rstrip(" ?!.")
        return Resolution(_sentence(f"{asked} {core}"), "circumstance_added", context.subject)
    if _MANNER.match(core):
        return Resolution(_ask_manner(core.split()[-1].lower(), context), "manner", context.subject)
    version = _version_swap(candidate, context.subject)
    if version is not None:
        return Resolution(_swap_subject(version, context), "version_swap", version)
    numbered = _numbered_swap(candidate, context.asked)
    if numbered is not None:
        return Resolution(numbered, "numbered_swap", context.subject)
    versioned = _version_in_place(candidate, context.asked)
    if versioned is not None:  # "and 5.1?" after "when does support end for add-in 5.0?"
        return Resolution(versioned, "version_swap", context.subject)
    plan = _plan_swap(candidate, context.asked, plans)
    if plan is not None:
        return Resolution(plan, "plan_swap", context.subject)
    participle = _participle_swap(core, context.asked)
    if participle is not None:
        return Resolution(participle, "participle_swap", context.subject)
    if bare and (led or len(_words(candidate)) <= 3):
        named = clean_subject(candidate) or candidate
        named = _FOCUS_LEAD.sub("", named) or named  # "even labels?" is about labels
        words = _words(named)
        if len(words) > 1 and words[-1] in PERSONAL_ANAPHORS:  # "and restoring them?"
            named, _ = _replace_anaphors(named, context.subject)
        subject = _swapped_modifier(named, context.subject) or _substitute_noun(
            named, context.subject
        )
        lead_words = (lead.groupdict().get("lead") or "").lower() if lead else ""
        same = " ".join(lead_words.split()) in SAME_QUESTION_LEADS
        in_place = context.subject and context.subject.lower() in context.asked.lower()
        if same and lead_words.endswith("for") and (context.phrase or not in_place):
            question = _ask_preposition("for", named, context)
            if question is None and _words(named)[0] in QUANTIFIERS:  # "for all plans?"
                question = _add_phrase(f"for {named}", context)
            if question:
                return Resolution(question, "phrase_swap", context.subject)
        return Resolution(_swap_subject(subject, context, same), "subject_swap", subject)

    omission = _ask_omission(core, context)
    if omission is not None:
        return Resolution(omission, "omission", context.subject)
    modal = _ask_modal(core, context)
    if modal is not None:
        return Resolution(modal, "modal", context.subject)
    condition = _CONDITION.match(core)
    if condition:
        return Resolution(_ask_condition(condition, context), "condition", context.subject)
    situation = _ask_situation(core, context)
    if situation is not None:
        return Resolution(situation, "situation", context.subject)

    fronted = _FRONTED.match(core)
    if (
        fronted
        and _is_bare_subject(fronted.group("subject"))
        and fronted.group("subject").lower() not in REPLY_WORDS
    ):
        rest, replaced = _replace_anaphors(fronted.group("rest"), fronted.group("subject"))
        if replaced:
            return Resolution(_sentence(rest), "fronted_subject", fronted.group("subject"))

    action = (
        _ask_action(core, context)
        or _ask_happening(core, context)
        or _ask_done_how(core, context)
        or _ask_action_pronoun(core, context)
    )
    if action is not None:
        return Resolution(action, "action", context.subject)

    antecedent = context.subject or _service_doing(context)
    if antecedent and antecedent.lower() in core.lower():
        antecedent = None
    question, replaced = _replace_anaphors(core, antecedent)
    question, one = _replace_one(question, antecedent)
    if (replaced or one) and len(_words(question)) >= 3:
        return Resolution(_sentence(question), "anaphora", extract_subject(question) or antecedent)
    if core != text.rstrip(" ?!.") and _QUESTION_START.match(core):
        # "and who patches the nodes?": a whole question after a marker stands alone
        return Resolution(_sentence(core), "full_question", extract_subject(core))
    return Resolution(text, None, extract_subject(text))


def _ask_amount(core: str, context: _Context) -> str | None:
    """How many of the thing a yes/no question asked about: "how many?" after "do gold
    customers get any free project hours?" -> "How many free project hours do gold customers
    get?"; None for any other message or previous question."""
    amount = core.rstrip(" ?!.").lower()
    if amount not in ("how many", "how much") or not context.subject or context.phrase:
        return None
    asked = context.asked.rstrip(" ?!.")
    at = asked.lower().find(context.subject.lower())
    if at <= 0 or not _AUX_LEAD.match(asked):
        return None
    thing = " ".join(w for w in context.subject.split() if w.lower() not in _AMOUNT_WORDS)
    rest = f"{asked[:at].strip()}{asked[at + len(context.subject) :]}"
    return _sentence(f"{amount} {thing} {rest[:1].lower()}{rest[1:]}") if thing else None


def _turn_about(topic: str, previous: Sequence[str]) -> int | None:
    """The latest earlier turn that names a word of `topic` (the first five letters of one:
    "containerd" finds "the container runtime"), or None."""
    stems = {w[:5] for w in _words(topic) if len(w) > 2 and w not in _VAGUE_TOPIC_WORDS}
    for n in reversed(range(len(previous))):
        if stems & {w[:5] for w in _words(previous[n])}:
            return n
    return None


def _preposition_wh(core: str) -> re.Match[str] | None:
    """A question word under a preposition ("on which subnets?"), unless what follows it is a
    clause ("for what it's worth")."""
    wh = _PREPOSITION_WH.match(core)
    if wh is None or set(_words(wh.group("noun"))) & {*AUXILIARIES, *PRONOUNS, *CLAUSE_WORDS}:
        return None
    return wh


def _numbered_swap(candidate: str, asked: str) -> str | None:
    """The previous question with the numbered thing it named in the new one's place: "and sev
    2?" after "what's the response time for a sev 1 on premium?", "and for p2?" after "… for
    priority 1 incidents?", "and sev b?" after "… for sev a?"; None unless the message is a
    word and a number (or a level's letter) that the question names with another one."""
    text = _NUMBERED_LEAD.sub("", candidate.strip(" ?!.,"))
    for pattern in (_NUMBERED, _LETTERED):
        new = pattern.fullmatch(text)
        if new is None:
            continue
        word = new.group("word").lower()
        for named in pattern.finditer(asked):
            named_word = named.group("word").lower()
            # one may abbreviate the other ("p2" after "priority 1", "sev 2" after "severity 1")
            same = named_word.startswith(word) or word.startswith(named_word)
            if same and named.group("number").lower() != new.group("number").lower():
                return _replacing(asked, named, new.group())
    return None


def _plan_swap(candidate: str, asked: str, plans: Collection[str]) -> str | None:
    """The previous question with the plan it named in the new one's place: "and silver?",
    "what about the gold plan?", "for business customers?" after "… on bronze?"; None unless
    the message names a plan alone and the question named another."""
    text = _PLAN_WRAPPING.sub("", candidate.strip(" ?!.,"))
    if text.lower() not in plans:
        return None
    named = [
        m
        for m in _WORDS.finditer(asked)
        if m.group().lower() in plans and m.group().lower() != text.lower()
    ]
    if not named:
        return None
    return _replacing(asked, named[-1], text)


def _version_swap(candidate: str, subject: str | None) -> str | None:
    """The previous subject with its version in the new one's place: "and 5?" after "is edge
    os 6 supported?" asks about "edge os 5"; None unless the message is one versioned word."""
    new = candidate.strip(" ?!.,")
    version, _, edition = new.partition(" ")
    if (
        subject is None
        or not _VERSION.fullmatch(version)
        or (edition and not _EDITION.fullmatch(edition))
    ):
        return None
    words = subject.split(" ")
    at = [n for n, w in enumerate(words) if _VERSION.fullmatch(w)]
    if not at or words[at[-1]].lower() == new.lower():
        return None
    end = at[-1] + 1
    if end < len(words) and _EDITION.fullmatch(words[end]):  # "2012 r2" → "2019"
        end += 1
    words[at[-1] : end] = [new]
    return " ".join(words)


def _version_in_place(candidate: str, asked: str) -> str | None:
    """The previous question with the last version it named (outside its subject) in the new
    one's place; None unless the message is a version alone and the question named another."""
    new = candidate.strip(" ?!.,")
    if not _VERSION.fullmatch(new) or not any(c.isdigit() for c in new):
        return None
    named = [
        m
        for m in _WORDS.finditer(asked)
        if _VERSION.fullmatch(m.group()) and any(c.isdigit() for c in m.group())
    ]
    if not named or named[-1].group().lower() == new.lower():
        return None
    return _replacing(asked, named[-1], new)


def _marker_prefix(text: str, core: str) -> str:
    """The discourse markers `strip_markers` took off the front of a message."""
    spaced = text.rstrip(" ?!.")
    return spaced[: len(spaced) - len(core)] if spaced.endswith(core) else ""
