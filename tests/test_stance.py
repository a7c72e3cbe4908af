"""Clause stances come from cue phrases, lead-ins and headings, with reviewed overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.verdict import Calibration, VerdictDecider
from assistant.errors import CorpusError
from assistant.models import Clause, Stance
from assistant.policy.corpus import Corpus, parse_document
from assistant.policy.provider import provider_of
from assistant.policy.stance import (
    assign_stances,
    cell_stance,
    load_overrides,
    part_stances,
    provider_statements,
    rule_stances,
    stance_from_cues,
)
from assistant.policy.stance_model import labelled_clauses


def stance_of(corpus: Corpus, fragment: str) -> Stance:
    matches = [c for c in corpus.clauses if fragment in c.text]
    assert len(matches) == 1, fragment
    return matches[0].stance


@pytest.mark.parametrize(
    ("fragment", "stance"),
    [
        ("Etcd. Support includes automated", Stance.SUPPORTED),  # from the lead-in
        ("These projects might include Istio, Helm, Envoy", Stance.NOT_SUPPORTED),
        ("best-effort support for third-party open-source projects", Stance.BEST_EFFORT),
        ("Microsoft does support issues and bugs related to network security", Stance.SUPPORTED),
        ("customizing NSG rules", Stance.NOT_SUPPORTED),
        (
            "the customer is responsible for rebooting the worker nodes",
            Stance.CUSTOMER_RESPONSIBILITY,
        ),
        (
            "Customers are responsible for executing Kubernetes upgrades.",
            Stance.CUSTOMER_RESPONSIBILITY,
        ),
        ("The base OS image has required additions", Stance.SHARED_RESPONSIBILITY),
        ("DNS services (for example, kube-dns or CoreDNS)", Stance.MICROSOFT_RESPONSIBILITY),
        ("if a zero-downtime patch is available", Stance.CONDITIONAL),
        ("Customers have met with the AKS product", Stance.CONDITIONAL),
        ("Features in public preview are fall under 'best effort'", Stance.BEST_EFFORT),
        ("Network performance and latency", Stance.SUPPORTED),  # nested under a supported item
        ("AKS worker nodes appear in the Azure portal", Stance.INFORMATIONAL),
    ],
)
def test_rule_stances(seed_corpus: Corpus, fragment: str, stance: Stance) -> None:
    assert stance_of(seed_corpus, fragment) is stance


@pytest.mark.parametrize(
    ("fragment", "stance"),
    [
        ("the customer gets a fully managed control plane", Stance.MICROSOFT_RESPONSIBILITY),
        ("AKS isn't a completely managed cluster solution", Stance.SHARED_RESPONSIBILITY),
        (
            "Microsoft and the AKS team deploys, operates, and is responsible",
            Stance.MICROSOFT_RESPONSIBILITY,
        ),
        ("Avoid changing worker nodes unless", Stance.NOT_SUPPORTED),
        ("you can't, however, change the base OS image", Stance.NOT_SUPPORTED),
        ("without express customer permission", Stance.CONDITIONAL),
        ("the customer defines the Kubernetes worker nodes", Stance.CUSTOMER_RESPONSIBILITY),
        ("Microsoft doesn't automatically reboot", Stance.CUSTOMER_RESPONSIBILITY),
        ("the team will give users upgrade guidance", Stance.MICROSOFT_RESPONSIBILITY),
        # a sentence that points back continues the one before it ...
        ("They can execute upgrades through", Stance.CUSTOMER_RESPONSIBILITY),
        ("This applies for updates that contain security", Stance.CUSTOMER_RESPONSIBILITY),
        # ... but "these reboots" names its own subject
        ("These reboots occur only on the node level", Stance.INFORMATIONAL),
        # what a known-issue filing explains: details, not Microsoft's job
        ("The issue, including links to upstream bugs.", Stance.INFORMATIONAL),
        ("Rough timelines for the issue's inclusion", Stance.INFORMATIONAL),
    ],
)
def test_rules_alone_without_overrides(seed_corpus: Corpus, fragment: str, stance: Stance) -> None:
    rules = rule_stances(seed_corpus.clauses)
    found = [
        r.stance for c, r in zip(seed_corpus.clauses, rules, strict=True) if fragment in c.text
    ]
    assert found == [stance]


def test_a_sentence_that_introduces_a_table_is_informational(corpus: Corpus) -> None:
    rules = rule_stances(corpus.clauses)
    intro = "the table shows what Microsoft provides and what you're responsible for"
    found = [r.stance for c, r in zip(corpus.clauses, rules, strict=True) if intro in c.text]
    assert found == [Stance.INFORMATIONAL]


def test_reviewed_overrides_win_over_rules(corpus: Corpus, seed_corpus: Corpus) -> None:
    # The parent item is Microsoft's job; the override marks the filing's contents informational.
    for version in (corpus, seed_corpus):  # each version has its own overrides file
        issue = "The issue, including links to upstream bugs."
        assert stance_of(version, issue) is Stance.INFORMATIONAL
        assert (
            stance_of(version, "Provide potential workarounds") is Stance.MICROSOFT_RESPONSIBILITY
        )
    reboot = "Microsoft doesn't automatically reboot worker nodes to apply OS-level patches."
    assert stance_of(seed_corpus, reboot) is Stance.CUSTOMER_RESPONSIBILITY


def test_an_override_must_match_exactly_one_clause(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_text(
        '[[override]]\nquote = "no such text"\nstance = "supported"\n', encoding="utf-8"
    )
    with pytest.raises(CorpusError, match="matches 0 clauses"):
        assign_stances(corpus.clauses, load_overrides(path))


def test_an_override_with_an_unknown_stance_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_text('[[override]]\nquote = "Kubelet"\nstance = "maybe"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="bad override"):
        load_overrides(path)


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Contoso and Fabrikam don't provide technical support for the following:",
         Stance.NOT_SUPPORTED),
        ("We do not offer phone support for free accounts.", Stance.NOT_SUPPORTED),
        ("Technical support does not cover custom extensions.", Stance.NOT_SUPPORTED),
        ("Data recovery after accidental deletion is not covered.", Stance.NOT_SUPPORTED),
        ("Don't scale the cluster to zero worker nodes.", Stance.NOT_SUPPORTED),
        ("Do not disable the logging agent.", Stance.NOT_SUPPORTED),
        ("Microsoft provides technical support for the following:", Stance.SUPPORTED),
        ("You can bring your own dashboards, as long as they read only.", Stance.CONDITIONAL),
        ("Chat support is available on the Gold plan only.", Stance.CONDITIONAL),
        ("Stress tests that were not approved in advance.", Stance.CONDITIONAL),
        ("The customer assigns each ticket a priority.", Stance.CUSTOMER_RESPONSIBILITY),
        ("You must rotate the access keys every 90 days.", Stance.CUSTOMER_RESPONSIBILITY),
        ("Customers must explicitly opt in to use these features.", None),
        # a fifth round, written from one training policy's labels (docs/policies.md)
        ("Widget add-ons aren't covered by this policy:", Stance.NOT_SUPPORTED),
        ("Hosted plugins are out of scope.", Stance.NOT_SUPPORTED),
        ("Retired versions no longer receive security updates.", Stance.NOT_SUPPORTED),
        ("Offline mode isn't available on the Free plan.", Stance.NOT_SUPPORTED),
        ("Renewing your domain is your responsibility.", Stance.CUSTOMER_RESPONSIBILITY),
        ("Backing up exports is the customer's job.", Stance.CUSTOMER_RESPONSIBILITY),
        ("Choosing a retention period is up to you.", Stance.CUSTOMER_RESPONSIBILITY),
        ("Custom themes are yours to maintain.", Stance.CUSTOMER_RESPONSIBILITY),
        ("You must upgrade the agent before its end of support.", Stance.CUSTOMER_RESPONSIBILITY),
        ("Rollback is supported only within 7 days of an upgrade.", Stance.CONDITIONAL),
        ("Beta connectors are provided as-is.", Stance.BEST_EFFORT),
        # answers (an FAQ's) and efforts
        ("Yes, if it was deleted within the last 35 days.", Stance.CONDITIONAL),
        ("No, unless you grant access for the case.", Stance.CONDITIONAL),
        ("No. Proseware is available only as a hosted service.", Stance.NOT_SUPPORTED),
        ("Yes. Exports are kept for a year.", Stance.SUPPORTED),
        ("Proseware will use reasonable efforts to restore access.", Stance.BEST_EFFORT),
        ("An incident is one issue and the reasonable efforts to resolve it.", None),
        # a contract's names for the customer
        ("The Client shall keep its dependencies up to date.", Stance.CUSTOMER_RESPONSIBILITY),
        ("The Licensee must notify the Supplier of incidents.", Stance.CUSTOMER_RESPONSIBILITY),
        ("The Subscriber is responsible for the content it hosts.",
         Stance.CUSTOMER_RESPONSIBILITY),
        ("The Supplier is not obliged to support modifications.", Stance.NOT_SUPPORTED),
        # a British contract's wordings, clause numbers, plan-limited answers
        ("2.8 Beta features are supported on a reasonable-endeavours basis.", Stance.BEST_EFFORT),
        ("The Supplier will use reasonable endeavours to meet them.", Stance.BEST_EFFORT),
        ("3.7 Submitting returns remains the Client's responsibility.",
         Stance.CUSTOMER_RESPONSIBILITY),
        ("You're also responsible for your allow lists.", Stance.CUSTOMER_RESPONSIBILITY),
        ("2.2 Support covers Incidents affecting pay calculation.", Stance.SUPPORTED),
        ("Support is included with every subscription.", Stance.SUPPORTED),
        ("Service credits don't apply to outages caused by your DNS changes.",
         Stance.NOT_SUPPORTED),
        ("The capability doesn't apply to self-managed clusters.", None),
        ("Yes, on Business and Enterprise.", Stance.CONDITIONAL),
        ("Yes, on every plan.", Stance.SUPPORTED),
        ("Outside business hours, response times apply only on the Enterprise plan.",
         Stance.CONDITIONAL),
        # a help centre's wordings
        ("We'll do our best, but we can't promise it will work.", Stance.BEST_EFFORT),
        ("Keeping your account secure is a joint effort.", Stance.SHARED_RESPONSIBILITY),
        ("You'll need to take care of the following:", Stance.CUSTOMER_RESPONSIBILITY),
        ("9.2 Subject to the Customer paying the rates, exit assistance is provided.",
         Stance.CONDITIONAL),
        ("3.1 Subject to the remainder of this Schedule, the Provider shall:", None),
    ],
)  # fmt: skip
def test_cue_phrases_any_policy_uses(text: str, stance: Stance | None) -> None:
    assert stance_from_cues(text) is stance


def provider_says(title: str, text: str, provider: str = "the provider") -> Stance | None:
    """The stance of what the provider of a policy with this title states of itself."""
    patterns = provider_statements(title, provider)
    return next((stance for stance, pattern in patterns if pattern.search(text)), None)


CLOUDDB = "Fabrikam CloudDB Technical Support Policy"
# a title's function words name no one either
NORTHWIND = "Northwind Edge Gateway Support and Maintenance Policy"
DUTY = Stance.MICROSOFT_RESPONSIBILITY


@pytest.mark.parametrize(
    ("title", "text", "stance"),
    [
        (CLOUDDB, "fabrikam will:", DUTY),
        (CLOUDDB, "we will respond within one hour", DUTY),
        (CLOUDDB, "clouddb maintains daily backups", DUTY),
        (CLOUDDB, "fabrikam renews the certificates", DUTY),
        (CLOUDDB, "fabrikam applies updates", DUTY),
        (CLOUDDB, "fabrikam will not restore deleted data", None),
        (CLOUDDB, "the customer will rotate credentials", None),
        ("Support policy", "support will help", None),  # names no one
        (NORTHWIND, "northwind will repair the gateway", DUTY),
        (NORTHWIND, "northwind publishes firmware fixes", DUTY),
        (NORTHWIND, "a northwind engineer must approve the return", DUTY),
        (NORTHWIND, "northwind handles firmware signing", DUTY),
        (NORTHWIND, "we run, monitor and scale the fleet", DUTY),
        (NORTHWIND, "northwind filters inbound traffic", DUTY),
        (NORTHWIND, "northwind reviews the reports users send and adjusts the filters", DUTY),
        (NORTHWIND, "we keep the service available 99.9% of each month", DUTY),
        (NORTHWIND, "we take care of these things for you:", DUTY),
        (NORTHWIND, "firmware is updated automatically by northwind", DUTY),
        (NORTHWIND, "clusters past end of support are upgraded automatically by northwind", DUTY),
        (NORTHWIND, "firmware is updated by the customer", None),
        (NORTHWIND, "northwind must not be asked to configure vlans", None),
        (NORTHWIND, "the customer installs the firmware and will keep it current", None),
        (NORTHWIND, "a fix for the api of the gateway", None),
    ],
)
def test_duties_the_provider_states_of_itself_are_its_responsibility(
    title: str, text: str, stance: Stance | None
) -> None:
    assert provider_says(title, text) is stance


def test_a_contract_names_the_provider_by_its_role() -> None:
    """ "The Supplier shall …": a provider named by its role is found (`provider_of`) and its
    duties and refusals read as its own."""
    clauses = [
        _sentence("1.1 The Supplier shall provide technical support for the platform."),
        _sentence("1.2 The Supplier will apply security patches within 14 days."),
    ]
    assert provider_of(clauses) == "the Supplier"
    title = "Trey Research Hosting Support Agreement"
    assert provider_says(title, "the supplier will apply patches", "the Supplier") is DUTY
    assert provider_says(title, "the supplier won't restore data", "the Supplier") is (
        Stance.NOT_SUPPORTED
    )
    assert provider_says(title, "the supplier will apply patches") is None  # not found
    # "Litware Services Ltd (the Provider)"
    provider = [_sentence("3.4 The Provider shall log the case."), _sentence("The Provider will")]
    assert provider_of(provider) == "the Provider"
    assert provider_says(title, "the provider shall back up each server", "the Provider") is DUTY


def test_what_the_provider_declines_is_not_supported() -> None:
    """ "we don't …", "<provider> can't …", "never", "no longer": named by the provider the
    document's sentences name (`provider_of`), not by its product's name; a recommendation
    or a responsibility it declines is no refusal, and what it doesn't do automatically is
    left to the customer."""
    title = "Northwind Edge Gateway Support Policy"
    declined = Stance.NOT_SUPPORTED
    assert provider_says(title, "we don't investigate issues in old releases") is declined
    assert provider_says(title, "northwind can't open a case", "Northwind") is declined
    assert provider_says(title, "we never restore access after a phone call") is declined
    assert provider_says(title, "northwind can't open a case") is None  # not named so
    assert provider_says(title, "a gateway can't pass traffic", "Northwind") is None
    assert provider_says(title, "we don't recommend them for production") is None
    assert provider_says(title, "we aren't responsible for your data") is None
    pushed = "northwind doesn't push firmware to gateways automatically"
    assert provider_says(title, pushed, "Northwind") is Stance.CUSTOMER_RESPONSIBILITY
    both = "microsoft and red hat don't troubleshoot your application"
    assert provider_says("Azure Red Hat OpenShift", both, "Microsoft and Red Hat") is declined
    assert provider_says("Azure Red Hat OpenShift", "red hat can't help", "Microsoft and Red Hat")


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("You must not include passwords or API tokens in a ticket.", Stance.NOT_SUPPORTED),
        ("You shouldn't rely on beta features for critical workflows.", Stance.NOT_SUPPORTED),
        ("Beta firmware must not be used in production.", Stance.NOT_SUPPORTED),
        ("Accounts closed more than 30 days ago can't be recovered.", Stance.NOT_SUPPORTED),
        ("Once a feature is removed, we no longer provide support for it.", Stance.NOT_SUPPORTED),
        ("Only account owners can open support tickets.", Stance.CONDITIONAL),
        ("We support API v1 only for security fixes.", Stance.CONDITIONAL),
        ("We support the web app in the current release of each browser.", Stance.SUPPORTED),
        ("A deprecated feature stays fully supported until its removal.", Stance.SUPPORTED),
        ("Power supplies and fans are covered as part of the gateway.", Stance.SUPPORTED),
        ("Every subscription includes support.", Stance.SUPPORTED),
        ("This policy covers the EG-200 and EG-400 gateways.", Stance.SUPPORTED),
        ("Older releases aren't covered.", Stance.NOT_SUPPORTED),
        # a duty stated to the customer, whatever its verb; opting in is a condition
        ("You must revoke the keys of staff who leave.", Stance.CUSTOMER_RESPONSIBILITY),
        ("Customers must renew their licence each year.", Stance.CUSTOMER_RESPONSIBILITY),
        ("Customers must explicitly opt in to use preview builds.", None),
        ("Backup checks are shared: we run them, you read them.", Stance.SHARED_RESPONSIBILITY),
        ("Usage data is shared with our payment processor.", None),
        # the wordings of contracts and service descriptions
        ("Support does not include help with custom reports.", Stance.NOT_SUPPORTED),
        ("Modified agents are excluded from support.", Stance.NOT_SUPPORTED),
        ("Weekends are excluded from support hours.", None),  # hours, not coverage
        ("The following are excluded:", Stance.NOT_SUPPORTED),
        ("On-site visits are not included in the Basic plan.", Stance.NOT_SUPPORTED),
        ("Trial accounts aren't eligible for phone support.", Stance.NOT_SUPPORTED),
        ("The vendor has no obligation to fix forked agents.", Stance.NOT_SUPPORTED),
        ("Data migration is outside the scope of this agreement.", Stance.NOT_SUPPORTED),
        ("Training is outside the scope of these Support Terms.", Stance.NOT_SUPPORTED),
        ("We will use commercially reasonable efforts to fix defects.", Stance.BEST_EFFORT),
        ("The vendor may, at its sole discretion, review custom code.", Stance.BEST_EFFORT),
        ("Customer is solely responsible for its firewall.", Stance.CUSTOMER_RESPONSIBILITY),
        ("Help with integrations is limited to the public API.", Stance.CONDITIONAL),
        ("The parties are jointly responsible for key escrow.", Stance.SHARED_RESPONSIBILITY),
        ("The platform is jointly engineered by two vendors.", None),
        # a "shouldn't" after the opening is no prohibition (the condition decides)
        ("As long as you run the updated VHD, you shouldn't have CVEs.", Stance.CONDITIONAL),
        ("The only supported browsers are listed below.", None),
        ("Which add-ons are covered?", Stance.SUPPORTED),  # the cue; `rule_stances` skips questions
    ],
)
def test_grammatical_cues(text: str, stance: Stance | None) -> None:
    assert stance_from_cues(text) is stance


def test_a_row_whose_columns_differ_keeps_each_cells_stance(corpus: Corpus) -> None:
    """`Microsoft supports | Microsoft doesn't support` and `Microsoft provides | Customer
    provides` rows: one stance for the row, and one per cell for a question about one cell."""

    def row(start: str) -> Clause:
        return next(c for c in corpus.clauses if c.kind == "row" and c.text.startswith(start))

    parallel = row("Azure load balancers and managed components |")
    assert parallel.stance is Stance.CONDITIONAL
    assert parallel.cell_stances == (Stance.SUPPORTED, Stance.NOT_SUPPORTED)
    shared = row("Kubernetes version upgrades |")  # its first column names the shared area
    assert shared.stance is Stance.SHARED_RESPONSIBILITY
    assert shared.cell_stances == (
        None,
        Stance.MICROSOFT_RESPONSIBILITY,
        Stance.CUSTOMER_RESPONSIBILITY,
    )
    assert row("etcd backups").cell_stances == ()  # answered by its icons
    overridden = assign_stances(
        corpus.clauses, [("Azure load balancers and managed components |", Stance.SUPPORTED)]
    )
    (reviewed,) = [c for c in overridden if c.clause_id == parallel.clause_id]
    assert (reviewed.stance, reviewed.cell_stances) == (Stance.SUPPORTED, ())


def _sentence(text: str) -> Clause:
    return Clause("d:s:1", "d", ("Scope",), "scope", text, 0, len(text), "sentence")


def test_a_sentence_whose_parts_differ_keeps_each_parts_stance(corpus: Corpus) -> None:
    advice = _sentence(
        "Fabrikam will advise on database design questions on a best-effort basis, but does "
        "not design or review customer schemas."
    )
    parts, stances = part_stances(advice)
    assert stances == (Stance.BEST_EFFORT, Stance.NOT_SUPPORTED)
    assert parts[1].strip().startswith("does not design")
    # sentences that say different things are parts too, a condition among them
    helm = _sentence(
        "Microsoft can provide best-effort support for projects like Helm. Where the tool "
        "integrates with the Azure cloud provider, Microsoft supports examples from its docs."
    )
    assert part_stances(helm)[1] == (Stance.BEST_EFFORT, Stance.CONDITIONAL)
    # a condition within a sentence qualifies all of it; a denied responsibility says whose
    # it is
    for whole in (
        "Firewall rules are supported, but only when you follow the documented steps.",
        "Microsoft supports the agent, but does not take responsibility for your scripts.",
        "Microsoft supports the agent and its extensions.",
    ):
        assert part_stances(_sentence(whole)) == ((), ())
    (clause,) = assign_stances((advice,), [])
    assert clause.pieces == parts and clause.cell_stances == stances
    decider = VerdictDecider(corpus, Calibration())
    assert decider.stance_asked("can you review our schema?", clause) is Stance.NOT_SUPPORTED
    assert decider.stance_asked("do you advise on design questions?", clause) is Stance.BEST_EFFORT
    assert decider.stance_asked("is that covered?", clause) is clause.stance
    # a function word singles out nothing ("from" is in the helm clause's second part only)
    (helm_clause,) = assign_stances((helm,), [])
    assert decider.stance_asked("charts from artifact hub?", helm_clause) is (helm_clause.stance)
    assert helm_clause.stance is Stance.BEST_EFFORT
    # each sentence of a clause is a part too: "can't configure … VPNs or firewalls. On a
    # best-effort basis, Microsoft Support might advise on … Azure Firewall, but not …"
    network = next(c for c in corpus.clauses if c.text.startswith("Network customizations."))
    assert Stance.BEST_EFFORT in network.cell_stances
    assert decider.stance_asked("are vpns supported?", network) is Stance.NOT_SUPPORTED
    assert decider.stance_asked("azure firewall config help?", network) is Stance.BEST_EFFORT
    (reviewed,) = assign_stances((advice,), [("Fabrikam will advise", Stance.NOT_SUPPORTED)])
    assert (reviewed.stance, reviewed.pieces, reviewed.cell_stances) == (
        Stance.NOT_SUPPORTED,
        (),
        (),
    )


@pytest.mark.parametrize(
    ("cell", "stance"),
    [
        ("Available", Stance.SUPPORTED),
        ("Not available", Stance.NOT_SUPPORTED),
        ("Yes, on all plans", Stance.SUPPORTED),
        ("❌", Stance.NOT_SUPPORTED),
        ("Best-effort", Stance.BEST_EFFORT),
        ("Generally available", Stance.SUPPORTED),
        ("Preview", Stance.BEST_EFFORT),
        ("Preview features are described on their own page", None),  # not a short cell
        ("Automatic, scales to zero", None),
        ("✓", Stance.SUPPORTED),
        ("✗", Stance.NOT_SUPPORTED),
        ("Limited support", Stance.BEST_EFFORT),
        ("Limited to two seats", None),
    ],
)
def test_a_cell_that_answers_by_itself(cell: str, stance: Stance | None) -> None:
    assert cell_stance(cell, {}) is stance


PARTY_TABLE = """---
title: Litware Backup Support Policy
version: 2026-01-01
---

# Litware Backup Support Policy

Litware supports the backup agent.

| Task | Litware | Customer |
|---|---|---|
| Operating the storage | ✅ | |
| Testing restores | | ✅ |
| Monitoring failed jobs | ✅ | ✅ |
| Choosing what to back up | ❌ | ✅ |
"""


def _row_stances(tmp_path: Path, text: str) -> dict[str, Stance]:
    """Each table row's rule stance, by its first cell, in a policy document with this text."""
    path = tmp_path / "policy.md"
    path.write_text(text, encoding="utf-8")
    _, _, clauses = parse_document(path)
    stances = rule_stances(tuple(clauses))
    return {c.cells[0]: r.stance for c, r in zip(clauses, stances, strict=True) if c.cells}


def test_check_marks_under_party_columns_name_whose_duty_it_is(tmp_path: Path) -> None:
    """ "| Task | Litware | Customer |": a check mark says which party does it, both say it is
    shared (a ✅ alone, in a table of plans or features, still says supported)."""
    assert _row_stances(tmp_path, PARTY_TABLE) == {
        "Operating the storage": Stance.MICROSOFT_RESPONSIBILITY,
        "Testing restores": Stance.CUSTOMER_RESPONSIBILITY,
        "Monitoring failed jobs": Stance.SHARED_RESPONSIBILITY,
        "Choosing what to back up": Stance.CUSTOMER_RESPONSIBILITY,
    }


PLANS = """---
title: Wingtip Print Support Policy
version: 2026-01-01
---

# Wingtip Print Support Policy

## Plans

Wingtip offers the Basic, Plus and Pro plans. Pro Customers get a dedicated engineer.

Plus and Pro plans also include weekend coverage.

You can request an on-site visit on the Pro plan.

All customers have access to the knowledge base.

Public holidays aren't support days on the Basic and Plus plans.

Wingtip has no access to your printers unless you grant it for a case.

Wingtip customers can open tickets in the portal.

Audit logs are available for 1 year on the Pro plan.

Pro Clients may also phone the support line.

On the Pro plan, you can extend retention to 10 years.

| Capability | Basic | Plus | Pro |
|---|---|---|---|
| Phone support | ❌ | ✅ | ✅ |
| Email support | ✅ | ✅ | ✅ |
"""


def test_a_benefit_only_some_named_plans_get_is_conditional(tmp_path: Path) -> None:
    """A plan or tier is known by the name the document gives it within a sentence ("the
    Basic, Plus and Pro plans"); what only those get is conditional, what every customer
    (or the provider's customers) gets is not, and a plan named as a place is no benefit."""
    path = tmp_path / "wingtip-print.md"
    path.write_text(PLANS, encoding="utf-8")
    _, _, clauses = parse_document(path)
    stances = {c.text: r.stance for c, r in zip(clauses, rule_stances(tuple(clauses)), strict=True)}
    conditional = Stance.CONDITIONAL
    assert stances["Pro Customers get a dedicated engineer."] is conditional
    assert stances["Plus and Pro plans also include weekend coverage."] is conditional
    assert stances["You can request an on-site visit on the Pro plan."] is conditional
    assert stances["Audit logs are available for 1 year on the Pro plan."] is conditional
    assert stances["Pro Clients may also phone the support line."] is conditional
    assert stances["On the Pro plan, you can extend retention to 10 years."] is conditional
    assert stances["All customers have access to the knowledge base."] is Stance.INFORMATIONAL
    holidays = "Public holidays aren't support days on the Basic and Plus plans."
    assert stances[holidays] is Stance.INFORMATIONAL
    assert stances["Wingtip customers can open tickets in the portal."] is Stance.INFORMATIONAL


def test_a_row_answered_yes_under_some_plans_and_no_under_others(tmp_path: Path) -> None:
    """A table whose columns are plans: a row that says yes under some and no under others is
    conditional, each column's answer kept; a question naming a plan names a condition, and
    gets the row's stance (eval/LABELLING.md, docs/training.md: "sandbox on the Team plan?")."""
    path = tmp_path / "wingtip-print.md"
    path.write_text(PLANS, encoding="utf-8")
    doc, sections, clauses = parse_document(path)
    stanced = assign_stances(tuple(clauses), [])
    phone = next(c for c in stanced if c.text.startswith("Phone support"))
    assert phone.stance is Stance.CONDITIONAL
    assert phone.cell_stances == (None, Stance.NOT_SUPPORTED, Stance.SUPPORTED, Stance.SUPPORTED)
    email = next(c for c in stanced if c.text.startswith("Email support"))
    assert (email.stance, email.cell_stances) == (Stance.SUPPORTED, ())
    decider = VerdictDecider(Corpus((doc,), tuple(sections), stanced, "h"), Calibration())
    for question in ("do we get phone support on basic?", "phone support with the pro plan?"):
        assert decider.stance_asked(question, phone) is Stance.CONDITIONAL
    assert decider.stance_asked("is there phone support?", phone) is Stance.CONDITIONAL


DEFINED = """---
title: Proseware Support Terms
version: 2026-01-01
---

# Proseware Support Terms

These terms describe the support Proseware provides.

## 1. Definitions

- Incident: a single issue and the reasonable efforts needed to resolve it.
- Unsupported Release: a release older than the previous major release.

## 2. Coverage

Proseware will use reasonable efforts to resolve each Incident.
"""


def test_what_a_definitions_section_says_is_informational(tmp_path: Path) -> None:
    """A "Definitions" or "Glossary" section says what words mean, whatever cue it uses."""
    path = tmp_path / "proseware.md"
    path.write_text(DEFINED, encoding="utf-8")
    _, _, clauses = parse_document(path)
    rules = rule_stances(tuple(clauses))
    stances = {c.text.split(":")[0]: r.stance for c, r in zip(clauses, rules, strict=True)}
    assert stances["Incident"] is Stance.INFORMATIONAL
    assert stances["Unsupported Release"] is Stance.INFORMATIONAL
    assert stances["Proseware will use reasonable efforts to resolve each Incident."] is (
        Stance.BEST_EFFORT
    )


RACI = """---
title: Relecloud Kubernetes Responsibility Matrix
version: 2026-01-01
---

# Relecloud Kubernetes Responsibility Matrix

R = responsible, A = accountable, C = consulted, I = informed.

| Activity | Relecloud | Customer |
|---|---|---|
| Control plane upgrades | R, A | I |
| Node OS patching | R | A |
| Application deployment | I | R/A |
| Autoscaler settings | C | R |
| Volume backups | | A |
"""
# a contract's RACI matrix: the provider by its role, the customer by the contract's name
CONTRACT_RACI = """---
title: Adatum Payroll Support Terms
version: 2026-01-01
---

# Adatum Payroll Support Terms

The Supplier shall keep the Service available. The Supplier shall publish release notes.

| Activity | Supplier | Client |
|---|---|---|
| Running the payroll engine | R/A | I |
| Approving the pay run | I | R/A |
| Transmitting tax filings | R | A |
| Checking year-end data | C/I | R/A |
"""


def test_a_raci_matrix_makes_a_task_the_duty_of_who_is_responsible_or_accountable(
    tmp_path: Path,
) -> None:
    assert _row_stances(tmp_path, RACI) == {
        "Control plane upgrades": Stance.MICROSOFT_RESPONSIBILITY,
        "Node OS patching": Stance.SHARED_RESPONSIBILITY,
        "Application deployment": Stance.CUSTOMER_RESPONSIBILITY,
        "Autoscaler settings": Stance.CUSTOMER_RESPONSIBILITY,
        "Volume backups": Stance.CUSTOMER_RESPONSIBILITY,
    }


NO_PREAMBLE = """---
title: Fabrikam Database Support Policy
version: 2026-01-01
---

# Fabrikam Database Support Policy

## Scope

Fabrikam patches the database engine every month.

Fabrikam will restore a deleted database within 7 days.

Fabrikam doesn't support self-hosted replicas.
"""


def test_a_contracts_raci_matrix_names_the_client_and_the_supplier(tmp_path: Path) -> None:
    assert _row_stances(tmp_path, CONTRACT_RACI) == {
        "Running the payroll engine": Stance.MICROSOFT_RESPONSIBILITY,
        "Approving the pay run": Stance.CUSTOMER_RESPONSIBILITY,
        "Transmitting tax filings": Stance.SHARED_RESPONSIBILITY,
        "Checking year-end data": Stance.CUSTOMER_RESPONSIBILITY,
    }


def test_a_document_with_no_text_before_its_first_section_keeps_the_providers_duties(
    tmp_path: Path,
) -> None:
    """The title the rules read is the first clause's heading ("Scope" here): the provider's
    name, found in its sentences, names its duties all the same."""
    path = tmp_path / "fabrikam-db.md"
    path.write_text(NO_PREAMBLE, encoding="utf-8")
    _, _, clauses = parse_document(path)
    stances = [r.stance for r in rule_stances(tuple(clauses))]
    duty = Stance.MICROSOFT_RESPONSIBILITY
    assert stances == [duty, duty, Stance.NOT_SUPPORTED]


HEADINGS = """---
title: Woodgrove VPN Support Policy
version: 2026-01-01
---

# Woodgrove VPN Support Policy

This page lists what Woodgrove support covers for Woodgrove VPN.

## In scope

- Connection failures of the VPN client
- Gateway configuration questions

## Out of scope

- Home router setup
- Third-party firewalls

## Supported configurations

- Split tunnelling
- IPv6 tunnels

## Not supported

- Custom cipher suites

## What's covered

- Client crashes

## What isn't covered

- Hardware tokens

## Customer responsibilities

- Distributing client certificates

## Woodgrove responsibilities

- Gateway patching

## Limitations

- Only 500 concurrent users per gateway.
"""


def test_a_sections_heading_gives_the_stance_of_bare_items_under_it(tmp_path: Path) -> None:
    """ "In scope", "Out of scope", "Supported configurations", "Not supported", "What's
    covered", "What isn't covered", "<provider> responsibilities" head lists whose items say
    nothing themselves; an item's own cue still wins ("Only 500 …" under "Limitations")."""
    path = tmp_path / "woodgrove-vpn.md"
    path.write_text(HEADINGS, encoding="utf-8")
    _, _, clauses = parse_document(path)
    stances = {c.text: r.stance for c, r in zip(clauses, rule_stances(tuple(clauses)), strict=True)}
    supported, declined = Stance.SUPPORTED, Stance.NOT_SUPPORTED
    assert stances["Connection failures of the VPN client"] is supported
    assert stances["Home router setup"] is declined
    assert stances["IPv6 tunnels"] is supported
    assert stances["Custom cipher suites"] is declined
    assert stances["Client crashes"] is supported
    assert stances["Hardware tokens"] is declined
    assert stances["Distributing client certificates"] is Stance.CUSTOMER_RESPONSIBILITY
    assert stances["Gateway patching"] is Stance.MICROSOFT_RESPONSIBILITY
    assert stances["Only 500 concurrent users per gateway."] is Stance.CONDITIONAL


# Documents written apart from the rules (docs/policies.md, tenth round), each with a reviewed
# stance for every clause: how many of those the rules agree with, at least.
STANCE_DOCUMENTS = Path(__file__).parent / "data" / "stance-documents"
AGREEMENT = {
    "adatum-payroll": 92,
    "fabrikam-mailguard": 90,
    "litware-msp": 66,
    "woodgrove-meet": 53,
}


@pytest.mark.parametrize("name", sorted(AGREEMENT))
def test_the_rules_read_documents_written_apart_from_them(name: str) -> None:
    (labelled,) = labelled_clauses(STANCE_DOCUMENTS / name)
    agree = sum(r.stance is s for r, s in zip(labelled.rules, labelled.stances, strict=True))
    assert len(labelled.clauses) > 60
    assert agree >= AGREEMENT[name], f"{agree} of {len(labelled.clauses)}"
