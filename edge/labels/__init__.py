"""The lane's signed evidence-bag labels: its signing key and the labels it signs (docs/evidence.md, "Labels")."""
