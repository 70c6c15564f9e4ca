"""PostgreSQL: the vectors the index trigger writes, as SQL expressions over a document row.

The trigger (migrations 0004 to 0009) computes them when a document is written;
``secondstory check`` computes them again from the text to compare.
"""

from __future__ import annotations


def _part(row: str, columns: str, weight: str) -> str:
    text = " || ' ' || ".join(f"{row}{c}" for c in columns.split())
    return f"setweight(to_tsvector('secondstory'::regconfig, {text}), '{weight}')"


def head(row: str) -> str:
    """The ranking vector: title and summary (A), factors, action items and labels (B)."""
    return f"{_part(row, 'title summary', 'A')} || {_part(row, 'factors actions labels', 'B')}"


def full(row: str) -> str:
    """The whole weighted vector: the head, then the narrative (C) and the timeline (D)."""
    return f"{head(row)} || {_part(row, 'narrative', 'C')} || {_part(row, 'timeline', 'D')}"


def differing_sql() -> str:
    """How many documents' vectors (or facet keys) differ from their text, or are missing."""
    return f"""
        SELECT count(*) FROM library_searchdocument d
        LEFT JOIN library_searchvector v ON v.document_id = d.id
        LEFT JOIN library_searchkeys k ON k.document_id = d.id
        WHERE v.head IS DISTINCT FROM {head("d.")}
           OR v.facets IS DISTINCT FROM k.facets
           OR v.vector IS DISTINCT FROM {full("d.")}
           OR v.keys_vector IS DISTINCT FROM to_tsvector('simple'::regconfig, d.keys)
    """
