"""The words and phrase patterns the follow-up rules (`assistant.answer.followup`) read: what
leads a new subject, what asks again, which words end a phrase. Plain data, no code."""

from __future__ import annotations

from assistant.models import Frame

# Words people put in front of a follow-up that carry no meaning of their own.
DISCOURSE_MARKERS = (
    "ok", "okay", "k", "so", "and", "also", "then", "hmm", "right", "cool", "great", "alright",
    "well", "but", "thanks", "thank you", "got it", "i see", "nice", "perfect", "thx", "ty",
    "cheers", "yes", "yeah", "yep", "yup", "wait", "hold on", "oh",
)  # fmt: skip

# Leads that ask the previous question again, word for word, about a new subject ("and for
# the control plane?" after "Does Microsoft patch the worker nodes?").
SAME_QUESTION_LEADS = (
    "for", "and for", "same for", "same question for", "same goes for", "same with",
    "what about for", "how about for", "same answer for", "same thing for", "the same for",
    "is it the same for", "is that the same for", "same q for", "same question about",
    "same q about", "does that apply to", "does this apply to", "does it apply to",
    "does that also apply to", "does the same apply to", "does the same go for",
    "does that go for", "would that apply to", "does that hold for", "is that true for",
    "is that also true for", "is that the case for", "is it true for", "is it the case for",
)  # fmt: skip
# "<lead> X?" introduces a new subject for the previous question.
SUBJECT_LEADS = (
    "what about", "how about", "what of", "and what about", "and how about", "and", "also",
    "plus", "what abt", "how abt", "wat about", "like", "such as", *SAME_QUESTION_LEADS,
)  # fmt: skip
# Markers that lead a new subject of any length ("and helm charts from the marketplace?"); a
# message without one is read as a bare subject only when it is short.
SUBJECT_MARKERS = ("and", "also", "plus")
# "for all plans?": a phrase that ranges over what the question asks about, not a new subject.
QUANTIFIERS = ("all", "every", "each", "any", "both")
# "the microsoft managed one" after "kong ingress": the word stands for the subject's noun.
SUBSTITUTE_NOUNS = ("one", "ones")
# Words before "one" that make it no stand-in for the previous subject ("which one", "no one").
NOT_BEFORE_ONE = (
    "which", "that", "this", "each", "every", "any", "no", "some", "the", "last", "first", "next",
    "other", "another", "only", "same", "new", "old", "right", "wrong",
)  # fmt: skip
# Nouns of the kinds of offering a policy tells apart by a modifier ("alpha features", "the
# consumption plan"; not components such as "the container runtime"): one word after such a
# subject swaps its modifier ("and beta?" -> "beta features").
KIND_NOUNS = (
    "feature", "features", "node", "nodes", "plan", "plans", "tier", "tiers", "version",
    "versions", "edition", "editions", "browser", "browsers", "app", "apps", "integration",
    "integrations", "sku", "skus", "license", "licenses", "channel", "channels", "release",
    "releases", "region", "regions", "os", "pool", "pools", "subscription", "subscriptions",
)  # fmt: skip

# "X too?" / "X as well?" / "and the scheduler, same?" / "(not) my own charts either?"
SUBJECT_TAILS = ("too", "as well", "also", "same", "the same", "same thing", "either", "neither")

# How a new subject is asked about, by the frame of the question it follows. FACT questions
# keep their own wording with the subject swapped in place ("how often is etcd backed up?").
SUBJECT_TEMPLATES: dict[Frame, str] = {
    Frame.SCOPE: "Is {subject} supported?",
    Frame.RESPONSIBILITY: "Who is responsible for {subject}?",
    Frame.FACT: "What does the policy say about {subject}?",
}

# Bare question words asked about the previous question ("how often?", "when?").
WH_FRAGMENTS = (
    "how often", "how frequently", "how long", "how soon", "how quickly", "how fast", "how",
    "when", "until when", "why", "why not", "where", "who", "by whom", "whose job",
    "who does that", "who does", "who does it", "for how long", "how long for", "since when",
    "to what extent", "to what degree", "in what way", "in what ways", "under what conditions",
    "under what circumstances", "in what cases", "in which cases", "within what time frame",
    "within what timeframe", "in what time frame", "in what timeframe", "how much notice",
    "how much warning", "within how many days", "within how many hours", "in how many days",
    "how many days", "how many hours", "within how long", "after how long", "for how many days",
    "how far back", "up to how far back", "how far back in time", "within what time",
    "in what time",
)  # fmt: skip
# "I meant kured, not kubelet", "no, linkerd", "not istio, linkerd": a correction asks the
# previous question again, word for word, about the subject meant.
NEGATIVE_REPLIES = ("no", "nope", "nah")
# followed by punctuation, or before a lead by a space alone ("sorry i meant linkerd")
CORRECTION_OPENERS = ("sorry", "oops", "whoops", "my bad", "wait", "no wait", *NEGATIVE_REPLIES)
CORRECTION_LEADS = ("i meant", "i mean", "meant")
# A bare reply ("no", "yep") is no subject: it stands alone (the dialogue reads it).
REPLY_WORDS = ("yes", "yeah", "yep", "yup", *NEGATIVE_REPLIES)
# "really?", "are you sure?": the previous question asked again.
DOUBTS = (
    "really", "are you sure", "you sure", "seriously", "for real", "is that right",
    "is that true", "is that correct", "sure about that", "is that still true",
    "is that still the case", "is that still right", "is that still correct", "still true",
    "still the case", "is it still true", "is it still the case",
    # a party denied ("not microsoft?" after "who is responsible for node pool sizing?")
    "not microsoft", "not ms", "not msft", "not azure", "not aks", "not me", "not us",
    "not you", "not you guys", "not the customer", "not on me", "not on us",
    # where the answer says so ("source?"): the answer cites it
    "where does it say that", "where does it say so", "where is that written",
    "where is that stated", "where does the policy say that", "source", "sources", "says who",
    "citation", "proof", "any source", "do you have a source",
    # "same?" alone: is the answer the same; "not even a little?": is any of it
    "same", "the same", "same thing", "even a little", "even a bit", "even slightly", "at all",
    "not at all",
)  # fmt: skip
# A doubt may end with when it holds ("is that still true today?").
DOUBT_TIMES = ("today", "now", "these days", "anymore", "any more")
WHO_TEMPLATE = "Who is responsible for {subject}?"
# Words in -s that are no plurals: a subject ending in one is asked with "Is".
SINGULAR_WORDS_IN_S = ("kubernetes", "windows", "series", "redis", "https", "news", "aks")
# "which versions?", "what distros?", "which ones?": the previous yes/no question asked of some
# of its subject ("Which versions of Istio are supported?").
WHICH_WORDS = ("which", "what")
MAX_WHICH_WORDS = 3
WHICH_TEMPLATE = "{noun} of {subject}"
# "what's the alternative?", "what should I use instead?": what may replace the subject.
ALTERNATIVES = (
    "what's the alternative", "whats the alternative", "what is the alternative",
    "what are the alternatives", "what's the alternative then", "any alternative",
    "any alternatives", "is there an alternative", "are there alternatives",
    "are there any alternatives", "alternatives", "alternative", "what should i use instead",
    "what should we use instead", "what can i use instead", "what can we use instead",
    "what do i use instead", "what do we use instead", "what do you recommend instead",
    "what should i do instead", "what should we do instead", "so what do i use",
    "what else can i use", "what else can we use", "what instead",
)  # fmt: skip
ALTERNATIVE_TEMPLATE = "What can I use instead of {subject}?"
# "any caveats?", "are there any limits?": the qualifications of the subject.
QUALIFICATIONS = (
    "caveats", "caveat", "exceptions", "exception", "conditions", "limits", "limitations",
    "restrictions", "requirements", "prerequisites", "catch", "catches", "gotchas", "downsides",
    "risks",
)  # fmt: skip
QUALIFICATION_TEMPLATE = "Are there any {noun} for {subject}?"
# Words after "which"/"what" that name no part of the subject ("what now?", "what else?").
NOT_WHICH_NOUNS = (
    "now", "else", "exactly", "then", "next", "up", "happens", "happened", "happen", "for",
    "about", "of", "if", "kind", "type", "sort", "sense", "way", "support",
)  # fmt: skip
# "is that ok?" after a yes/no question: the same question asked again.
APPROVAL_ECHOES = ("ok", "okay", "fine", "allowed", "supported", "permitted", "acceptable",
                   "alright", "covered", "legit")  # fmt: skip
# Words that open a question's circumstance ("... after OS patches", "... if it's down"): a
# follow-up's new condition replaces the circumstance of the question it follows.
CIRCUMSTANCES = (
    "if", "even if", "only if", "unless", "when", "whenever", "once", "after", "before",
    "during", "in case",
)  # fmt: skip
# A follow-up that is a new circumstance of the same question: "and after kernel updates?"
# after "who reboots nodes after OS patches?" ("when" opens questions too, so it is not one).
CIRCUMSTANCE_SWAPS = ("after", "before", "during", "once", "while", "whenever")
# Remarks a message may end with that change nothing it asks ("on the node subnet specifically").
TRAILING_REMARKS = (
    "specifically", "exactly", "in particular", "precisely", "i mean", "i guess", "btw",
    "by the way", "fyi", "instead", "too", "as well",
)  # fmt: skip
# Words a question opens with: a message that opens with one is not a bare subject ("what's
# kured" asks what Kured is).
QUESTION_OPENERS = (
    "what", "what's", "whats", "who", "who's", "whos", "how", "how's", "why", "when", "where",
    "which",
)  # fmt: skip
# A follow-up that is a condition: "what if ...", "and if ...", "even if ...", "unless ...".
CONDITION_LEADS = ("what about", "how about", "what", "and", "but", "so")
CONDITIONS = ("if", "even if", "only if", "unless", "in case")
# Verbs that end the thing a circumstance is about ("if the API server is unreachable").
CIRCUMSTANCE_VERBS = (
    "is", "are", "was", "were", "isn't", "aren't", "wasn't", "weren't", "has", "have", "had",
    "gets", "get", "got", "goes", "go", "needs", "need", "requires", "require", "breaks",
    "break", "fails", "fail", "stops", "stop", "becomes", "become", "does", "do", "doesn't",
    "don't", "can", "can't", "will", "won't", "would", "should", "must", "may", "might",
)  # fmt: skip
# Pronouns that open a new condition and point at what the replaced circumstance was about.
CONDITION_PRONOUNS = ("it", "they", "it's", "they're", "its", "theyre")
# The verb after such a pronoun, made to agree with a plural antecedent.
PLURAL_VERBS = {
    "is": "are", "was": "were", "has": "have", "does": "do", "doesn't": "don't",
    "isn't": "aren't", "wasn't": "weren't", "needs": "need", "requires": "require",
    "gets": "get", "goes": "go", "breaks": "break", "fails": "fail", "stops": "stop",
    "becomes": "become",
}  # fmt: skip
# A reply after the condition ("what if X, still covered?") shorter than this re-asks the
# previous question; a longer one with a clause word is the new question ("..., do I have to
# reboot myself?").
MIN_OWN_QUESTION_WORDS = 4
# A shorter reply with one of these words asks whether the condition is supported ("what if I
# deallocate the VMs, is that ok?" after "how do I stop my cluster?").
APPROVAL_WORDS = ("ok", "okay", "fine", "supported", "covered", "allowed", "alright", "acceptable")
APPROVAL_QUESTION = "Is it supported"
WH_FALLBACK = "{wh}, regarding {subject}?"

# Where the subject sits in the question shapes people use; the first pattern that matches
# names the previous question's subject.
SUBJECT_FRAMES = (
    r"(?:is|are) (?:it true (?:that )?)?(?P<subject>.+?) (?:actually |really |even |still |fully )?"
    r"(?:supported|covered|allowed|permitted|ok|okay|fine|included|available|offered)"
    r"(?: (?:on|in|under|at|for|with) .+)?",  # "… included on the business plan"
    # "is the kubelet (fully) managed by microsoft?" (not "supported by", the first frame's)
    r"(?:is|are) (?P<subject>[^,]+?) (?:(?:fully|completely|entirely|actually|really) )?"
    r"(?!supported|covered|allowed|permitted)(?:\w+ed|run|kept|built|done|made|set)(?: up)? "
    r"by \w.*",
    r"(?:does|do|will|would|can|could) (?:microsoft|ms|msft|azure|aks|the aks team|"
    r"microsoft support|azure support|support)(?: support)? (?:support|cover|help(?: me| us)? "
    r"with|handle|manage|patch|reboot|restart|upgrade|back up|fix|restore|monitor|"
    r"troubleshoot|look at|take care of) (?P<subject>.+)",
    r"who(?:'s| is| are|s)? (?:responsible|on the hook|in charge) for (?P<subject>.+)",
    r"who(?:se job is it to| has to| needs to| should| must| will)? "
    r"(?!is |are |does |do |has )(?:\w+ )(?:up )?(?P<subject>.+)",
    r"(?:how often|how frequently|how long|how soon|when|why|where|how) (?:is|are|will|can|was|"
    r"were) (?P<subject>.+?)(?: (?:get|gets|be))?"
    r"(?: (?:\w+(?:ed|en|able|ible)|kept|held|sent|built|paid|sold|left|lost|found|made|done|"
    r"run|set|put|shut|cut)(?: up)?)?",
    r"(?:how often|how frequently|how long|how soon|when|why|where|how) (?:do|does|did) "
    r"(?!(?:i|we|you|they|u)\b)"  # "how do i open a ticket": the asker is not the subject
    r"(?P<subject>.+?)(?: (?:get|gets) \w+(?:ed|en)| \w+)"
    r"(?: (?:up|down|out|in|on|over|around|away|back|off))?",
    r"can (?:i|we) (?:get|use|run|install|access|see|restore|open a (?:support )?"
    r"(?:case|ticket|request) (?:for|about)|get help with) (?P<subject>.+)",
    # "can support see my secrets?"
    r"(?:can|could|will|does|do) (?:microsoft|ms|msft|support|microsoft support|azure support|"
    r"the support team|your engineers|engineers) (?:see|access|read|view|look at|get at|touch|"
    r"change|modify) (?P<subject>.+)",
    r"how (?:many|much) (?P<subject>.+?) (?:do|does|did|can|could|will|would|is|are|was|were|"
    r"should|must|has|have)\b.*",
    r"what does the policy say about (?P<subject>.+)",
    r"what (?:about|of) (?P<subject>.+)",
    r"(?:which|what) (?P<subject>.+?) (?:gets?|is|are) (?:\w+ )?\w+(?:ed|en)(?: \w+){0,3}",
    # what a plan offers: "is there 24/7 coverage on enterprise?", "do premium clients get a
    # named manager?", "do we get phone support on business?"
    r"(?:is|are) there (?P<subject>.+?)(?: (?:on|in|for|with|under) .+)?",
    r"(?:do|does|did|can|could|will|would) (?:\w+ ){1,3}?(?:get|receive|have) (?!to\b)"
    r"(?P<subject>.+?)(?: (?:on|in|for|with|under) .+)?",
)
# "with byo cni can support look at X": a question may open with a phrase that sets the scene;
# the frames are tried after up to this many words that start with one of these.
SCENE_WORDS = ("with", "for", "on", "in", "using", "under", "after", "during")
MAX_SCENE_WORDS = 4

# Words that end a subject: what follows is a condition, a place or a remark, not the thing.
SUBJECT_ENDS = (
    r" on (?:aks|azure|my|our|the)\b(?! hook)", r" in (?:aks|azure|my|our|the|prod)\b",
    r" (?:even |only )?(?:if|when|after|before|during|because|since|once)\b",
    r" (?:thinking|myself|ourselves|then|tho|though|or not|me or|or me|or microsoft)\b",
    r" for (?:me|us|my|our)\b", r",", r" - ", r" — ",
)  # fmt: skip
# A verb's preposition a subject frame may catch ("get at", "get to"): not part of the subject.
SUBJECT_PREPOSITIONS = ("at", "to", "into", "onto", "with", "about", "of")
# Sentences of a message are read separately for its subject.
SENTENCE_BREAK = r"[?!.;]\s++|(?<!\s)\s++[-—]\s+"

# Pronouns that point back at the previous subject.
ANAPHORS = (
    "them", "they", "it", "those", "these", "that", "this", "that one", "this one", "each one",
)  # fmt: skip
PERSONAL_ANAPHORS = ("them", "they", "it")
# "it" in these phrases points at nothing ("is it ok to...", "it's possible").
EXPLETIVE_IT = (
    r"\bit(?:'s| is) (?:ok|okay|possible|fine|true|safe|allowed|necessary|required|worth|"
    r"a good idea|recommended|bad|better)\b|\b(?:is )?it (?:ok|okay|possible|fine|true|safe|"
    r"allowed|necessary|required|worth|a good idea|recommended|bad|better)\b"
    # "is it ok to …", "is it safe if …", "is it fine for us to …" ("is it ok for prod?" asks
    # about the thing before)
    r"(?=\s*+(?:to|if|that|when|whether|for(?: [\w'-]+){1,3} to)\b)|"
    r"\bmake it (?:work|happen|through|to)\b|\bit depends\b"
)
# Words after which "that"/"this" is a pronoun rather than a conjunction.
DEMONSTRATIVE_AFTER = (
    "is", "are", "was", "would", "will", "does", "do", "can", "could", "should", "about",
    "for", "with", "on", "of", "to", "at", "patches", "patch", "support", "supports", "cover",
    "covers", "fix", "fixes", "handle", "handles", "reboot", "reboots", "get", "use", "run",
    "install", "does", "manage", "manages", "own", "owns", "into", "like",
)  # fmt: skip
# Words after which "that"/"this" is the subject of the verb or predicate that follows ("does
# that include ...?", "is that active?"), not a determiner of a noun.
PRONOUN_AFTER = ("does", "do", "did", "will", "would", "can", "could", "should", "is", "are", "was")
# Auxiliaries a yes/no question opens with, and the question words of the others.
AUXILIARIES = (
    "is", "are", "does", "do", "did", "will", "would", "can", "could", "should", "was", "were",
)  # fmt: skip
QUESTION_WORDS = (
    "who", "whom", "whose", "what", "whats", "what's", "when", "where", "why", "how", "which",
)  # fmt: skip
# "they" doing one of these is the support organisation, not the thing asked about.
AGENT = "Microsoft"
# A provider name longer than this many words (or one that joins two names) is not read as the
# support organisation's: its rules keep "Microsoft".
MAX_PROVIDER_WORDS = 3
AGENT_VERBS = (
    "tell", "notify", "let", "warn", "inform", "email", "contact", "patch", "reboot", "restart",
    "fix", "help", "handle", "apply", "restore", "support", "look", "say", "do", "file", "give",
    "send", "provide", "upgrade", "back", "take", "answer", "troubleshoot", "alert", "ask",
    "escalate", "respond", "investigate", "call", "reach",
)  # fmt: skip
# An auxiliary before "they" agrees with the support organisation put in its place ("do they
# alert me?" -> "does Microsoft alert me?").
SINGULAR_AUXILIARIES = {"do": "does", "are": "is", "were": "was", "have": "has"}
# Nouns a demonstrative may carry that say nothing about the subject ("that thing").
BARE_NOUNS = ("one", "ones", "thing", "things", "stuff", "cluster", "clusters", "case", "issue",
              "issues", "question", "questions", "part", "bit")  # fmt: skip
# A message with one of these words says its own predicate: it is not a bare subject.
CLAUSE_WORDS = (
    "is", "are", "am", "was", "were", "do", "does", "did", "can", "could", "will", "would",
    "should", "shall", "may", "might", "must", "have", "has", "need", "needs", "i", "we", "you",
    "it's", "its", "they're", "who", "what", "when", "where", "why", "how", "which", "if",
    "don't", "doesn't", "can't", "isn't", "aren't", "won't", "we're", "i'm", "im", "we've",
    "i've", "you're",
)  # fmt: skip
MAX_BARE_SUBJECT_WORDS = 6
MAX_PHRASE_WORDS = 4
# When no subject frame fits an earlier question ("we rely on the chat connector a lot, is it
# covered?"), its subject is read as a noun phrase: after an opening "is"/"are", else the first
# phrase a determiner opens, else after an opening auxiliary, its pronoun and one verb ("do you
# support chrome"). The phrase ends at one of these words, at a participle or after a few words.
COPULAS = ("is", "are", "was", "were")
DETERMINERS = ("the", "a", "an", "our", "my", "your", "their", "this", "these", "those")
PHRASE_ENDS = (
    "on", "in", "at", "inside", "within", "under", "for", "with", "into", "from", "to", "of",
    "by", "about", "after", "before", "during", "if", "when", "since", "because", "than", "or",
    "and", "but", "still", "also", "even", "really", "actually", "then", "already", "ever",
    "just", "that", "which", "right", "lot", "bit", "couple", "few", "tho", "though",
)  # fmt: skip
PRONOUNS = ("i", "we", "you", "they", "it", "u")
# "and helm charts we pull from the hub?": after a noun, one of these and its verb are the
# noun's relative clause, not the message's own predicate (read so after a marker only).
RELATIVE_PRONOUNS = ("we", "i", "you", "they")
# After a lead or marker ("and for ...", "what about ...") a subject may be longer.
MAX_LED_SUBJECT_WORDS = 10
# "and on windows nodes?": a place for the previous question, replacing the place it named.
PLACES = ("on", "in", "at", "inside", "within", "under")
# The most words of a place kept from a previous question ("on the enterprise plan").
MAX_PLACE_WORDS = 5
# Particles after which "that"/"this" is a pronoun, not a determiner ("who sets that up?";
# places too: "can we get that on the free tier?").
PARTICLES = ("up", "down", "out", "off", "over", "back")
# Words that may close a follow-up without adding to it ("who fixes that then?").
AFTERTHOUGHTS = ("then", "now", "too", "again")
# "what about from a tool not on your list?" after "is importing from X supported?": a phrase
# for the previous question that replaces the one it named after the same preposition.
SWAP_PREPOSITIONS = (
    "from", "for", "with", "without", "via", "through", "using", "to", "into", "by", "across",
    "between", "outside", "beyond", "including", "except", "excluding",
)  # fmt: skip
# Of those, the ones that add a manner when the previous question named none ("with a custom
# DNS server?" after "is a private cluster supported?").
MANNER_PREPOSITIONS = (
    "with", "without", "via", "through", "using", "across", "between", "outside", "beyond",
    "including", "except", "excluding",
)  # fmt: skip
# How a thing is done: "automatically?", "manually?".
MANNERS = ("automatically", "manually", "immediately", "proactively")
# Prepositions before "which"/"what" that ask the previous question under them ("on which
# subnets?"), beside the swap prepositions and places.
WH_PREPOSITIONS = ("after", "before", "during", "until", "since", "per")
# The parties a predicate puts an action on ("is that on me?", "is that up to microsoft?").
PARTIES = ("me", "us", "you", "microsoft", "ms", "msft", "azure", "aks", "the customer", "support")
# The fewest letters of a one-word participle that swaps the previous one ("and deleted?"):
# shorter words in -ed are names as often ("kured").
MIN_PARTICIPLE_LETTERS = 6
# "even on the free tier?", "only with my permission?": a word that narrows the phrase after it.
FOCUS_WORDS = ("even", "only", "just", "also", "still", "back")
# Words that end the replaced phrase: the question's own predicate follows.
PREDICATE_WORDS = (
    "supported", "covered", "allowed", "permitted", "ok", "okay", "fine", "included",
    "available", "free", "possible",
)  # fmt: skip
# "we're on the team plan" / "it's been 2 months": a short statement of the asker's situation
# asks the previous question again under it, as "what if ..." does.
SITUATION_OPENERS = (
    "we're", "we are", "i'm", "im", "i am", "we've", "we have", "i have", "we use",
    "we run", "we only", "we do", "we don't", "we dont", "we already", "we still", "we just",
    "we got", "it's been", "its been", "it has been", "it was", "that was", "they were",
    "it's only", "its only", "it only",
)  # fmt: skip
MAX_SITUATION_WORDS = 8
# Pronouns replaced in one message: "it and it and it ..." must not multiply a long subject.
MAX_REPLACED_ANAPHORS = 3
# A rewrite longer than this (the longest question accepted) is dropped: the message stands alone.
MAX_REWRITE_CHARS = 2000

# Regular past participles need no entry; these do.
IRREGULAR_PARTICIPLES = {
    "run": "run", "do": "done", "get": "gotten", "take": "taken", "keep": "kept",
    "make": "made", "give": "given", "set": "set", "put": "put", "see": "seen",
}  # fmt: skip
