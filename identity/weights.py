"""Calibrated default weights (log2 Bayes factors, Fellegi–Sunter style) and decision thresholds.

A pair's score is `log2(prior odds) + sum(weights)`, the prior being one true match among the N records.
Weights of names, places, companies, handles and dates are term-frequency adjusted: `log2(N / count)` of
the agreeing value, so a common name is weak evidence and a rare one strong, at any scale. A name's count
leaves out the record itself and, on average, `own_records` more of the person's own profiles; a city's is
taken among the records of the same name (names and places go together). Identifiers that belong to one
person (email, phone, account) get a bonus on top, lost as more records share them.

The defaults were calibrated on the multilingual benchmark at 3,000 and 30,000 people (precision per score
band alike at both scales) and checked on Febrl; see docs/design/identity.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Weights:
    """Every tunable number of the scorer; `threshold` is in bits of posterior log-odds."""

    threshold: float = 4.0
    # Reclustering (identity.reconcile) decides on the counts of the whole store, not of the records seen so
    # far: its scores are known better and need less margin. Social benchmark, 3k and 30k people, one batch:
    # precision 0.997 and 0.995 at 4 bits, 0.992 and 0.992 at 3, 0.987 at 2 (3k).
    settled_threshold: float = 3.0
    ambiguity_margin: float = 4.0
    strong_merge: float = 12.0  # two identifier links this strong are both trusted: no ambiguity review
    clash_override: float = 12.0  # a score that links despite clashing names (typos, a changed surname)
    name_exact: float = -0.3
    name_variant: float = -0.5
    name_extra_token: float = -1.5
    name_fuzzy: float = -5.0
    name_initial: float = -2.5
    name_single: float = -3.0
    name_conflict: float = -7.0
    name_different: float = -9.0
    name_guessed_factor: float = 0.5
    own_records: float = 1.0  # a person's other records carrying their name: not namesakes
    namesakes_floor: float = 0.5  # a name no one else carries still might be someone else's
    email_bonus: float = 14.0
    phone_bonus: float = 12.0
    phone_tail: float = 3.0
    phone_differ: float = -2.0
    email_differ: float = -1.5
    email_same_provider: float = -2.5
    email_colleague: float = -6.0  # two addresses at one company's own domain: two employees
    identifier_share_cap: int = 6
    account_bonus: float = 16.0
    crosslink_bonus: float = 14.0
    handle_bonus: float = 6.0
    handle_of_name: float = 4.0  # one name-made handle on two networks: namesakes pick it too
    handle_similar: float = 3.0
    website_bonus: float = 5.0
    city_scale: float = 0.6
    city_offset: float = -0.5  # log2 of how often one person's records name one city (moves, missing aliases)
    city_cap: float = 5.0
    city_differ: float = -3.5
    country_differ: float = -2.5
    company_scale: float = 0.8
    company_cap: float = 8.0
    company_differ: float = -1.5
    date_cap: float = 14.0
    date_close: float = 1.0
    date_differ: float = -7.0
    identifier_bonus: float = 6.0
    identifier_close: float = 5.0
    identifier_differ: float = -5.0
    postcode_scale: float = 0.7
    postcode_cap: float = 6.0
    postcode_differ: float = -1.0
    address_levels: tuple[tuple[float, float], ...] = ((98.0, 8.0), (90.0, 5.0), (75.0, 2.0))
    whole_address: float = 11.0
    whole_address_floor: float = 95.0
    address_differ: float = -2.0
    category_agree: float = 0.3
    category_differ: float = -1.0


DEFAULT_WEIGHTS = Weights()
# Tables exported from other systems (`rapport resolve`) carry typos in every field: a disagreement there
# is weaker evidence against a match than between two profiles a person filled in themselves.
TABULAR_WEIGHTS = Weights(
    threshold=3.0,
    settled_threshold=3.0,
    name_conflict=-4.0,
    name_different=-6.0,
    date_differ=-4.0,
    identifier_differ=-3.0,
    city_differ=-1.5,
    clash_override=3.0,
)
