"""The personal-data vocabulary: which category an identifier's name points to.

The categories and word lists live in ``rules/categories.toml``; this module only knows how to match
them.  An identifier is split into lowercase words (snake, camel, digits, CJK runs); words glued
together without a separator (``useremail``, ``idcardno``) are segmented with the vocabulary's own
words.  Patterns match whole words or word n-grams, compared glued (``phone number`` also matches
``phonenumber``), never raw substrings - except inside CJK words, which have no word boundaries.  A pattern mixing
Latin and CJK words (``IP地址``) is matched like a Latin one, its words glued.

A hit is then vetoed by words *outside* the matched span: a flag prefix (``is_email_verified``),
a meta word (``email_template``), a transformed-value word (``email_hash``) or a category exclusion
(``address_family``).  A weak pattern (``name``, ``address``) fires only with person context: a
person word elsewhere in the identifier (``customer_name``), or, when the identifier is just the
weak pattern plus neutral words, a person word in its owner (``user.name``).  A category may add its
own context words: the records its weak patterns belong to (``Review.text``, ``ticket.description``
are private content; ``PhoneToken.token`` is a credential), which count only as the owner's head
(``MailTemplate.text`` is a template's text).  An owner that is the service's own (``settings``,
``api_client``) gives no context.  Of the surviving hits the longest pattern wins, then the earliest
category.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

from ..errors import ConfigError
from .schema import check, rules_schema

__all__ = ["Category", "Match", "Explanation", "Vocabulary", "split_words", "load_vocabulary"]


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str
    family: str
    sensitive: bool
    patterns: tuple[str, ...]
    weak: tuple[str, ...]
    exclude: tuple[str, ...]
    source: str
    context: tuple[str, ...] = ()  # words naming the records this category's weak patterns belong to
    compounds: tuple[str, ...] = ()  # patterns that also match across owner and attribute (order.lines)


@dataclass(frozen=True)
class Match:
    category: str
    reason: str


@dataclass(frozen=True)
class Explanation:
    identifier: str
    match: Match | None
    reason: str


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# CJK run | ACRONYM (not followed by lowercase) | Capitalised or lowercase word | digits
_WORD_RE = re.compile(rf"[{_CJK}]+|[A-Z]+(?![^\W\d_A-Z{_CJK}])|[A-Z]?[^\W\d_A-Z{_CJK}]+|\d+")
_CJK_RE = re.compile(rf"[{_CJK}]")

_MATCHING_KEYS = ("person_context", "meta_words", "person_heads", "locatives", "entry_owners", "person_records", "organisation_customers", "service_words", "service_owners", "flag_prefixes",
                  "transformed", "neutral_words", "compound_parts")
_EXTENDABLE = ("patterns", "weak", "exclude", "context", "compounds", "examples")
_MAX_SEGMENT = 40  # longer glued words are left whole: segmentation is quadratic in length


def _grams(words: tuple[str, ...]) -> set[str]:
    """Glued n-grams (up to 3 words) of a run of words, for veto lookups."""
    return {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(i + 3, len(words)) + 1)}


def _owner_head(owner: str | None) -> str | None:
    """The last component of an owner (``self.customer`` -> ``customer``), which gives context."""
    parts = [part for part in (owner or "").split(".") if part.strip()]
    return parts[-1] if parts else None


def _exclusion(words: tuple, excludes: tuple, pattern: str = "") -> str | None:
    """The first of a category's exclude words among the words, but one within the pattern itself
    (a password reset token is not excluded by "password reset")."""
    joined = "".join(words)
    return next((ex for ex in excludes if ex not in pattern and (ex in joined if _is_cjk(ex) else _contains(words, ex))), None)


def split_words(identifier: str) -> tuple[str, ...]:
    """Split an identifier into lowercase words; CJK runs stay one word (they have no word breaks)."""
    return tuple(w.lower() for w in _WORD_RE.findall(identifier))


def _is_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def _cjk_only(text: str) -> bool:
    """Whether every word of a pattern is CJK; mixed patterns (``IP地址``) are matched as glued words."""
    words = split_words(text)
    return bool(words) and all(_is_cjk(w) for w in words)


def _glued(text: str) -> str:
    """The comparison key of a word sequence: its words glued together (CJK: the text itself)."""
    return "".join(split_words(text))


class _Hit(NamedTuple):
    rank: int          # category index: earlier categories win ties
    category: str
    pattern: str
    key: str           # glued pattern; its length is the specificity
    weak: bool
    span: frozenset    # word indexes covered (CJK: the CJK word)


class PersonWords:
    """Whether words name a person, and when an owner gives a weak pattern a person or makes it the
    service's own (mixed into Vocabulary, whose _compile sets the word sets these read)."""

    def names_person(self, identifier: str) -> bool:
        """Whether the identifier holds a person word (CustomerProfile, UserMixin, 用户信息)."""
        words = self._words(identifier)
        return any(self._person_at(words, i) for i in range(len(words))) or any(p in identifier for p in self._person_cjk)

    def _person_at(self, words: tuple, start: int, end: int | None = None) -> bool:
        """Are words[start:end] (one word by default) a person word, not a customer an organisation
        word before it qualifies (enterprise_customer)?"""
        end = start + 1 if end is None else end
        return "".join(words[start:end]) in self._person and "".join(words[max(start - 1, 0):end]) not in self._organisations

    def _service_owner(self, owner: str | None) -> str | None:
        """The word making the owner the service's own settings (AvataxConfiguration, or a section of
        them: `hs.config.email`): what it holds is the operator's. Read from the owner's last component
        back: the nearest that is a service word or a person's decides (`config.users` is the
        operator's list, `settings.customer` a person's record kept there)."""
        for part in reversed([p for p in (owner or "").split(".") if p.strip()]):
            words = self._words(part)
            found = next((w for w in words if w in self._service_owners), None)
            if found or any(self._person_at(words, i) for i in range(len(words))):
                return found
        return None

    def _owner_context(self, owner: str | None, context: frozenset = frozenset()) -> str | None:
        """The person word of the owner's last component (``self.customer``, ``ContactForm``, ``user.profile``), or a context
        word of the category as its head, only neutral words after it (``Review.text``, ``EmailConfirmation.key``;
        not ``MailTemplate.text``); none for the service's own owner (``settings.token``, ``api_user.password``)."""
        head = _owner_head(owner)
        if head is None or self.holds(head, "service"):
            return None
        owner_words = self._words(head)
        for start in range(len(owner_words)):
            rest = owner_words[start:]
            for end in range(start + 1, min(start + 3, len(owner_words)) + 1):
                if "".join(owner_words[start:end]) in context and all(w in self._neutral or w.isdigit() for w in rest[end - start:]):
                    return " ".join(owner_words[start:end])
        if any(w in self._owner_meta for w in owner_words):
            return None
        records = all(w in self._person_records or w in self._neutral or self._person_at(owner_words, i) for i, w in enumerate(owner_words))
        return next((w for i, w in enumerate(owner_words) if self._person_at(owner_words, i) or records and w in self._person_records), None)


class Vocabulary(PersonWords):
    """Categories plus the matcher; immutable once built (``extend`` returns a new one)."""

    def __init__(self, matching: dict[str, tuple[str, ...]], categories: list[Category],
                 examples: dict[str, dict[str, tuple[str, ...]]]):
        self.matching = matching
        self.categories: dict[str, Category] = {c.id: c for c in categories}
        self.examples = examples
        self._compile()
        self._explain_cached = functools.lru_cache(maxsize=1 << 16)(self._explain)

    # ---------------------------------------------------------------- building

    @classmethod
    def from_data(cls, data: dict, origin: str = "rules/categories.toml") -> "Vocabulary":
        """Build from parsed TOML checked against schemas/categories.schema.json, so rule typos fail loudly."""
        check(data, rules_schema("categories.toml", origin), origin)
        raw = data.get("matching", {})
        matching = {key: _words(raw.get(key, []), origin, f"matching.{key}") for key in _MATCHING_KEYS}
        categories: list[Category] = []
        examples: dict[str, dict[str, tuple[str, ...]]] = {}
        for i, entry in enumerate(data["category"]):
            category, example = _category(entry, f"category[{i}]", origin, existing=None)
            if category.id in examples:
                raise ConfigError(f"duplicate category id '{category.id}'", path=origin, key=f"category[{i}].id")
            categories.append(category)
            examples[category.id] = example
        return cls(matching, categories, examples)

    def extend(self, categories: list[dict], origin: str, key: str = "category") -> "Vocabulary":
        """Add project categories (as the config's schema checked them, under `key`); an existing id
        gains the given patterns, weak words and exclusions."""
        merged = dict(self.categories)
        examples = dict(self.examples)
        seen: set[str] = set()
        for i, entry in enumerate(categories):
            where = f"{key}[{i}]"
            category, example = _category(entry, where, origin, existing=merged.get(entry["id"]))
            if category.id in seen:
                raise ConfigError(f"duplicate category id '{category.id}'", path=origin, key=f"{where}.id")
            seen.add(category.id)
            merged[category.id] = category
            old_example = examples.get(category.id, {"match": (), "ignore": ()})
            examples[category.id] = {k: old_example[k] + example[k] for k in ("match", "ignore")}
        return Vocabulary(self.matching, list(merged.values()), examples)

    def _compile(self) -> None:
        """Precompute the lookup tables so that classifying is a few dict lookups per word n-gram."""
        m = self.matching
        self._person = {_glued(w) for w in m["person_context"] if not _is_cjk(w)}
        self._organisations = {_glued(w) for w in m["organisation_customers"]}
        self._person_cjk = tuple(w for w in m["person_context"] if _is_cjk(w))
        self._meta = {_glued(w) for w in m["meta_words"] if not _is_cjk(w)}
        self._meta_cjk = tuple(w for w in m["meta_words"] if _is_cjk(w))
        self._person_heads = {_glued(w) for w in m["person_heads"]}
        self._locatives = {_glued(w) for w in m["locatives"]}
        self._owner_meta, self._person_records = self._meta - {_glued(w) for w in m["entry_owners"]}, {_glued(w) for w in m["person_records"]}
        self._service = {_glued(w) for w in m["service_words"] if not _is_cjk(w)}
        self._service_cjk = tuple(w for w in m["service_words"] if _is_cjk(w))
        self._service_owners = {_glued(w) for w in m["service_owners"]}
        self._flags = {_glued(w) for w in m["flag_prefixes"] if not _is_cjk(w)}
        self._flags_cjk = tuple(w for w in m["flag_prefixes"] if _is_cjk(w))
        self._transformed = {_glued(w) for w in m["transformed"] if not _is_cjk(w)}
        self._transformed_cjk = tuple(w for w in m["transformed"] if _is_cjk(w))
        self._neutral = {_glued(w) for w in m["neutral_words"]}
        self._parts = {_glued(w) for w in m["compound_parts"]}

        self._index: dict[str, list[_Hit]] = {}
        self._cjk_patterns: list[_Hit] = []
        self._exclude: dict[str, tuple[str, ...]] = {}
        self._context: dict[str, frozenset] = {}
        self._compounds: dict[str, list[_Hit]] = {}
        lexicon: set[str] = set()
        for rank, c in enumerate(self.categories.values()):
            for text, weak in [(p, False) for p in c.patterns] + [(p, True) for p in c.weak]:
                if _cjk_only(text):
                    self._cjk_patterns.append(_Hit(rank, c.id, text, text.replace(" ", ""), weak, frozenset()))
                else:
                    key = _glued(text)
                    self._index.setdefault(key, []).append(_Hit(rank, c.id, text, key, weak, frozenset()))
            self._exclude[c.id] = tuple(_glued(e) if not _is_cjk(e) else e.replace(" ", "") for e in c.exclude)
            self._context[c.id] = frozenset(_glued(w) for w in c.context)
            for text in c.compounds:
                self._compounds.setdefault(_glued(text), []).append(_Hit(rank, c.id, text, _glued(text), False, frozenset()))
            for text in c.patterns + c.weak + c.exclude + c.context + c.compounds:
                if not _cjk_only(text):
                    lexicon.update(split_words(text))
                    lexicon.add(_glued(text))
        for words in m.values():
            for w in words:
                if not _is_cjk(w):
                    lexicon.update(split_words(w))
                    lexicon.add(_glued(w))
        self._lexicon = frozenset(lexicon)
        self._max_key = max(map(len, [*self._index, *self._compounds]), default=0)

    # ---------------------------------------------------------------- matching

    def classify(self, identifier: str, owner: str | None = None) -> Match | None:
        """The category the identifier most specifically names, or None."""
        return self._explain_cached(identifier, owner).match

    def explain(self, identifier: str, owner: str | None = None) -> Explanation:
        """Like classify, but says why (which pattern fired, or what vetoed it)."""
        return self._explain_cached(identifier, owner)

    def holds(self, identifier: str, kind: str) -> bool:
        """Whether the identifier holds a `service` word (it names the service's own thing: SiteSettings,
        api_config) or a `meta` word (it is about some data, not the data: addressbook.url, email.verified)."""
        vocab, cjk = (self._service, self._service_cjk) if kind == "service" else (self._meta, self._meta_cjk)
        return bool(_grams(self._words(identifier)) & vocab) or any(w in identifier for w in cjk)

    def excluded_by(self, identifier: str, category: str) -> str | None:
        """The word of the category's `exclude` list the identifier holds, if any: a field declared
        as an IP address but named `socks_proxy_host` is a server's, not a person's."""
        return _exclusion(self._words(identifier), self._exclude.get(category, ()))

    def _explain(self, identifier: str, owner: str | None) -> Explanation:
        words = self._words(identifier)
        hits = self._hits(words)
        first_veto = None
        for hit in sorted(hits, key=lambda h: (-len(h.key), h.rank)):
            verdict = self._verdict(hit, words, owner)
            if verdict.startswith("+"):
                match = Match(hit.category, verdict[1:])
                return Explanation(identifier, match, match.reason)
            first_veto = first_veto or verdict
        compound = self._owner_compound(words, owner)
        if compound is not None:
            return Explanation(identifier, compound, compound.reason)
        return Explanation(identifier, None, first_veto or "no pattern")

    def _owner_compound(self, words: tuple[str, ...], owner: str | None) -> Match | None:
        """A compound pattern spelled across the owner's last component and the identifier
        (``order.lines``, ``Checkout.lines`` read as "order lines", "checkout lines"): only a hit
        spanning both counts, so the owner alone (``order.total``) names nothing; the words around
        it veto as in one identifier (``order.lines_count``)."""
        head = _owner_head(owner)
        if head is None or not self._compounds or not words:
            return None
        owner_words = self._words(head)
        joined, boundary = owner_words + words, len(owner_words)
        hits = [h for h in self._hits(joined, self._compounds) if min(h.span) < boundary <= max(h.span)]
        for hit in sorted(hits, key=lambda h: (-len(h.key), h.rank)):
            verdict = self._verdict(hit, joined, None)
            if verdict.startswith("+"):
                return Match(hit.category, f'{verdict[1:]} across owner "{head}"')
        return None

    def _words(self, identifier: str) -> tuple[str, ...]:
        """split_words, then glued words not in the lexicon segmented into lexicon words."""
        out: list[str] = []
        for word in split_words(identifier):
            if word in self._lexicon or word.isdigit() or _is_cjk(word):
                out.append(word)
            else:
                out.extend(self._segment(word) or (word,))
        return tuple(out)

    def _piece(self, piece: str) -> str | None:
        """The lexicon word a segment stands for (plurals reduced), if it may be split out."""
        for candidate in (piece, piece[:-1] if piece.endswith("s") else "", piece[:-2] if piece.endswith("es") else ""):
            if candidate in self._lexicon and (len(candidate) >= 3 or candidate in self._parts):
                return candidate
        return None

    def _segment(self, word: str) -> tuple[str, ...] | None:
        """Fewest-pieces split of a glued word into lexicon words (``useremail`` -> user, email)."""
        n = len(word)
        if n > _MAX_SEGMENT:
            return None
        best: list[tuple[str, ...] | None] = [()] + [None] * n
        for end in range(1, n + 1):
            for start in range(end):
                prefix = best[start]
                if prefix is None or (best[end] is not None and len(best[end]) <= len(prefix) + 1):
                    continue
                piece = self._piece(word[start:end])
                if piece:
                    best[end] = prefix + (piece,)
        return best[n]

    def _hits(self, words: tuple[str, ...], index: dict | None = None) -> list[_Hit]:
        """Every pattern occurrence: glued word n-grams looked up in the index (the patterns', else
        the one given), CJK by substring."""
        index = self._index if index is None else index
        hits: list[_Hit] = []
        for i in range(len(words)):
            if _is_cjk(words[i]) and index is self._index:
                for p in self._cjk_patterns:
                    if p.key in words[i]:
                        hits.append(p._replace(span=frozenset((i,))))
                continue
            key = ""
            for j in range(i, len(words)):
                key += words[j]
                if len(key) > self._max_key:
                    break
                for p in index.get(key, ()):
                    hits.append(p._replace(span=frozenset(range(i, j + 1))))
        return hits

    def _verdict(self, hit: _Hit, words: tuple[str, ...], owner: str | None) -> str:
        """'+reason' when the hit stands, else the reason it was vetoed.

        Position decides: the last words of an identifier say what it is (English compounds are
        head-final), so a meta word after the hit makes it metadata (email_template, login_url)
        while one before only qualifies the data (verified_phone_number, host_email). Transformed
        values (hashed_email, email_hash) and the service's own or made-up values (support_email,
        sample_phone) are vetoed wherever the word stands."""
        said = f'"{hit.pattern}" ({hit.category})'
        cjk_rest = "".join(words[i] for i in hit.span if _is_cjk(words[i])).replace(hit.key, "|")
        first, last = min(hit.span, default=0), max(hit.span, default=len(words) - 1)
        before, after = words[:first], words[last + 1:]
        outside = _grams(before) | _grams(after)
        excluded = _exclusion(words, self._exclude[hit.category], hit.key)
        if excluded:
            return f'{said} excluded by "{excluded}"'
        head = _owner_head(owner)
        excluded = _exclusion(self._words(head), self._exclude[hit.category]) if head is not None else None
        if excluded:  # what a store, a venue holds is theirs, as a store_latitude is (Venue.latitude)
            return f'{said} excluded by its owner\'s "{excluded}"'
        owner_word = self._service_owner(owner)
        if owner_word:
            return f'{said} vetoed: held by the service\'s own "{owner_word}"'
        if words[0] in self._flags and 0 not in hit.span or any(cjk_rest.startswith(f) for f in self._flags_cjk):
            return f'{said} vetoed: flag prefix "{words[0] if words[0] in self._flags else cjk_rest[:2]}"'
        for grams, vocab, cjk, what in ((outside, self._transformed, self._transformed_cjk, "transformed value"),
                                        (outside, self._service, self._service_cjk, "the service's own or a made-up value"),
                                        (_grams(after), self._meta, self._meta_cjk, "meta word after the data"),
                                        (set(after[-1:]), self._person_heads, (), "the person who has the data, named after it")):
            found = sorted(grams & vocab) or [w for w in cjk if w in cjk_rest]
            if found:
                return f'{said} vetoed: {what} "{found[0]}"'
        if len(before) >= 2 and before[-1] in self._locatives:
            return f'{said} vetoed: where the "{before[-2]}" before "{before[-1]}" is'
        if hit.weak:
            context = [w for w in self._person_cjk if w in cjk_rest]  # inside one CJK word: 用户密码
            if context:
                return f'+weak pattern "{hit.pattern}" with person context "{context[0]}"'
            return self._weak_verdict(hit, said, before, after, owner)
        return f'+pattern "{hit.pattern}"'

    def _weak_verdict(self, hit: _Hit, said: str, before: tuple, after: tuple, owner: str | None) -> str:
        """A weak pattern (name, address, password) names a person's data only next to a person:
        a person word (or a context word of the category) right before it, with nothing but neutral
        words between (customer_full_name, not shipping_method_name) and only neutral words after
        it, or an owner that is a person or such a record."""
        if any(w not in self._neutral and not w.isdigit() for w in after):
            return f"{said} is weak and is not the last word"
        context = self._context[hit.category]
        end = len(before)
        while end > 0:
            for start in range(max(0, end - 3), end):
                gram = "".join(before[start:end])
                if self._person_at(before, start, end) or gram in context or any(p in gram for p in self._person_cjk):
                    return f'+weak pattern "{hit.pattern}" with person context "{" ".join(before[start:end])}"'
            if before[end - 1] not in self._neutral:
                break
            end -= 1
        owner_context = self._owner_context(owner, context)
        if owner_context and all(w in self._neutral or w.isdigit() for w in before):
            return f'+weak pattern "{hit.pattern}" with owner context "{owner_context}"'
        return f"{said} is weak and has no person context"

    # ---------------------------------------------------------------- identity

    def digest(self) -> str:
        """A stable hash of everything that affects matching: part of the summary cache key."""
        content = {"matching": self.matching, "categories": [asdict(c) for c in self.categories.values()]}
        return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def __getstate__(self):
        # The lru_cache wrapper is not picklable; worker processes rebuild it.
        return (self.matching, list(self.categories.values()), self.examples)

    def __setstate__(self, state) -> None:
        self.__init__(*state)


def _contains(words: tuple[str, ...], key: str) -> bool:
    """Whether some contiguous run of words glues to key."""
    for i in range(len(words)):
        glued = ""
        for w in words[i:]:
            glued += w
            if glued == key:
                return True
            if len(glued) >= len(key):
                break
    return False


def _words(values: list, origin: str, key: str) -> tuple[str, ...]:
    """Word sequences; one without a word (`--`) could never match, so it is a typo."""
    for i, value in enumerate(values):
        if not (_is_cjk(value) or split_words(value)):
            raise ConfigError(f"'{value}' contains no word", path=origin, key=f"{key}[{i}]")
    return tuple(values)


def _category(raw: dict, key: str, origin: str, existing: Category | None) -> tuple[Category, dict]:
    """One [[category]] table; with ``existing``, only extendable keys are allowed."""
    cid = raw["id"]
    lists = {k: _words(raw.get(k, []), origin, f"{key}.{k}") for k in ("patterns", "weak", "exclude", "context", "compounds")}
    examples = {k: _words(raw.get("examples", {}).get(k, []), origin, f"{key}.examples.{k}") for k in ("match", "ignore")}
    if existing is not None:
        for k in raw:
            if k not in _EXTENDABLE and k != "id":
                raise ConfigError(f"category '{cid}' exists; only {', '.join(_EXTENDABLE)} can be extended",
                                  path=origin, key=f"{key}.{k}")
        return Category(
            existing.id, existing.name, existing.description, existing.family, existing.sensitive,
            existing.patterns + lists["patterns"], existing.weak + lists["weak"],
            existing.exclude + lists["exclude"], existing.source, existing.context + lists["context"],
            existing.compounds + lists["compounds"]), examples
    if "patterns" not in raw:
        raise ConfigError(f"category '{cid}' has no 'patterns'", path=origin, key=f"{key}.patterns")
    if not lists["patterns"] and not lists["weak"]:
        raise ConfigError(f"category '{cid}' needs at least one pattern or weak pattern", path=origin, key=f"{key}.patterns")
    return Category(cid, raw.get("name", cid), raw.get("description", ""), raw.get("family", "personal"),
                    raw.get("sensitive", False), lists["patterns"], lists["weak"], lists["exclude"],
                    raw.get("source", origin), lists["context"], lists["compounds"]), examples


def load_vocabulary(rules_dir: Path) -> Vocabulary:
    """Read ``rules_dir/categories.toml``; TOML syntax errors become ConfigError with the line."""
    path = Path(rules_dir) / "categories.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:  # before Python 3.14 the position is only in the message
            found = re.search(r"at line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        raise ConfigError(f"invalid TOML: {exc}", path=str(path), line=line) from exc
    return Vocabulary.from_data(data, origin=str(path))
