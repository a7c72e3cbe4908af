"""Follow-up rules: each rewrites an elliptical message from the earlier turns, by rule data."""

from __future__ import annotations

import pytest

from assistant.answer.followup import (
    clean_subject,
    extract_subject,
    phrase_subject,
    resolve_followup,
    strip_markers,
)
from assistant.models import Frame


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("Is Istio supported?", "Istio"),
        ("is istio supported on aks? thinking about rolling it out", "istio"),
        ("Are preview features actually supported?", "preview features"),
        ("Who is responsible for kubernetes upgrades?", "kubernetes upgrades"),
        ("who's on the hook for etcd backups then", "etcd backups"),
        ("who patches sshd on the worker nodes", "sshd"),
        ("who reboots nodes after OS patches?", "nodes"),
        ("how often is etcd backed up?", "etcd"),
        ("how often does etcd get backed up", "etcd"),
        ("where do the aks nodes show up in the portal? can't find them", "the aks nodes"),
        ("Does Microsoft support the API server?", "the API server"),
        ("can I open a support case for envoy?", "envoy"),
        ("coredns — do I run it or does microsoft", "coredns"),
        ("What does the policy say about NSGs?", "NSGs"),
        ("how many major versions do you support", "major versions"),
        ("How many worker nodes can a cluster have?", "worker nodes"),
        ("Is it ok to customize NSG rules?", None),
        ("tell me a joke", None),
    ],
)
def test_extract_subject(question: str, subject: str | None) -> None:
    assert extract_subject(question) == subject


def test_strip_markers_and_clean_subject() -> None:
    assert strip_markers("ok so, and what about helm?") == "what about helm"
    assert strip_markers("ok?") == "ok"
    assert clean_subject("istio on aks, thinking about it") == "istio"
    assert clean_subject("them") is None


def chain(*messages: str) -> list[tuple[str, str | None]]:
    """Resolve each message against the resolved questions before it."""
    resolved: list[str] = []
    out = []
    for message in messages:
        resolution = resolve_followup(message, resolved)
        resolved.append(resolution.question)
        out.append((resolution.question, resolution.rule))
    return out


def test_first_message_stands_alone() -> None:
    resolution = resolve_followup("what about kured?", [])
    assert (resolution.question, resolution.rule) == ("what about kured?", None)


def test_subject_swap_keeps_the_scope_frame() -> None:
    assert chain("Is Istio supported?", "what about kured?", "and Envoy?", "ok and linkerd?") == [
        ("Is Istio supported?", None),
        ("Is kured supported?", "subject_swap"),
        ("Is Envoy supported?", "subject_swap"),
        ("Is linkerd supported?", "subject_swap"),
    ]


def test_subject_swap_keeps_the_responsibility_frame() -> None:
    assert chain("who reboots nodes after OS patches?", "and kubernetes upgrades?")[1] == (
        "Who is responsible for kubernetes upgrades?",
        "subject_swap",
    )


def test_subject_swap_in_a_fact_question_keeps_its_wording() -> None:
    assert chain("how often is etcd backed up?", "and the api server?")[1] == (
        "How often is the api server backed up?",
        "subject_swap",
    )


def test_a_question_opened_by_when_is_no_circumstance_to_replace() -> None:
    # "when do you ..." asks; "when the image is updated" is a circumstance the condition replaces
    assert chain("on weekends when do you answer the phone?", "and if it's a holiday?")[1][0] == (
        "On weekends when do you answer the phone if it's a holiday?"
    )
    replaced = chain(
        "who patches the node when the image is updated?", "and if it's a windows node?"
    )
    assert replaced[1][0] == "Who patches the node if it's a windows node?"


@pytest.mark.parametrize(
    "message", ["even before a firmware upgrade?", "just before a firmware upgrade?"]
)
def test_a_circumstance_narrowed_by_a_focus_word_is_added(message: str) -> None:
    focus = message.split()[0]
    for asked in (
        "Who keeps backups of the router configs?",
        "Who looks after backups of the router configs?",  # "after" of "look after" stays
    ):
        assert resolve_followup(message, [asked]).question == (
            f"{asked[:-1]} {focus} before a firmware upgrade?"
        )


def test_even_when_the_asker_does_something_adds_to_the_circumstance_named() -> None:
    asked = "does support help if the api server is unreachable?"
    assert resolve_followup("even after i bump to 1.30?", [asked]).question == (
        "Does support help if the api server is unreachable even after i bump to 1.30?"
    )


def test_a_demonstrative_before_another_noun_is_left_when_the_subject_is_determined() -> None:
    # "that tier" is not "the opening hours": left as typed
    tier = chain("what are the opening hours on the gold tier?", "phone support on that tier?")
    assert tier[1][0] == "phone support on that tier?"
    # a bare subject names the noun's kind; before a verb or predicate "that" is a pronoun
    backups = chain("how often is etcd backed up?", "can I get those backups?")
    assert backups[1][0] == "Can I get etcd backups?"
    kubelet = chain("who maintains the kubernetes components", "does that include the kubelet?")
    assert kubelet[1][0] == "Does the kubernetes components include the kubelet?"


# One question, one follow-up and the question the follow-up asks (None: the question again).
@pytest.mark.parametrize(
    ("asked", "message", "rewrite"),
    [
        # a denied party or a doubt about now asks the question again
        ("who is responsible for node pool sizing?", "not microsoft?", None),
        ("who is responsible for node pool sizing?", "not me?", None),
        ("does support cover kured?", "is that still true today?", None),
        ("does support cover kured?", "same?", None),
        # the subject's qualifications
        (
            "are spot node pools supported?",
            "any caveats?",
            "Are there any caveats for spot node pools?",
        ),
        (
            "are spot node pools supported?",
            "are there any limitations?",
            "Are there any limitations for spot node pools?",
        ),
        # "not even X?" asks "even X?"; a focus word is no part of a new subject
        (
            "can i get support for my app code?",
            "not even for crashes?",
            "Can i get support for my app code even for crashes?",
        ),
        ("is istio supported?", "not even linkerd?", "Is linkerd supported?"),
        ("is istio supported?", "and the ingress, same?", "Is the ingress supported?"),
        # a tail that negates or repeats, and a manner added or swapped
        ("is helm supported?", "my own charts either?", "Are my own charts supported?"),
        ("is helm supported?", "not my own charts either?", "Are my own charts supported?"),
        ("istio isn't supported, right?", "linkerd neither?", "Is linkerd supported?"),
        (
            "who rotates the cluster certificates?",
            "automatically?",
            "Who rotates the cluster certificates automatically?",
        ),
        (
            "do node images get applied automatically?",
            "manually?",
            "Do node images get applied manually?",
        ),
        (
            "who rotates the cluster certificates?",
            "is it automatic?",
            "Are the cluster certificates rotated automatically?",
        ),
        (
            "who upgrades the node images?",
            "is that done manually?",
            "Are the node images upgraded manually?",
        ),
        # a numbered thing, a quantified range and "ones" for the subject's noun
        (
            "what's the response time for a sev 1 on premium?",
            "and sev 2?",
            "What's the response time for a sev 2 on premium?",
        ),
        (
            "when does .net 8 isolated go out of support?",
            "and .net 10?",
            "When does .net 10 isolated go out of support?",
        ),
        (
            "do you offer 24/7 support?",
            "for all plans?",
            "Do you offer 24/7 support for all plans?",
        ),
        (
            "does support cover third-party integrations?",
            "what about ones we built?",
            "Are integrations we built supported?",
        ),
        (
            "is data restored if i delete it by mistake?",
            "within how many days?",
            "Within how many days is data restored if i delete it by mistake?",
        ),
        # a count, a range and a pronoun in a new subject
        (
            "are read replicas supported?",
            "how many can i have?",
            "How many read replicas can i have?",
        ),
        (
            "are read replicas supported?",
            "across regions?",
            "Are read replicas supported across regions?",
        ),
        (
            "is point-in-time restore supported?",
            "for how many days?",
            "For how many days is point-in-time restore supported?",
        ),
        (
            "who handles backups of my data?",
            "and restoring them?",
            "Who is responsible for restoring backups of my data?",
        ),
        # a passive subject, a doubt about any of it and a time asked of an action
        (
            "is the kubelet managed by microsoft?",
            "and containerd?",
            "Is containerd managed by microsoft?",
        ),
        (
            "is the kubelet fully managed by microsoft?",
            "and containerd?",
            "Is containerd fully managed by microsoft?",
        ),
        (
            "can i customize the node image?",
            "not even a little?",
            "Can i customize the node image?",
        ),
        (
            "who fixes broken nodes?",
            "within what time?",
            "Within what time are broken nodes fixed?",
        ),
        # a part of the subject, an inclusion and what support may see
        (
            "who manages the control plane?",
            "and its availability?",
            "Who is responsible for the control plane's availability?",
        ),
        (
            "who manages the control plane?",
            "including etcd?",
            "Who manages the control plane including etcd?",
        ),
        ("can support see my secrets?", "what about my logs?", "Can support see my logs?"),
        # a question word under a preposition asks the question under it
        ("can i customize nsgs?", "on which subnets?", "On which subnets can i customize nsgs?"),
        (
            "who patches the node os?",
            "on which nodes?",
            "On which nodes are the node os patched?",
        ),
        # a pronoun for doing what a "who ...?" question asked about
        (
            "who reboots nodes after patches?",
            "can that be automated?",
            "Can rebooting nodes after patches be automated?",
        ),
        (
            "who keeps kubernetes versions up to date?",
            "is that on me?",
            "Is keeping kubernetes versions up to date on me?",
        ),
        ("who sets up the gateway?", "is it my job?", "Is setting up the gateway my job?"),
        (
            "who upgrades kubernetes?",
            "how long does it take?",
            "How long does upgrading kubernetes take?",
        ),
        # one word after a modifier and a kind of offering swaps the modifier
        ("are alpha features supported?", "and beta?", "Are beta features supported?"),
        ("is the free tier supported?", "and standard?", "Is the standard tier supported?"),
        ("does support cover windows nodes?", "linux too?", "Are linux nodes supported?"),
        (
            "who is responsible for the container runtime on the nodes",
            "kubelet too?",
            "Who is responsible for kubelet?",
        ),
        # "does that apply to X too?" asks the question again about X; "instead" is a remark
        ("is istio supported?", "does that apply to linkerd too?", "Is linkerd supported?"),
        (
            "who reboots nodes after patches?",
            "does that apply to windows nodes?",
            "Who reboots windows nodes after patches?",
        ),
        ("is istio supported?", "how about linkerd instead?", "Is linkerd supported?"),
        # "why is that?" is "why?"; "source?" asks again (the answer cites its clauses)
        ("is helm supported?", "why is that?", "Why is helm supported?"),
        ("is helm supported?", "where does it say that?", None),
        ("is helm supported?", "source?", None),
        # "one" after a verb stands for one of the previous subject
        (
            "who is responsible for etcd backups?",
            "how do i get one?",
            "How do i get an etcd backup?",
        ),
        ("are spot node pools supported?", "can i add one?", "Can i add a spot node pool?"),
        ("is calico supported?", "which one?", "which one?"),
        (
            "is the ingress supported?",
            "what about the microsoft managed one?",
            "Is the microsoft managed ingress supported?",
        ),
        # "which windows versions?" of windows nodes names the nodes once
        (
            "are windows nodes supported?",
            "which windows versions?",
            "Which versions of windows nodes are supported?",
        ),
        ("can i use my own cni?", "what's not covered?", "What is not covered for my own cni?"),
        # a correction opened without punctuation, or by "wait"
        ("is istio supported?", "sorry i meant linkerd", "Is linkerd supported?"),
        ("is istio supported?", "no wait, linkerd", "Is linkerd supported?"),
        ("is istio supported?", "wait what about linkerd?", "Is linkerd supported?"),
        # "they" who alert or ask is the support organisation, and the auxiliary agrees
        ("who monitors the control plane?", "do they alert me?", "Does Microsoft alert me?"),
        (
            "can microsoft access my nodes?",
            "are they going to ask first?",
            "Is Microsoft going to ask first?",
        ),
        # "it's" for a plural subject
        (
            "who handles upstream bugs?",
            "do i get notified when it's fixed?",
            "Do i get notified when upstream bugs are fixed?",
        ),
        # "does that happen" after a yes/no question about an action
        (
            "does microsoft back up etcd?",
            "how often does that happen?",
            "How often does microsoft back up etcd?",
        ),
        # another participle of the same subject
        (
            "what happens if my subscription is suspended?",
            "and deleted?",
            "What happens if my subscription is deleted?",
        ),
        ("is data deleted after 90 days?", "and archived?", "Is data archived after 90 days?"),
        ("are nodes rebooted by kured?", "and restarted?", "Are nodes restarted by kured?"),
    ],
)
def test_a_follow_up_to_one_question_is_rewritten(
    asked: str, message: str, rewrite: str | None
) -> None:
    expected = rewrite or asked[0].upper() + asked[1:]
    assert resolve_followup(message, [asked]).question == expected


@pytest.mark.parametrize(
    ("message", "rewrite"),
    [
        ("what happens if i don't?", "What happens if i don't reboot nodes after patches?"),
        ("and if i don't?", "What happens if i don't reboot nodes after patches?"),
        ("how do i do that?", "How do i reboot nodes after patches?"),
        ("can kured do it for me?", "Can kured reboot nodes after patches for me?"),
    ],
)
def test_the_duty_a_question_asked_about_stands_for_do_it(message: str, rewrite: str) -> None:
    assert resolve_followup(message, ["do i have to reboot nodes after patches?"]).question == (
        rewrite
    )
    # the doer is no part of the action
    assert resolve_followup(
        "can microsoft do that?", ["should we apply node images ourselves?"]
    ).question == ("Can microsoft apply node images?")


@pytest.mark.parametrize(
    ("asked", "message", "rewrite"),
    [
        (
            "can i edit the vms in the node resource group?",
            "what happens if i do?",
            "What happens if i edit the vms in the node resource group?",
        ),
        (
            "is it ok to ssh into a node and change sysctl",
            "and if we do it anyway?",
            "What happens if we ssh into a node and change sysctl?",
        ),
        (
            "am i allowed to deallocate the vmss?",
            "what if i did",
            "What happens if i deallocate the vmss?",
        ),
        (
            "do i have to reboot nodes after patches?",
            "what if i do?",
            "What happens if i reboot nodes after patches?",
        ),
        ("can we edit the vms ourselves?", "how do we do that?", "How do we edit the vms?"),
    ],
)
def test_the_action_a_question_asked_whether_to_do_stands_for_doing_it(
    asked: str, message: str, rewrite: str
) -> None:
    assert resolve_followup(message, [asked]).question == rewrite


@pytest.mark.parametrize(
    ("message", "rewrite"),
    [
        ("what if i forget?", "What happens if i don't upgrade the kubernetes version?"),
        ("and if we never do it?", "What happens if we don't upgrade the kubernetes version?"),
        ("what happens if i don't?", "What happens if i don't upgrade the kubernetes version?"),
    ],
)
def test_leaving_undone_what_a_who_question_asked_about(message: str, rewrite: str) -> None:
    assert resolve_followup(message, ["who upgrades the kubernetes version?"]).question == rewrite


@pytest.mark.parametrize(
    ("asked", "message", "rewrite"),
    [
        (
            "what's the response time for sev a?",
            "and sev b?",
            "What's the response time for sev b?",
        ),
        (
            "what is the initial response for priority 1 incidents?",
            "and for p2?",
            "What is the initial response for p2 incidents?",
        ),
        (
            "what is the response target for a P1 incident?",
            "and a P3?",
            "What is the response target for a P3 incident?",
        ),
    ],
)
def test_a_level_by_letter_abbreviation_or_after_a_preposition_is_swapped(
    asked: str, message: str, rewrite: str
) -> None:
    assert resolve_followup(message, [asked]).question == rewrite


def test_a_modal_verb_alone_asks_the_same_question_under_it() -> None:
    assert (
        resolve_followup("should i?", ["can i ssh to nodes?"]).question == "Should i ssh to nodes?"
    )
    assert resolve_followup("must we?", ["may we pin the node image?"]).question == (
        "Must we pin the node image?"
    )
    # a previous question that asked no modal verb of the asker gives none to swap
    assert resolve_followup("should i?", ["is helm supported?"]).rule != "modal"


@pytest.mark.parametrize(
    ("asked", "message", "rewrite"),
    [
        (
            "can you restore our data from a backup?",
            "who does that",
            "Who restores our data from a backup?",
        ),
        (
            "do you submit the year-end returns for us?",
            "who does that then?",
            "Who submits the year-end returns for us?",
        ),
        (
            "do i need to update the node images myself?",
            "who does that then?",
            "Who updates the node images?",
        ),
        ("will microsoft patch the api server?", "who does it", "Who patches the api server?"),
    ],
)
def test_who_does_that_names_the_action_asked_about(asked: str, message: str, rewrite: str) -> None:
    assert resolve_followup(message, [asked]).question == rewrite


def test_who_does_that_without_an_action_asks_who_is_responsible() -> None:
    assert resolve_followup("who does that?", ["is etcd backed up?"]).question == (
        "Who is responsible for etcd?"
    )


@pytest.mark.parametrize(
    ("asked", "message", "rewrite"),
    [
        ("is the hr connector covered?", "who sets that up?", "Who sets the hr connector up?"),
        (
            "is the ingress controller supported?",
            "who configures that then?",
            "Who configures the ingress controller then?",
        ),
        (
            "what is the uptime sla?",
            "can we get that on the free tier?",
            "Can we get the uptime sla on the free tier?",
        ),
        ("what is azure policy?", "is that supported?", "Is azure policy supported?"),
        # a demonstrative after a preposition of time stays: it points at the event
        ("who patches the nodes?", "and who reboots them after that?", None),
    ],
)
def test_a_demonstrative_before_a_particle_or_place_or_alone_is_the_subject(
    asked: str, message: str, rewrite: str | None
) -> None:
    resolved = resolve_followup(message, [asked]).question
    if rewrite is None:
        assert resolved.endswith("after that?")
    else:
        assert resolved == rewrite


@pytest.mark.parametrize(
    ("asked", "message", "rewrite"),
    [
        (
            "is phone support included on the business plan?",
            "and chat support?",
            "Is chat support supported on the business plan?",
        ),
        (
            "is dmarc reporting included on business?",
            "what about our own encryption keys",
            "Are our own encryption keys included on business?",
        ),
        (
            "are dlp policy reviews included on business",
            "and migration assistance?",
            "Is migration assistance included on business?",
        ),
        (
            "do we get phone support on business",
            "what about chat support?",
            "Is chat support supported on business?",
        ),
        (
            "can i get the uptime sla on the free tier?",
            "and long term support?",
            "Is long term support supported on the free tier?",
        ),
        (
            "do premium clients get a named success manager?",
            "and the quarterly review?",
            "Do premium clients get the quarterly review?",
        ),
        # a new subject that names its own place takes the old one's
        (
            "is there 24/7 coverage on enterprise?",
            "and a TAM on enterprise?",
            "Is there a TAM on enterprise?",
        ),
        # supported on a platform: the new subject may be another platform, so none is kept
        ("is the mobile app supported on the latest ios?", "what about android 9?", None),
    ],
)
def test_what_a_plan_offers_keeps_the_plan_for_a_new_subject(
    asked: str, message: str, rewrite: str | None
) -> None:
    resolved = resolve_followup(message, [asked]).question
    assert resolved == (rewrite or "Is android 9 supported?")


def test_a_modal_verb_with_an_afterthought_asks_the_same_question() -> None:
    assert resolve_followup("should i tho?", ["can i ssh into my nodes?"]).question == (
        "Should i ssh into my nodes?"
    )


def test_a_level_named_in_the_plural_is_swapped() -> None:
    asked = "how fast do you respond to P2s on bronze"
    assert resolve_followup("what about p3", [asked]).question == (
        "How fast do you respond to p3 on bronze?"
    )


@pytest.mark.parametrize(
    ("message", "rewrite"),
    [
        # a doubt with a remark asks the question again
        ("really? they're just vms", "Is deallocating the nodes a supported way to stop it?"),
        (
            "are you sure?? it's only a restart",
            "Is deallocating the nodes a supported way to stop it?",
        ),
        # a doubt before a question of its own asks that one
        ("really? is helm supported?", "Is helm supported?"),
    ],
)
def test_a_doubt_with_more_to_say(message: str, rewrite: str) -> None:
    asked = "is deallocating the nodes a supported way to stop it?"
    assert resolve_followup(message, [asked]).question == rewrite


@pytest.mark.parametrize(
    ("message", "rewrite"),
    [
        (
            "back to the alpha thing, what if the docs say it's fine?",
            "Does aks support alpha features if the docs say it's fine?",
        ),
        (
            "back to containerd - if it crashes who fixes it?",
            "Who is responsible for the container runtime if it crashes?",
        ),
        ("going back to helm: what about charts i wrote?", "Are charts i wrote supported?"),
    ],
)
def test_back_to_an_earlier_turn_asks_about_that_turn(message: str, rewrite: str) -> None:
    turns = [
        "does aks support alpha features?",
        "who is responsible for the container runtime?",
        "is helm supported?",
        "what about preview features?",
    ]
    assert resolve_followup(message, turns).question == rewrite


@pytest.mark.parametrize(
    ("asked", "rewrite"),
    [
        (
            "do gold customers get any free project hours?",
            "How many project hours do gold customers get?",
        ),
        ("do we get free restores on premium?", "How many restores do we get on premium?"),
    ],
)
def test_how_many_asks_for_the_amount_of_the_thing_asked_about(asked: str, rewrite: str) -> None:
    assert resolve_followup("how many?", [asked]).question == rewrite


def test_a_pronoun_after_a_question_of_what_the_provider_does_is_doing_it() -> None:
    asked = "do you come on site for P1 incidents?"
    assert resolve_followup("is that included on bronze?", [asked]).question == (
        "Is coming on site for P1 incidents included on bronze?"
    )


@pytest.mark.parametrize("message", ["for free?", "even at no extra cost?", "free of charge?"])
def test_at_no_charge_asks_the_previous_question_so(message: str) -> None:
    resolved = resolve_followup(message, ["will you help with the handover?"]).question
    cost = message.rstrip("?").removeprefix("even ")
    assert resolved == f"Will you help with the handover {cost}?"


def test_a_statement_of_when_it_happened_is_a_situation() -> None:
    asked = "can you restore a recording I deleted?"
    assert resolve_followup("it was 3 weeks ago", [asked]).question == (
        "Can you restore a recording I deleted if it was 3 weeks ago?"
    )


def test_a_version_alone_swaps_the_version_the_question_named() -> None:
    asked = "when does support end for add-in 5.0?"
    assert resolve_followup("and 5.1?", [asked]).question == (
        "When does support end for add-in 5.1?"
    )


def test_what_someone_does_is_no_subject_to_swap() -> None:
    resolved = resolve_followup(
        "so they handle full cluster backup too?", ["does ms back up etcd?"]
    )
    assert resolved.question == "Does Microsoft handle full cluster backup too?"


def test_make_it_points_back_unless_it_is_an_idiom() -> None:
    asked = "how long is quarantined mail kept?"
    assert resolve_followup("can we make it longer?", [asked]).question == (
        "Can we make quarantined mail longer?"
    )
    assert resolve_followup("can we make it work?", [asked]).rule is None


def test_that_one_before_a_noun_is_left_as_typed() -> None:
    asked = "someone deleted an employee record, can you restore it from backup?"
    resolved = resolve_followup("just that one record though", [asked]).question
    assert "record record" not in resolved


def test_doing_it_names_no_action_after_a_question_that_asked_none() -> None:
    # "is helm supported" asks about no action of the asker's: the message is a condition
    assert resolve_followup("what if i do", ["is helm supported"]).rule == "condition"


def test_the_action_of_a_who_question_holds_over_a_question_word() -> None:
    turns = chain("who reboots nodes after patches?", "how often?", "can that be automated?")
    assert turns[2] == ("Can rebooting nodes after patches be automated?", "action")


def test_the_duty_holds_over_a_question_about_leaving_it_undone() -> None:
    turns = chain(
        "do i have to reboot nodes after patches?",
        "what happens if i don't?",
        "can kured do it for me?",
    )
    assert turns[2] == ("Can kured reboot nodes after patches for me?", "action")


def test_a_word_before_a_definite_determiner_ends_the_subject_as_its_verb() -> None:
    asked = "when the technician replaces the disk, does he test it?"
    assert phrase_subject(asked) == "the technician"
    assert chain(asked, "can they also install our software?")[1][0] == (
        "Can the technician also install our software?"
    )
    # "a lot" is no object: the noun before it stays in the phrase
    assert phrase_subject("we use the litware chat connector a lot, is it covered?") == (
        "the litware chat connector"
    )


@pytest.mark.parametrize(
    "message", ["helm too?", "thanks! and helm too?", "same for helm", "helm?"]
)
def test_other_subject_swap_shapes(message: str) -> None:
    assert resolve_followup(message, ["Is Istio supported?"]).question == "Is helm supported?"


def test_each_one_is_each_of_the_previous_subject() -> None:
    assert chain("how many major versions do you support", "how long does each one last")[1] == (
        "How long does each major version last?",
        "anaphora",
    )
    assert chain("how many severity levels are there?", "what does each one mean")[1] == (
        "What does each severity level mean?",
        "anaphora",
    )
    assert chain("how many support policies are there?", "when does each one end")[1][0] == (
        "When does each support policy end?"
    )


def test_pronouns_carry_the_subject_forward() -> None:
    assert chain("Is Istio supported?", "what about Kured?", "who patches them?") == [
        ("Is Istio supported?", None),
        ("Is Kured supported?", "subject_swap"),
        ("Who patches Kured?", "anaphora"),
    ]


def test_a_verbs_preposition_is_not_part_of_the_subject() -> None:
    assert chain(
        "how often is etcd backed up?",
        "can I get at those backups myself?",
        "so who's on the hook for them then",
    )[1:] == [
        ("Can I get at etcd backups myself?", "anaphora"),
        ("Who's on the hook for etcd backups then?", "anaphora"),
    ]


def test_demonstrative_noun_combines_with_the_subject() -> None:
    assert chain(
        "how often is etcd backed up?",
        "can I get those backups?",
        "so who's on the hook for them then",
    ) == [
        ("how often is etcd backed up?", None),
        ("Can I get etcd backups?", "anaphora"),
        ("Who's on the hook for etcd backups then?", "anaphora"),
    ]


def test_they_who_tell_or_patch_is_microsoft() -> None:
    resolution = resolve_followup("will they at least tell me?", ["Who patches the clusters?"])
    assert resolution.question == "Will Microsoft at least tell me?"


@pytest.mark.parametrize(
    "message",
    ["is it ok to block port 443?", "is it safe if we restart?", "is it fine for us to scale?"],
)
def test_expletive_it_is_left_alone(message: str) -> None:
    assert resolve_followup(message, ["Is Istio supported?"]).rule is None


def test_bare_question_words_reuse_the_previous_question() -> None:
    assert chain("Is Istio supported?", "who patches them?", "how often?")[2] == (
        "How often is Istio patched?",
        "wh_fragment",
    )
    assert chain("Does Microsoft back up etcd?", "how often?")[1] == (
        "How often does Microsoft back up etcd?",
        "wh_fragment",
    )
    assert chain("how often is etcd backed up?", "why?")[1] == (
        "Why is etcd backed up?",
        "wh_fragment",
    )
    assert chain("Is Kured supported?", "who?")[1] == (
        "Who is responsible for Kured?",
        "wh_fragment",
    )


def test_conditions_attach_to_the_previous_question_and_replace_its_condition() -> None:
    assert chain(
        "does aks support alpha k8s features?",
        "even if the aks team asked us to try them out?",
        "and if it's behind a feature flag?",
    )[1:] == [
        (
            "Does aks support alpha k8s features even if the aks team asked us to try them out?",
            "condition",
        ),
        ("Does aks support alpha k8s features if it's behind a feature flag?", "condition"),
    ]


def test_a_fronted_subject_resolves_its_own_pronoun() -> None:
    assert chain(
        "who patches sshd on the worker nodes", "and the OS patches, do I need to reboot for those?"
    )[1] == ("Do I need to reboot for the OS patches?", "fronted_subject")


def test_follow_ups_skip_back_to_the_last_question_with_a_subject() -> None:
    previous = ["Is Istio supported?", "tell me more"]
    assert resolve_followup("and helm?", previous).question == "Is helm supported?"


def test_standalone_questions_are_untouched() -> None:
    previous = ["Is Istio supported?"]
    for message in ("Who is responsible for kubernetes upgrades?", "Can I SSH into worker nodes?"):
        assert resolve_followup(message, previous).question == message
        assert resolve_followup(message, previous).rule is None


LONG_SUBJECT_QUESTION = "Is " + " ".join(["kured"] * 300) + " supported?"


@pytest.mark.parametrize(
    "message",
    ["does it patch it and it or it?", "who patches them, they, those, it?",
     " ".join(["and it"] * 280)],
)  # fmt: skip
def test_a_rewrite_never_outgrows_the_question_limit(message: str) -> None:
    resolution = resolve_followup(message, [LONG_SUBJECT_QUESTION], max_chars=2000)
    assert len(resolution.question) <= 2000
    assert len(resolve_followup(message, [LONG_SUBJECT_QUESTION]).question) <= 2000


def test_a_subject_is_named_once_and_later_pronouns_point_back_at_it() -> None:
    resolution = resolve_followup("does it patch it and it and it?", ["Is Istio supported?"])
    assert resolution.question == "Does Istio patch it and it and it?"
    assert chain(
        "support says our issue is an upstream k8s bug. what happens now?",
        "whats in the known issue they file?",
        "will it say when it gets fixed?",
    )[1:] == [
        ("Whats in the known issue Microsoft file?", "anaphora"),
        ("Will the known issue say when it gets fixed?", "anaphora"),
    ]


def test_at_most_three_demonstratives_are_replaced() -> None:
    resolution = resolve_followup(
        "who patches those and who reboots those and who upgrades those and who backs up those?",
        ["Is Istio supported?"],
    )
    assert resolution.question.count("Istio") == 3


# --- issue 16 item 7: a new condition replaces the old one; "and X Y Z?" forms ---------------


@pytest.mark.parametrize(
    ("message", "condition"),
    [
        ("what if the patch needs a reboot?", "if the patch needs a reboot?"),
        ("what if it needs the nodes rebooted?", "if OS patches need the nodes rebooted?"),
        ("and what if it's a kernel patch?", "if OS patches are a kernel patch?"),
    ],
)
def test_a_new_condition_replaces_the_old_circumstance(message: str, condition: str) -> None:
    resolution = resolve_followup(message, ["Do I need to reboot worker nodes after OS patches?"])
    resolved = f"Do I need to reboot worker nodes {condition}"
    assert (resolution.question, resolution.rule) == (resolved, "condition")


def test_a_pronoun_in_the_new_condition_keeps_the_old_conditions_thing() -> None:
    resolution = resolve_followup(
        "and if it's slow / down a lot?",
        ["can i get help if the API server is unreachable from my network?"],
    )
    assert resolution.question == "Can i get help if the API server is slow / down a lot?"


def test_a_new_condition_drops_the_statement_before_the_old_question() -> None:
    previous = ["Our NSG isnt updating after we created a LoadBalancer svc. will MS support help?"]
    resolution = resolve_followup(
        "what if we customize the nsg rules ourselves, still covered?", previous
    )
    assert resolution.question == "Will MS support help if we customize the nsg rules ourselves?"


def test_a_condition_with_its_own_question_asks_that_question() -> None:
    resolution = resolve_followup(
        "what if the patch needs a reboot, do I have to do the reboot myself?",
        ["Who patches the worker nodes?"],
    )
    assert resolution.question == "Do I have to do the reboot myself if the patch needs a reboot?"


@pytest.mark.parametrize(
    ("message", "resolved"),
    [
        ("and helm?", "Is helm supported?"),
        (
            "and helm charts from the marketplace?",
            "Are helm charts from the marketplace supported?",
        ),
        ("and ingress / lb configs?", "Are ingress / lb configs supported?"),
        ("and for the control plane?", "Is the control plane supported?"),
        ("and who patches the nodes?", "Who patches the nodes?"),
        ("ok and can I ssh into nodes?", "Can I ssh into nodes?"),
    ],
)
def test_and_forms(message: str, resolved: str) -> None:
    assert resolve_followup(message, ["Is Istio supported?"]).question == resolved


def test_and_for_asks_the_same_question_about_the_new_subject() -> None:
    assert chain("Does Microsoft patch the worker nodes?", "and for the control plane?")[1] == (
        "Does Microsoft patch the control plane?",
        "subject_swap",
    )
    assert chain("who reboots nodes after OS patches?", "and for windows nodes?")[1] == (
        "Who reboots windows nodes after OS patches?",
        "subject_swap",
    )


def test_one_stands_for_the_previous_subjects_noun() -> None:
    assert chain("is kong ingress supported?", "and the microsoft managed one?")[1] == (
        "Is the microsoft managed ingress supported?",
        "subject_swap",
    )
    assert chain("are stable kubernetes features supported?", "and alpha ones?")[1] == (
        "Are alpha features supported?",
        "subject_swap",
    )


def test_help_is_not_a_subject() -> None:
    assert extract_subject("can i get help if the API server is unreachable?") is None


@pytest.mark.parametrize(
    "message",
    ["and " + " ".join(["kured"] * 5) + "?", "and for " + " ".join(["kured"] * 400) + "?",
     "what if it " + " and it ".join(["breaks"] * 200) + "?", "and who " + "patches " * 300],
)  # fmt: skip
def test_and_and_condition_forms_stay_within_the_limit(message: str) -> None:
    previous = ["Do I need to reboot " + " ".join(["kured"] * 300) + " after OS patches?"]
    for prev in (previous, [LONG_SUBJECT_QUESTION]):
        assert len(resolve_followup(message[:2000], prev).question) <= 2000


@pytest.mark.parametrize(
    ("previous", "message", "resolved"),
    [
        ("can I customize nsg rules on my own custom subnet?", "and on the managed subnets?",
         "Can I customize nsg rules on the managed subnets?"),
        ("can I customize nsg rules on the managed subnets?", "what about at the node NIC level?",
         "Can I customize nsg rules at the node NIC level?"),
        ("Are preview features supported?", "and in production?",
         "Are preview features supported in production?"),
        ("Is Istio supported if I install it myself?", "and on windows nodes?",
         "Is Istio supported on windows nodes if I install it myself?"),
    ],
)  # fmt: skip
def test_a_new_place_replaces_the_old_one(previous: str, message: str, resolved: str) -> None:
    resolution = resolve_followup(message, [previous])
    assert (resolution.question, resolution.rule) == (resolved, "place_swap")


def test_a_subject_after_a_lead_may_be_longer() -> None:
    resolution = resolve_followup(
        "and for kubernetes version upgrades of the control plane?",
        ["who is responsible for etcd backups?"],
    )
    assert resolution.question == (
        "Who is responsible for kubernetes version upgrades of the control plane?"
    )


def test_a_condition_with_its_own_question_keeps_the_pronouns_thing() -> None:
    resolution = resolve_followup(
        "what if we skip them for like 6 months, are we still supported?",
        ["Who has to apply new node images?"],
    )
    assert resolution.question == (
        "Are we still supported if we skip new node images for like 6 months?"
    )


@pytest.mark.parametrize(
    ("previous", "message", "question"),
    [
        ("Is Istio supported?", "and operators we install from operatorhub?",
         "Are operators we install from operatorhub supported?"),
        ("who patches the node OS?", "also images you publish weekly?",
         "Who is responsible for images you publish weekly?"),
    ],
)  # fmt: skip
def test_a_led_subject_may_carry_a_relative_clause(
    previous: str, message: str, question: str
) -> None:
    assert resolve_followup(message, [previous]).question == question


def test_a_clause_after_a_marker_is_not_read_as_a_subject() -> None:
    resolution = resolve_followup("and we need it rebooted?", ["Is Istio supported?"])
    assert resolution.rule != "subject_swap"


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("with windows nodes can support look at dns failures?", "dns failures"),
        ("for our prod cluster is istio supported?", "istio"),
        ("which system pods get restarted automatically?", "system pods"),
        ("what components are managed by microsoft", "components"),
    ],
)
def test_subjects_after_a_scene_or_in_which_questions(question: str, subject: str) -> None:
    assert extract_subject(question) == subject


def test_the_frame_a_question_was_answered_in_shapes_the_swap() -> None:
    previous = ["can support look at pod networking problems?"]  # no scope cue word
    answered = resolve_followup("and dns failures?", previous, frames=[Frame.SCOPE])
    assert answered.question == "Are dns failures supported?"
    by_cues = resolve_followup("and dns failures?", previous)
    assert by_cues.question != answered.question


def test_a_short_approval_after_a_how_to_asks_whether_the_condition_is_supported() -> None:
    previous = ["how do I scale my node pool down?"]
    resolution = resolve_followup("what if I delete the VMs by hand, still fine?", previous)
    assert (resolution.question, resolution.rule) == (
        "Is it supported if I delete the VMs by hand?",
        "condition",
    )
    scope = resolve_followup(
        "what if I delete the VMs by hand, still fine?", ["Is Istio supported?"]
    )
    assert scope.question == "Is Istio supported if I delete the VMs by hand?"


@pytest.mark.parametrize(
    ("previous", "message", "question"),
    [
        (
            "we rely on the chat connector a lot, is it covered by support?",
            "who maintains it?",
            "Who maintains the chat connector?",
        ),
        ("is our data copied to the sandbox?", "who refreshes it", "Who refreshes our data?"),
        ("do you support chrome?", "who patches it?", "Who patches chrome?"),
    ],
)  # fmt: skip
def test_an_earlier_question_no_frame_fits_still_names_its_noun_phrase(
    previous: str, message: str, question: str
) -> None:
    assert resolve_followup(message, [previous]).question == question


def test_no_noun_phrase_is_read_from_pronouns_alone() -> None:
    assert phrase_subject("is it ok to customize nsg rules?") is None
    assert phrase_subject("can we do that?") is None


@pytest.mark.parametrize(
    ("previous", "message", "question"),
    [
        ("is edge os 6 supported?", "and 5?", "Is edge os 5 supported?"),
        ("is the REST API v2 supported?", "what about v1", "Is the REST API v1 supported?"),
        ("when is api v1 retired", "and v2?", "When is api v2 retired?"),
        (
            "is api version 2024-09-15 supported?",
            "and 2023-11-01?",
            "Is api version 2023-11-01 supported?",
        ),
    ],
)
def test_a_bare_version_swaps_the_earlier_subjects_version(
    previous: str, message: str, question: str
) -> None:
    resolution = resolve_followup(message, [previous])
    assert (resolution.question, resolution.rule) == (question, "version_swap")


def test_a_bare_number_after_a_subject_without_one_stays_as_typed() -> None:
    assert resolve_followup("and 5?", ["Is Istio supported?"]).rule is None


def test_the_asker_of_a_how_do_i_question_is_not_its_subject() -> None:
    assert extract_subject("how do i open a ticket?") is None
    assert resolve_followup("can any agent do it?", ["how do i open a ticket?"]).question == (
        "Can any agent do a ticket?"
    )


@pytest.mark.parametrize(
    ("previous", "message", "resolved"),
    [
        (
            "who reboots nodes after OS patches?",
            "can microsoft do it for me",
            "Can microsoft reboot nodes after OS patches for me?",
        ),
        (
            "who reboots nodes after OS patches?",
            "how do I do it",
            "How do I reboot nodes after OS patches?",
        ),
        (
            "Who upgrades the firmware on the gateways?",
            "can northwind do that for us",
            "Can northwind upgrade the firmware on the gateways for us?",
        ),
        (
            "Who applies security patches to the engine?",
            "will you do it at night",
            "Will you apply security patches to the engine at night?",
        ),
        (
            "who reboots nodes after OS patches?",
            "does it happen automatically",
            "Are nodes rebooted after OS patches automatically?",
        ),
        (
            "Who rotates the administrator credentials?",
            "how often should that happen",
            "How often are the administrator credentials rotated?",
        ),
    ],
)
def test_do_it_and_it_happens_stand_for_the_action_asked_about(
    previous: str, message: str, resolved: str
) -> None:
    """ "do it" after "who reboots X?" is rebooting X, not doing X; "it happens" is X being
    rebooted."""
    assert chain(previous, message)[1] == (resolved, "action")


def test_who_does_it_still_asks_who() -> None:
    assert chain("who reboots nodes after OS patches?", "who does it then")[1][1] != "action"


@pytest.mark.parametrize(
    ("previous", "message", "resolved"),
    [
        (
            "How long are backups kept?",
            "and transaction logs?",
            "How long are transaction logs kept?",
        ),
        (
            "How long does a stopped cluster stay around?",
            "and a deallocated one?",
            "How long does a deallocated cluster stay around?",
        ),
    ],
)
def test_a_fact_question_keeps_its_irregular_participle_and_particle(
    previous: str, message: str, resolved: str
) -> None:
    assert chain(previous, message)[1] == (resolved, "subject_swap")


def test_a_new_circumstance_replaces_the_old_one() -> None:
    assert chain("Who reboots nodes after OS patches?", "and after kernel updates?")[1] == (
        "Who reboots nodes after kernel updates?",
        "circumstance_swap",
    )


@pytest.mark.parametrize(
    ("previous", "message", "resolved"),
    [
        (
            "Can I customize NSG rules?",
            "on the node subnet specifically?",
            "Can I customize NSG rules on the node subnet?",
        ),
        (
            "Are preview features supported?",
            "in production i mean",
            "Are preview features supported in production?",
        ),
    ],
)
def test_a_trailing_remark_does_not_hide_a_new_place(
    previous: str, message: str, resolved: str
) -> None:
    assert chain(previous, message)[1] == (resolved, "place_swap")


def test_a_message_that_opens_a_question_is_not_a_subject() -> None:
    assert chain("Is the Kured daemonset supported?", "what's kured")[1] == ("what's kured", None)


@pytest.mark.parametrize(
    ("previous", "message", "resolved", "rule"),
    [
        # a stated situation asks the previous question under it
        (
            "is the uptime SLA available?",
            "ok we're on the free tier btw",
            "Is the uptime SLA available if we're on the free tier?",
            "situation",
        ),
        (
            "is the uptime SLA available?",
            "it's been two weeks",
            "Is the uptime SLA available if it's been two weeks?",
            "situation",
        ),
        (
            "is the uptime SLA available?",
            "we do have availability zones turned on",
            "Is the uptime SLA available if we do have availability zones turned on?",
            "situation",
        ),
        # a phrase after a preposition replaces the one the previous question named
        (
            "is pulling images from docker hub supported?",
            "what about from a private registry?",
            "Is pulling images from a private registry supported?",
            "phrase_swap",
        ),
        (
            "can i move a node pool from standard to premium tier?",
            "what about from premium to free?",
            "Can i move a node pool from premium to free?",
            "phrase_swap",
        ),
        (
            "what's the response time for a sev A ticket?",
            "and for a sev C one?",
            "What's the response time for a sev C ticket?",
            "phrase_swap",
        ),
        # ... or adds a manner it did not name
        (
            "is a private cluster supported?",
            "with a custom DNS server?",
            "Is a private cluster supported with a custom DNS server?",
            "phrase_swap",
        ),
        (
            "is calico supported with kubenet?",
            "and with azure cni?",
            "Is calico supported with azure cni?",
            "phrase_swap",
        ),
        # a narrowed phrase is added, replacing the place named
        (
            "is the uptime SLA included?",
            "even on the free tier?",
            "Is the uptime SLA included even on the free tier?",
            "focus",
        ),
        (
            "is istio supported on linux nodes?",
            "even on windows?",
            "Is istio supported even on windows?",
            "focus",
        ),
        (
            "can microsoft access my nodes?",
            "only with my permission?",
            "Can microsoft access my nodes only with my permission?",
            "focus",
        ),
        (
            "is istio supported?",
            "and back in 2020?",
            "Is istio supported back in 2020?",
            "focus",
        ),
        # question words asked of the previous question
        (
            "who patches the control plane?",
            "how quickly after a CVE?",
            "How quickly is the control plane patched after a CVE?",
            "wh_fragment",
        ),
        (
            "who reboots nodes after OS patches?",
            "how fast after a kernel patch?",
            "How fast are nodes rebooted after a kernel patch?",
            "wh_fragment",
        ),
        (
            "is the open service mesh add-on supported?",
            "why not?",
            "Why is the open service mesh add-on not supported?",
            "wh_fragment",
        ),
        (
            "does microsoft patch my application containers?",
            "why not?",
            "Why does microsoft not patch my application containers?",
            "wh_fragment",
        ),
        (
            "does microsoft patch my application containers?",
            "who does then?",
            "Who patches my application containers?",
            "wh_fragment",
        ),
        # new subjects
        (
            "are third-party ingress controllers supported?",
            "like nginx or traefik?",
            "Is nginx or traefik supported?",
            "subject_swap",
        ),
        (
            "is istio supported?",
            "is it the same for linkerd?",
            "Is linkerd supported?",
            "subject_swap",
        ),
        ("is cilium supported?", "same q for calico", "Is calico supported?", "subject_swap"),
        (
            "who patches the worker nodes?",
            "is that the same for the control plane?",
            "Who patches the control plane?",
            "subject_swap",
        ),
        (
            "how long is a deleted cluster recoverable?",
            "and a deleted node pool?",
            "How long is a deleted node pool recoverable?",
            "subject_swap",
        ),
        (
            "are images from the gallery supported?",
            "and community ones?",
            "Are community images supported?",
            "subject_swap",
        ),
        (
            "do you support kubernetes 1.26?",
            "how long until it's retired?",
            "How long until kubernetes 1.26 is retired?",
            "anaphora",
        ),
        # corrections ask the previous question about the subject meant
        (
            "is kubelet supported?",
            "I meant kured, not kubelet",
            "Is kured supported?",
            "correction",
        ),
        (
            "who patches the control plane?",
            "sorry, I meant the node pools",
            "Who patches the node pools?",
            "correction",
        ),
        ("is istio supported?", "no, linkerd", "Is linkerd supported?", "correction"),
        ("is istio supported?", "not istio, linkerd", "Is linkerd supported?", "correction"),
        ("is istio supported?", "really?", "Is istio supported?", "again"),
        ("is istio supported?", "are you sure?", "Is istio supported?", "again"),
        # approval of what was asked asks it again
        ("can i deallocate my nodes?", "is that ok?", "Can i deallocate my nodes?", "again"),
        ("is kured supported?", "would that be allowed?", "Is kured supported?", "again"),
        ("is kured supported?", "is it recommended?", "Is kured recommended?", "anaphora"),
        # "it" before "ok"/"safe" points back unless a clause follows ("is it ok to …")
        ("is kured supported?", "is it ok for prod?", "Is kured ok for prod?", "anaphora"),
        # what may replace the subject
        (
            "is calico supported?",
            "what's the alternative?",
            "What can I use instead of calico?",
            "alternative",
        ),
        (
            "is istio supported?",
            "ok, what should I use instead",
            "What can I use instead of istio?",
            "alternative",
        ),
        # which of the subject
        (
            "is istio supported?",
            "which versions?",
            "Which versions of istio are supported?",
            "which",
        ),
        ("can i use calico?", "which version?", "Which version of calico can i use?", "which"),
        (
            "does microsoft support ubuntu?",
            "and which releases",
            "Which releases of ubuntu does microsoft support?",
            "which",
        ),
        (
            "are custom ingress controllers supported?",
            "which ones?",
            "Which custom ingress controllers are supported?",
            "which",
        ),
        ("is istio supported?", "which one?", "which one?", None),
        # what part of the subject takes the predicate
        (
            "is byocni supported?",
            "what exactly is covered?",
            "What is covered for byocni?",
            "what_part",
        ),
        ("is byocni supported?", "what isn't?", "What isn't supported for byocni?", "what_part"),
        ("who patches the node os?", "what isn't?", "what isn't?", None),
        ("is istio supported?", "what for?", "what for?", None),
        ("is istio supported?", "what kind of support?", "what kind of support?", None),
        # question words with their preposition
        (
            "are stopped clusters supported?",
            "for how long?",
            "For how long are stopped clusters supported?",
            "wh_fragment",
        ),
        (
            "is azure linux supported?",
            "since when?",
            "Since when is azure linux supported?",
            "wh_fragment",
        ),
        (
            "who handles security patches?",
            "within what time frame?",
            "Within what time frame are security patches handled?",
            "wh_fragment",
        ),
        (
            "is byocni supported?",
            "to what extent?",
            "To what extent is byocni supported?",
            "wh_fragment",
        ),
        # versions with an edition; "Are" for a plural subject, "Is" for one thing
        (
            "is windows server 2019 supported?",
            "and 2012 r2?",
            "Is windows server 2012 r2 supported?",
            "version_swap",
        ),
        (
            "are windows server 2019 node pools supported?",
            "2022?",
            "Are windows server 2022 node pools supported?",
            "version_swap",
        ),
        ("is istio supported?", "and kubernetes?", "Is kubernetes supported?", "subject_swap"),
        ("is istio supported?", "what about AKS?", "Is AKS supported?", "subject_swap"),
        (
            "is istio supported?",
            "and adding labels?",
            "Is adding labels supported?",
            "subject_swap",
        ),
        (
            "can support debug my function?",
            "what about advice on retries?",
            "Is advice on retries supported?",
            "subject_swap",
        ),
        # markers alone ask nothing
        ("is istio supported?", "ok cool", "ok cool", None),
        ("is istio supported?", "and then?", "and then?", None),
    ],
)
def test_conversational_forms(previous: str, message: str, resolved: str, rule: str | None) -> None:
    resolution = resolve_followup(message, [previous])
    assert (resolution.question, resolution.rule) == (resolved, rule)


def test_a_situation_with_its_own_question_is_not_a_bare_situation() -> None:
    resolution = resolve_followup("we're on kubenet, is calico supported?", ["is cilium ok?"])
    assert resolution.rule != "situation"
    assert resolve_followup("we're on the free tier", []).question == "we're on the free tier"


def test_acknowledgements_are_markers_and_a_bare_reply_stands_alone() -> None:
    assert strip_markers("thx. and who patches the nodes?") == "who patches the nodes"
    assert strip_markers("cheers, what about helm") == "what about helm"
    assert resolve_followup("yes, and helm?", ["is istio supported?"]).question == (
        "Is helm supported?"
    )
    assert resolve_followup("no", ["is istio supported?"]).rule is None
    # "no" without a pause is part of the question, not a correction
    previous = ["is standby support included?"]
    assert resolve_followup("so no standby support then?", previous).rule != "correction"


@pytest.mark.parametrize(
    ("provider", "asked", "message", "rewrite"),
    [
        (
            "Northwind",
            "who patches the firmware?",
            "will they tell me first?",
            "Will Northwind tell me first?",
        ),
        (
            "Northwind",
            "can northwind see my config?",
            "what about my logs?",
            "Can northwind see my logs?",
        ),
        (
            "Contoso",
            "does contoso patch the host os?",
            "and the runtime?",
            "Who is responsible for the runtime?",
        ),
        # a conversation that names Microsoft keeps it; so does a provider of two names
        (
            "Northwind",
            "who patches the firmware?",
            "will microsoft tell me?",
            "will microsoft tell me?",
        ),
        (
            "Microsoft and Red Hat",
            "who patches the os?",
            "will they tell me first?",
            "Will Microsoft tell me first?",
        ),
    ],
)
def test_the_providers_name_is_read_as_the_support_organisation(
    provider: str, asked: str, message: str, rewrite: str
) -> None:
    assert resolve_followup(message, [asked], provider=provider).question == rewrite
