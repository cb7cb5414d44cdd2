"""Ground quotes in the article: find each one exactly once and compute its offsets.

Offsets are Python string indices, i.e. Unicode code points of the exact text,
as oa:TextPositionSelector requires.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector

# A sentence ends at . ! ? (optionally followed by a closing quote) before
# white space and a capital letter or an opening quote, except after titles.
_SENTENCE_END = re.compile(r'(?<!\bMr\.)(?<!\bDr\.)(?<=[.!?])"?\s+(?=["A-Z])')
_CAPTION_END = "hide caption"


@dataclass(frozen=True)
class Sentence:
    number: int  # 1-based, in reading order
    line: int  # 1-based line of the article file
    start: int
    end: int
    text: str
    is_caption: bool


@dataclass(frozen=True)
class Article:
    path: Path
    text: str
    sha256: str

    @cached_property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)

    def locate(self, quote: str) -> list[int]:
        """Every start offset at which `quote` occurs (overlaps included)."""
        starts, i = [], self.text.find(quote)
        while i != -1:
            starts.append(i)
            i = self.text.find(quote, i + 1)
        return starts

    def closest_passage(self, quote: str) -> str:
        """The passage of the article most like `quote`, to show beside a failed quote."""
        matcher = difflib.SequenceMatcher(None, self.text, quote, autojunk=False)
        match = matcher.find_longest_match(0, len(self.text), 0, len(quote))
        start = max(0, match.a - match.b)
        def score(s: int) -> tuple[float, int]:
            ratio = difflib.SequenceMatcher(None, self.text[s : s + len(quote)], quote).ratio()
            return (ratio, -abs(s - start))  # on a tie, stay aligned with the longest match

        best = max(range(max(0, start - 8), start + 9), key=score)
        return self.text[best : best + len(quote)]

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def sentence_at(self, offset: int) -> Sentence:
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        # an offset in the white space between sentences belongs to the next one
        return next(s for s in self.sentences if s.start >= offset)

    def sentences_overlapping(self, start: int, end: int) -> list[Sentence]:
        return [s for s in self.sentences if s.start < end and start < s.end]


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    offset = 0
    for line_number, line in enumerate(text.split("\n"), start=1):
        is_caption = line.endswith(_CAPTION_END)
        start = 0
        # a caption is one unit: its credit is glued to its last sentence
        ends = [] if is_caption else [m.start() + (1 if line[m.start()] == '"' else 0) for m in _SENTENCE_END.finditer(line)]
        for end in [*ends, len(line)]:
            piece = line[start:end]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                s = offset + start + lead
                sentences.append(Sentence(len(sentences) + 1, line_number, s, s + len(piece), piece, is_caption))
            start = end
        offset += len(line) + 1
    return sentences
