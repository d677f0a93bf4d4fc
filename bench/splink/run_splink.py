"""Splink 5 on the social benchmark, configured as a competent user would (runs in bench/.splink-venv).

Usage: bench/.splink-venv/bin/python bench/splink/run_splink.py INPUT.csv OUTPUT.csv [THRESHOLD]
INPUT has one row per record (unique_id, first_name, surname, email, phone, handle, city, company);
OUTPUT gets unique_id,cluster_id.
"""

from __future__ import annotations

import sys
import time

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def settings() -> SettingsCreator:
    """Name, contact and place comparisons with term frequencies; blocking on each identifier and name."""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("handle", [1, 3]),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("company").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("email"),
            block_on("phone"),
            block_on("handle"),
            block_on("surname", "city"),
            block_on("first_name", "city"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def main(source: str, target: str, threshold: float) -> None:
    """Train (u by sampling, m by EM), predict, cluster, write the clusters."""
    started = time.perf_counter()
    frame = pd.read_csv(source, dtype=str, keep_default_na=False).replace("", None)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings())
    linker.training.estimate_probability_two_random_records_match([block_on("email"), block_on("phone")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("city"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    result = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    result.to_csv(target, index=False)
    elapsed = time.perf_counter() - started
    print(f"splink: {len(frame)} records, {result['cluster_id'].nunique()} clusters, {elapsed:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.9)
