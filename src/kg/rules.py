"""What a rule reads: the predicates (and, for rdf:type, the classes) its WHERE clause can match.

kg.build.infer re-runs a rule in a later round only when the round before added a triple the rule
reads; a rule whose reading cannot be told from its text is re-run every round. The reading is
found by a small conservative parser of the rule's text, not rdflib's SPARQL parser (whose import and
parse cost more than the article's whole set of rules). It gives up (`None`: always re-run) on a
variable in predicate position, a property path with negation or a zero-length step (`*`, `?`), an
RDF collection, a GRAPH whose name is a variable, SERVICE, a dataset clause (FROM), an unknown prefix,
a blank node in the template or BNODE/RAND/NOW/UUID/STRUUID (a new value each run, as before: such a
rule never reaches a fixpoint), or any text it does not recognise. Everything it cannot place as
a predicate or class it over-approximates: a prefixed name or IRI inside an expression or VALUES counts
as read."""

from __future__ import annotations

import re
from dataclasses import dataclass

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Reads:
    """The predicates a rule reads, and the classes of the rdf:type triples it reads (None: any class)."""

    predicates: frozenset[str]
    classes: frozenset[str] | None

    def touched_by(self, predicates: set[str], classes: set[str]) -> bool:
        """Whether triples with these predicates (the rdf:type ones with these classes) can change what it derives."""
        if (predicates - {RDF_TYPE}) & self.predicates:
            return True
        if RDF_TYPE in predicates and RDF_TYPE in self.predicates:
            return self.classes is None or bool(classes & self.classes)
        return False


class _GiveUp(Exception):
    pass


# Comments, strings (long first, then with language tag or datatype), IRIs, variables, prefixed names,
# numbers, punctuation: the tokens of the subset of SPARQL the rules use.
_TOKENS = re.compile(r'''(?P<skip>\s+|\#[^\n]*)
  |(?P<string>(?:"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
              (?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:<[^<>"{}|^`\\\s]*>|[A-Za-z][\w.-]*:[\w.-]*))?)
  |(?P<iri><[^<>"{}|^`\\\s]*>)
  |(?P<var>[?$]\w+)
  |(?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  |(?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w-]|\.(?=[\w-]))*|_:[\w-]+)
  |(?P<word>[A-Za-z_]\w*)
  |(?P<punct>&&|\|\||!=|<=|>=|\^\^|[{}()\[\];,.|/^*+?!=<>-])''', re.VERBOSE)


# Functions whose value differs from one run to the next: a rule calling one is re-run every round.
_CHANGING = {"BNODE", "RAND", "NOW", "UUID", "STRUUID"}


def rule_reads(text: str, prefixes: dict[str, str]) -> Reads | None:
    """What the CONSTRUCT rule `text` reads, or None when that cannot be told (re-run it every round)."""
    try:
        return _Parser(text, prefixes).rule()
    except (_GiveUp, IndexError):
        return None


def _tokenize(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of each token of the rules' SPARQL subset; _GiveUp on anything else."""
    tokens: list[tuple[str, str, int, int]] = []
    at = 0
    while at < len(text):
        match = _TOKENS.match(text, at)
        if match is None:
            raise _GiveUp(text[at:at + 20])
        at = match.end()
        kind = match.lastgroup or "skip"
        if kind != "skip":
            tokens.append((kind, match.group(), match.start(), match.end()))
    return tokens


class _Parser:
    def __init__(self, text: str, prefixes: dict[str, str]):
        self.tokens: list[tuple[str, str]] = [(kind, word) for kind, word, _, _ in _tokenize(text)]
        self.at = 0
        self.prefixes = dict(prefixes)
        self.predicates: set[str] = set()
        self.classes: set[str] | None = set()

    # -- tokens
    def peek(self, ahead: int = 0) -> tuple[str, str]:
        return self.tokens[self.at + ahead] if self.at + ahead < len(self.tokens) else ("end", "")

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end":
            raise _GiveUp("end of text")
        self.at += 1
        return token

    def word(self, ahead: int = 0) -> str:
        kind, value = self.peek(ahead)
        return value.upper() if kind == "word" else ""

    def expect(self, value: str) -> None:
        if self.next()[1] != value:
            raise _GiveUp(value)

    def iri(self, kind: str, value: str) -> str:
        if kind == "iri":
            return value[1:-1]
        prefix, _, local = value.partition(":")
        if prefix == "_" or prefix not in self.prefixes:
            raise _GiveUp(value)
        return self.prefixes[prefix] + local

    # -- the rule
    def rule(self) -> Reads:
        while self.word() in ("PREFIX", "BASE"):
            if self.word() == "BASE":
                raise _GiveUp("BASE")
            self.next()
            name, iri = self.next(), self.next()
            if name[0] != "pname" or not name[1].endswith(":") or iri[0] != "iri":
                raise _GiveUp("PREFIX")
            self.prefixes[name[1][:-1]] = iri[1][1:-1]
        if self.word() != "CONSTRUCT":
            raise _GiveUp("not CONSTRUCT")
        self.next()
        self.template()
        if self.word() != "WHERE":
            raise _GiveUp("no WHERE")  # FROM, or CONSTRUCT WHERE
        self.next()
        self.group()
        while self.peek()[0] != "end":  # solution modifiers: their expressions read no triples
            kind, value = self.next()
            if value in ("{", "}"):
                raise _GiveUp("pattern after WHERE")
        return Reads(frozenset(self.predicates), None if self.classes is None else frozenset(self.classes))

    def template(self) -> None:
        """What the rule writes, not what it reads; a blank node there is a new one each run (give up)."""
        self.expect("{")
        depth = 1
        while depth:
            value = self.next()[1]
            depth += {"{": 1, "}": -1}.get(value, 0)
            if value == "[" or value.startswith("_:"):
                raise _GiveUp("blank node in the template")

    def group(self) -> None:
        """`{ ... }`: triples, FILTER, OPTIONAL, MINUS, UNION, GRAPH <iri>, BIND, VALUES, sub-SELECT."""
        self.expect("{")
        if self.word() == "SELECT":
            self.subselect()
            return
        while self.peek()[1] != "}":
            word, value = self.word(), self.peek()[1]
            if value in (".", ) or word == "UNION":
                self.next()
            elif value == "{":
                self.group()
            elif word in ("OPTIONAL", "MINUS"):
                self.next()
                self.group()
            elif word == "GRAPH":
                self.next()
                kind = self.next()[0]
                if kind not in ("iri", "pname"):
                    raise _GiveUp("GRAPH ?var")
                self.group()
            elif word in ("FILTER", "BIND"):
                self.next()
                if self.word() in ("NOT", "EXISTS"):
                    self.expression_until_group()
                else:
                    self.expression()
            elif word == "VALUES":
                self.next()
                self.values()
            elif word in ("SERVICE", "SELECT", "CONSTRUCT", "FROM"):
                raise _GiveUp(word)
            else:
                self.triples()
        self.next()

    def subselect(self) -> None:
        while self.word() != "WHERE" and self.peek()[1] != "{":
            if self.peek()[1] == "(":
                self.expression()
            else:
                self.next()
        if self.word() == "WHERE":
            self.next()
        self.group()
        while self.peek()[1] != "}":
            if self.word() == "VALUES":
                self.next()
                self.values()
            elif self.peek()[1] == "(":
                self.expression()
            elif self.peek()[1] == "{":
                raise _GiveUp("pattern in a modifier")
            else:
                self.next()
        self.next()

    def expression_until_group(self) -> None:
        while self.word() in ("NOT", "EXISTS"):
            self.next()
        self.group()

    def expression(self) -> None:
        """A parenthesised expression: IRIs in it count as read; EXISTS groups in it are patterns."""
        self.expect("(")
        depth = 1
        while depth:
            kind, value = self.peek()
            if kind == "word" and value.upper() == "EXISTS":
                self.next()
                self.group()
                continue
            self.next()
            depth += {"(": 1, ")": -1}.get(value, 0)
            if kind == "word" and value.upper() in _CHANGING:
                raise _GiveUp(value)
            if value in ("{", "}"):
                raise _GiveUp("braces in an expression")
            if kind in ("iri", "pname"):
                self.read_any(self.iri(kind, value))

    def values(self) -> None:
        while self.peek()[1] != "{":
            self.next()
        self.next()
        while (token := self.next())[1] != "}":
            if token[0] in ("iri", "pname"):
                self.read_any(self.iri(*token))

    def read_any(self, iri: str) -> None:
        """An IRI whose role is not clear: read as a predicate and as a class."""
        self.predicates.add(iri)
        if iri == RDF_TYPE:
            self.classes = None
        elif self.classes is not None:
            self.classes.add(iri)

    # -- triples
    def triples(self) -> None:
        self.subject()
        self.property_list()

    def subject(self) -> None:
        kind, value = self.next()
        if value == "[":
            if self.peek()[1] != "]":
                self.property_list()
            self.expect("]")
        elif kind in ("iri", "pname", "var", "string", "number") or (kind == "word" and value in ("true", "false")):
            return
        else:
            raise _GiveUp(value)

    def property_list(self) -> None:
        """Verbs and their objects, up to what ends the triples (`.`, `}`, `]`, FILTER, ...), left to the caller."""
        while True:
            rdf_type = self.verb()
            self.objects(rdf_type)
            if self.peek()[1] != ";":
                return
            while self.peek()[1] == ";":
                self.next()
            if self.peek()[1] in (".", "}", "]"):
                return

    def verb(self) -> bool:
        """A predicate or a property path; True when it is rdf:type alone (its object then names a class)."""
        if self.peek()[0] == "var":
            raise _GiveUp("variable in predicate position")
        if self.peek() == ("word", "a") and self.peek(1)[1] not in ("/", "|", "+", "*", "?"):
            self.next()
            return True
        self.path()
        return False

    def path(self) -> None:
        self.path_element()
        while self.peek()[1] in ("/", "|"):
            self.next()
            self.path_element()

    def path_element(self) -> None:
        while self.peek()[1] == "^":
            self.next()
        kind, value = self.next()
        if value == "(":
            self.path()
            self.expect(")")
        elif value == "a":
            self.predicates.add(RDF_TYPE)
            self.classes = None
        elif kind in ("iri", "pname"):
            iri = self.iri(kind, value)
            self.predicates.add(iri)
            if iri == RDF_TYPE:
                self.classes = None
        else:
            raise _GiveUp(value)  # a negated set, a variable, anything else
        if self.peek()[1] in ("*", "?"):
            raise _GiveUp("zero-length path")
        if self.peek()[1] == "+":
            self.next()

    def objects(self, rdf_type: bool) -> None:
        while True:
            kind, value = self.next()
            if value == "[":
                if self.peek()[1] != "]":
                    self.property_list()
                self.expect("]")
                if rdf_type:
                    self.classes = None
            elif kind in ("iri", "pname"):
                iri = self.iri(kind, value)
                if rdf_type and self.classes is not None:
                    self.classes.add(iri)
            elif kind in ("var", "string", "number") or (kind == "word" and value in ("true", "false")):
                if rdf_type:
                    self.classes = None
            else:
                raise _GiveUp(value)  # a collection, anything else
            if rdf_type:
                self.predicates.add(RDF_TYPE)
            if self.peek()[1] != ",":
                return
            self.next()


# --------------------------------------------------------------------------
# Semi-naive evaluation: a later round joins one pattern with only what the round before added


@dataclass(frozen=True)
class _Element:
    """One element of a rule's WHERE group, in its order: a triple pattern that can be restricted to the
    triples added last round (`restrictable`), or any other element as its text, with what it reads
    (None: cannot be told) and whether new triples can only take solutions away (`negative`)."""

    text: str
    reads: Reads | None
    restrictable: bool = False
    any_predicate: bool = False  # a triple pattern with a variable predicate reads every triple
    negative: bool = False

    def touched_by(self, predicates: set[str], classes: set[str]) -> bool:
        if self.any_predicate:
            return bool(predicates)
        return self.reads is None or self.reads.touched_by(predicates, classes)


@dataclass(frozen=True)
class SemiNaive:
    """A CONSTRUCT rule cut into its WHERE group's elements, to apply it to what one round added.

    Each round sees the store grown by the triples the round before added. A solution new in this
    round that was not one in the round before must match, in one of the group's top-level triple
    patterns, a triple added last round: every other element either reads nothing the round added
    (so has the same solutions), or can only lose solutions when triples are added (FILTER NOT EXISTS
    over triple patterns, OPTIONAL-free). So the rule's new solutions are the union, over the
    patterns the added triples touch, of the group with that one pattern read from the added triples
    alone. When an element that the added triples touch is anything else (OPTIONAL, a sub-SELECT, a
    property path, a nested group, a NOT EXISTS within a NOT EXISTS), `delta_where` gives None: run
    the whole rule."""

    head: str  # the text before CONSTRUCT (prefixes)
    template: str  # inside CONSTRUCT's braces
    elements: tuple[_Element, ...]

    def delta_where(self, predicates: set[str], classes: set[str], delta: str) -> str | None:
        """The WHERE clause (`WHERE { ... }`) whose solutions include every new one of this round, each
        touched pattern in turn read from the graph `delta` (an IRI in angle brackets); None when the
        whole rule must run; "" when no element is touched (nothing new can be derived)."""
        touched = [e.touched_by(predicates, classes) for e in self.elements]
        if any(hit and not (e.restrictable or e.negative) for e, hit in zip(self.elements, touched, strict=True)):
            return None
        variants = []
        for i, element in enumerate(self.elements):
            if touched[i] and element.restrictable:
                parts = [f"GRAPH {delta} {{ {e.text} }}" if j == i else e.text for j, e in enumerate(self.elements)]
                variants.append("{ " + "\n".join(parts) + " }")
        if not variants:
            return ""
        return "WHERE { " + "\nUNION\n".join(variants) + " }"


def semi_naive(text: str, prefixes: dict[str, str]) -> SemiNaive | None:
    """The rule `text` cut for semi-naive evaluation, or None when its shape is not one this knows (then
    it runs whole in every round it is due)."""
    try:
        return _cut(text, prefixes)
    except (_GiveUp, IndexError):
        return None


_OBJECT_KINDS = ("iri", "pname", "var", "string", "number")


def _cut(text: str, prefixes: dict[str, str]) -> SemiNaive:
    tokens = _tokenize(text)

    def word(i: int) -> str:
        return tokens[i][1].upper() if tokens[i][0] == "word" else ""

    def close(i: int) -> int:
        """The index of the brace that closes the one at `i`."""
        depth = 0
        for j in range(i, len(tokens)):
            depth += {"{": 1, "}": -1}.get(tokens[j][1], 0) if tokens[j][0] == "punct" else 0
            if depth == 0:
                return j
        raise _GiveUp("unbalanced braces")

    construct = [i for i, t in enumerate(tokens) if t[0] == "word" and t[1].upper() == "CONSTRUCT"]
    if len(construct) != 1 or tokens[construct[0] + 1][1] != "{":
        raise _GiveUp("not one CONSTRUCT")
    start = construct[0]
    head = text[:tokens[start][2]]
    if any(t[0] == "word" and t[1].upper() not in ("PREFIX",) for t in tokens[:start]):
        raise _GiveUp("BASE or more before CONSTRUCT")
    template_end = close(start + 1)
    template = text[tokens[start + 1][3]:tokens[template_end][2]]
    if any(t[1] == "[" or t[1].startswith("_:") for t in tokens[start + 1:template_end]) or any(
            t[0] == "word" and t[1].upper() in _CHANGING for t in tokens):
        raise _GiveUp("a new value each run")  # such a rule never reaches a fixpoint, semi-naive or not
    if word(template_end + 1) != "WHERE" or tokens[template_end + 2][1] != "{":
        raise _GiveUp("no WHERE {")
    open_ = template_end + 2
    end = close(open_)
    if end != len(tokens) - 1:
        raise _GiveUp("solution modifiers")
    if word(open_ + 1) == "SELECT":
        raise _GiveUp("a sub-SELECT as the whole group")

    def span(i: int, j: int) -> str:  # the text of tokens i..j inclusive
        return text[tokens[i][2]:tokens[j][3]]

    def reads_of(fragment: str) -> Reads | None:
        return rule_reads(f"{head}CONSTRUCT {{ }} WHERE {{ {fragment} }}", prefixes)

    def term(i: int) -> str:
        kind, value = tokens[i][0], tokens[i][1]
        if kind in _OBJECT_KINDS or (kind == "word" and value in ("true", "false")):
            if kind == "pname" and value.startswith("_:"):
                raise _GiveUp("blank node")
            return value
        raise _GiveUp(value)  # [ ... ], a collection, anything else

    def verb(i: int) -> int:
        """The index just past the predicate or path starting at `i`."""
        need, depth = True, 0
        while True:
            kind, value = tokens[i][0], tokens[i][1]
            if need:
                if value in ("^", "!"):
                    i += 1
                elif value == "(":
                    depth, i = depth + 1, i + 1
                elif kind in ("iri", "pname", "var") or value == "a":
                    need, i = False, i + 1
                else:
                    raise _GiveUp(value)
            elif value in ("+", "*", "?"):
                i += 1
            elif value == ")" and depth:
                depth, i = depth - 1, i + 1
            elif value in ("/", "|"):
                need, i = True, i + 1
            else:
                if depth:
                    raise _GiveUp("unbalanced path")
                return i

    elements: list[_Element] = []
    i = open_ + 1
    while i < end:
        kind, value = tokens[i][0], tokens[i][1]
        w = word(i)
        if value == "." and kind == "punct":
            i += 1
        elif value == "{" or w in ("OPTIONAL", "MINUS", "GRAPH"):
            brace = i if value == "{" else i + (2 if w == "GRAPH" else 1)
            if tokens[brace][1] != "{":
                raise _GiveUp("GRAPH without a group")
            j = close(brace)
            while j + 1 < end and word(j + 1) == "UNION":  # { A } UNION { B }: one element
                j = close(j + 2)
            fragment = span(i, j)
            elements.append(_Element(fragment, reads_of(fragment)))
            i = j + 1
        elif w in ("FILTER", "BIND"):
            if w == "FILTER" and word(i + 1) == "NOT" and word(i + 2) == "EXISTS":
                j = close(i + 3)
                inner = {word(k) for k in range(i + 4, j)}
                fragment = span(i, j)
                reads = reads_of(span(i + 4, j - 1)) if tokens[i + 3][1] == "{" else None
                # a negation within it, or a sub-SELECT (HAVING(COUNT(*) < 2) shrinks as triples come), may gain solutions
                elements.append(_Element(fragment, reads, negative=not inner & {"NOT", "MINUS", "EXISTS", "SELECT"}))
                i = j + 1
            else:
                if tokens[i + 1][1] != "(":
                    raise _GiveUp("FILTER without parentheses")
                depth, j = 0, i + 1
                while True:
                    depth += {"(": 1, ")": -1}.get(tokens[j][1], 0) if tokens[j][0] == "punct" else 0
                    if tokens[j][1] in ("{", "}") or word(j) == "EXISTS":
                        raise _GiveUp("a pattern in an expression")
                    if depth == 0:
                        break
                    j += 1
                elements.append(_Element(span(i, j), Reads(frozenset(), frozenset())))  # reads no triples
                i = j + 1
        elif w == "VALUES":
            j = i + 1
            while tokens[j][1] != "{":
                j += 1
            j = close(j)
            elements.append(_Element(span(i, j), Reads(frozenset(), frozenset())))
            i = j + 1
        elif w in ("SERVICE", "SELECT", "CONSTRUCT", "FROM", "UNION"):
            raise _GiveUp(w)
        else:  # a block of triples: subject, then verbs and objects separated by ; and ,
            subject = term(i)
            i += 1
            while True:
                verb_start, verb_end = i, verb(i)
                predicate = span(i, verb_end - 1)
                i = verb_end
                while True:
                    obj = term(i)
                    pattern = f"{subject} {predicate} {obj} ."
                    single = verb_end - 1 == verb_start  # one IRI, `a` or variable: no path
                    if single and tokens[verb_start][0] == "var":
                        elements.append(_Element(pattern, None, restrictable=True, any_predicate=True))
                    elif single:
                        elements.append(_Element(pattern, reads_of(pattern), restrictable=True))
                    else:
                        elements.append(_Element(pattern, reads_of(pattern)))
                    i += 1
                    if tokens[i][1] != ",":
                        break
                    i += 1
                if tokens[i][1] != ";":
                    break
                while tokens[i][1] == ";":
                    i += 1
                if tokens[i][1] in (".", "}"):
                    break
    return SemiNaive(head, template, tuple(elements))
