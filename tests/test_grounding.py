"""Every fact is grounded: quotes found once, selectors exact, sentences covered."""

from __future__ import annotations

from kg.grounding import split_sentences
from kg.namespaces import sparql_prologue
from kg.store import select


def test_every_selector_matches_the_article_text(store, article):
    rows = select(store, sparql_prologue() + "SELECT ?s ?exact ?start ?end WHERE { ?s oa:exact ?exact ; oa:start ?start ; oa:end ?end }")
    assert len(rows) > 100
    wrong = [str(r["s"]) for r in rows if article.text[int(r["start"]):int(r["end"])] != str(r["exact"])]
    assert wrong == []


def test_every_quote_is_grounded_exactly_once(store, article):
    rows = select(store, sparql_prologue() + "SELECT ?node ?quote WHERE { GRAPH ?g { ?node pt:quote ?quote } }")
    bad = [(str(r["node"]), str(r["quote"])) for r in rows if article.text.count(str(r["quote"])) != 1]
    assert bad == []


def test_every_curated_node_has_evidence(store):
    rows = select(store, sparql_prologue() + """
        SELECT ?node WHERE { ?node pt:quote ?q FILTER NOT EXISTS { ?node pt:evidence ?e } }""")
    assert rows == []


def test_sentences_tile_the_article_text(article):
    sentences = split_sentences(article.text)
    assert [s.number for s in sentences] == list(range(1, len(sentences) + 1))
    assert all(article.text[s.start:s.end] == s.text for s in sentences)
    captions = sorted({s.line for s in sentences if s.is_caption})
    assert captions == [1, 9, 26, 34]
    # nothing but white space lies between consecutive sentences
    for a, b in zip(sentences, sentences[1:]):
        assert article.text[a.end:b.start].strip() == ""


def test_sentence_split_keeps_titles_together(article):
    texts = [s.text for s in article.sentences]
    assert "I'm very serious, Mr. President.\"" in texts


def test_article_is_the_exact_source(article):
    assert article.sha256 == "0eadc1e28c4aa9bbefe2fa7b585d118a031c9f0e1a4a979bbefc77e14e2b1b44"
    assert len(article.text) == 10310


def test_most_sentences_ground_a_fact(built):
    from kg.stats import dataset_stats

    (npr,) = dataset_stats(built).sources
    # every sentence of the article states something the graph records
    assert (npr.slug, npr.sentences_grounding_a_fact, npr.sentences) == ("npr-2025-trump-ukraine-peace", 73, 73)
