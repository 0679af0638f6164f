"""Reading a /metrics page as Prometheus would."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def metric_value(text: str, name: str, **labels: str) -> float:
    """The value of sample ``name`` (with these labels) on a Prometheus text page; KeyError if absent."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    raise KeyError(f"no sample {name} {labels or ''} on the page")
