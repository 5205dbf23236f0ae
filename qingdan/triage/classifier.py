"""The category classifier: linear models over character n-grams, one per view of a message.

Why this shape: character 1–3-grams need no word segmenter, so the model reads thousands of
messages a second per core (jieba alone reads a few hundred); the weights are linear, so the
reason for a suggestion is the handful of n-grams with the largest weight × presence, shown to
the operator.

A message is read in more than one *view*: the whole message (subject。body) and the subject
alone. Each view is its own TF-IDF space and linear SVM, trained on every record that has that
part (the subject view learns from the 8,000 subject-only records as well as whole messages),
and the views' softmax outputs are averaged with weights. A subject is a one-line summary
written by the sender; in the whole-message space its n-grams are drowned by a long body. The
average of the two views measured better on held-out whole messages than either alone or a
single space with subject features added (docs/triage.md has the comparison).

The shipped model (``data/classifier.joblib``) is trained by ``qingdan triage train`` on the
shared files only; a deployment retrains on its own closed and corrected cases as well.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from qingdan.triage.text import has_content, message_text

DEFAULT_MODEL = Path(__file__).resolve().parent / "data" / "classifier.joblib"
MAX_FEATURES = 60_000
UNKNOWN = ""  # the category of a message that has nothing to classify (empty, only emoji)
# The views a model reads, with the weight of each in the average (tuned by cross-validation on
# the shared files, docs/triage.md). A view whose part is missing from a message sits out.
VIEWS: dict[str, float] = {"whole": 1.0, "subject": 0.7}
# SVM margins times this, through a softmax, read as a confidence (docs/triage.md).
MARGIN_SCALE = 4.0


@dataclass(frozen=True)
class Example:
    """One labeled record: a subject, a body (either may be empty) and its top-level category."""

    subject: str
    body: str
    label: str


@dataclass(frozen=True)
class Prediction:
    """A suggested category, the model's confidence in it (0–1) and the n-grams that weighed most."""

    category: str
    confidence: float
    reasons: tuple[str, ...] = ()


_DIGITS = re.compile(r"\d+")
_SHIFT = np.uint64(21)


def _fold_digits(text: str) -> str:
    return _DIGITS.sub("0", text)


def model_text(subject: str, body: str) -> str:
    """The text the whole-message view reads: subject and body joined, numbers folded."""
    return _fold_digits(message_text(subject, body))


# What each view reads of a (subject, body) pair; "" means the view has nothing to say.
_READERS: dict[str, Callable[[str, str], str]] = {
    "whole": model_text,
    "subject": lambda subject, body: model_text(subject, ""),
    "body": lambda subject, body: model_text("", body),
}


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415 (scikit-learn loads only when a model is trained or used)

    # min_df=2 drops n-grams seen once (mostly names and numbers) and keeps the model small.
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32)


def _gram_id(gram: str) -> int:
    value = 0
    for char in gram:
        value = (value << 21) | ord(char)
    return value


class View:
    """One view's model: a fitted TF-IDF vocabulary, SVM weights and its weight in the average."""

    def __init__(self, *, name: str, vectorizer: Any, coef: np.ndarray, intercept: np.ndarray,
                 weight: float) -> None:
        self.name = name
        self.read = _READERS[name]
        self.vectorizer = vectorizer
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.weight = float(weight)
        self._names: np.ndarray | None = None
        self._idf = vectorizer.idf_.astype(np.float32)
        self._tables = self._ngram_tables()

    def _ngram_tables(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per n-gram length, the sorted integer ids of the vocabulary's n-grams and their columns.

        A character fits in 21 bits, so an n-gram of up to three is one 63-bit integer: numpy then
        finds every n-gram of a text in the vocabulary at once (``searchsorted``), five times
        faster than scikit-learn's Python loop over n-gram strings, with the same result.
        """
        tables = []
        for n in (1, 2, 3):
            ids, cols = [], []
            for gram, col in self.vectorizer.vocabulary_.items():
                if len(gram) == n:
                    ids.append(_gram_id(gram))
                    cols.append(col)
            order = np.argsort(np.asarray(ids, dtype=np.uint64), kind="stable")
            tables.append((np.asarray(ids, dtype=np.uint64)[order], np.asarray(cols, dtype=np.int64)[order]))
        return tables

    def transform(self, texts: Sequence[str]) -> Any:
        """TF-IDF rows exactly as the fitted vectorizer makes them (lower-cased char 1–3-grams, sublinear, L2).

        The whole batch is one array of code points: each n-gram length is one numpy pass over
        it, and (row, column) pairs are counted with one ``np.unique``, so a short text (a
        subject) costs a few array elements rather than a round of Python calls.
        """
        from scipy.sparse import csr_matrix  # noqa: PLC0415 (SciPy loads only with the classifier)

        width = len(self._idf)
        encoded = [text.lower().encode("utf-32-le") for text in texts]
        lengths = np.fromiter((len(e) // 4 for e in encoded), dtype=np.int64, count=len(encoded))
        codes = np.frombuffer(b"".join(encoded), dtype=np.uint32).astype(np.uint64)
        row_of = np.repeat(np.arange(len(encoded), dtype=np.int64), lengths)
        offset = np.arange(codes.size, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        keys_found = []
        for n, (keys, cols) in enumerate(self._tables, start=1):
            if codes.size < n or keys.size == 0:
                continue
            last = codes.size - n + 1
            ids = codes[:last].copy()
            for k in range(1, n):
                ids = (ids << _SHIFT) | codes[k: last + k]
            inside = offset[:last] <= lengths[row_of[:last]] - n  # the n-gram does not cross into the next text
            ids, rows = ids[inside], row_of[:last][inside]
            pos = np.searchsorted(keys, ids)
            pos[pos >= keys.size] = 0
            hit = keys[pos] == ids
            keys_found.append(rows[hit] * width + cols[pos[hit]])
        pairs, counts = (np.unique(np.concatenate(keys_found), return_counts=True) if keys_found
                         else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)))
        rows, col = pairs // width, pairs % width
        val = (1.0 + np.log(counts)).astype(np.float32) * self._idf[col]
        norms = np.sqrt(np.bincount(rows, weights=val.astype(np.float64) ** 2, minlength=len(encoded)))
        val = (val / norms[rows]).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(encoded)))])
        return csr_matrix((val, col, indptr), shape=(len(encoded), width))

    def scores(self, texts: Sequence[str]) -> tuple[Any, np.ndarray]:
        """The TF-IDF rows and each class's SVM margin for the texts."""
        x = self.transform(texts)
        return x, np.asarray(x @ self.coef.T) + self.intercept

    def feature_names(self) -> np.ndarray:
        """Return the n-gram of every column."""
        if self._names is None:
            self._names = self.vectorizer.get_feature_names_out()
        return self._names

    @classmethod
    def train(cls, name: str, texts: Sequence[str], labels: Sequence[str], classes: Sequence[str], *,
              c: float, max_features: int, weight: float) -> View:
        """Fit one view; its weight rows follow ``classes`` (a class the view never saw scores low)."""
        from sklearn.svm import LinearSVC  # noqa: PLC0415 (scikit-learn loads only when a model is trained or used)

        vectorizer = _vectorizer()
        x = vectorizer.fit_transform(texts)
        svm = LinearSVC(C=c, class_weight="balanced").fit(x, labels)
        if max_features and x.shape[1] > max_features:
            # Keep the n-grams that weigh most for some class and fit again on them: the model
            # shrinks to a few MB (the repository ships it) at a cost measured in docs/triage.md.
            keep = np.sort(np.argsort(-np.abs(svm.coef_).max(axis=0))[:max_features])
            names = vectorizer.get_feature_names_out()[keep]
            vectorizer.vocabulary_ = {gram: i for i, gram in enumerate(names)}
            vectorizer.idf_ = vectorizer.idf_[keep]
            vectorizer._tfidf.n_features_in_ = len(keep)
            x = vectorizer.transform(texts)
            svm = LinearSVC(C=c, class_weight="balanced").fit(x, labels)
        seen = [str(k) for k in svm.classes_]
        coef = svm.coef_ if len(seen) > 2 else np.vstack([-svm.coef_[0], svm.coef_[0]])
        intercept = svm.intercept_ if len(seen) > 2 else np.array([-svm.intercept_[0], svm.intercept_[0]])
        full_coef = np.zeros((len(classes), coef.shape[1]), dtype=np.float32)
        full_intercept = np.full(len(classes), -10.0, dtype=np.float32)
        for row, label in enumerate(seen):
            full_coef[list(classes).index(label)] = coef[row]
            full_intercept[list(classes).index(label)] = intercept[row]
        vectorizer.stop_words_ = None  # sklearn keeps the dropped n-grams here: megabytes for nothing
        return cls(name=name, vectorizer=vectorizer, coef=full_coef, intercept=full_intercept, weight=weight)

    def state(self) -> dict:
        """What ``save`` writes of the view (weights as float16: half the size, same predictions)."""
        return {"name": self.name, "vectorizer": self.vectorizer, "coef": self.coef.astype(np.float16),
                "intercept": self.intercept, "weight": self.weight}


class Classifier:
    """A trained model: its views and the class names."""

    def __init__(self, *, views: Sequence[View], classes: Sequence[str], version: str = "",
                 meta: dict | None = None) -> None:
        self.views = list(views)
        self.classes = [str(c) for c in classes]
        self.version = version
        self.meta = meta or {}

    # -- training -------------------------------------------------------------------------
    @classmethod
    def train(cls, examples: Sequence[Example], *, c: float = 1.0, max_features: int = MAX_FEATURES,
              views: dict[str, float] | None = None, meta: dict | None = None) -> Classifier:
        """Fit every view on the examples that have its part: a linear SVM each (balanced classes)."""
        labels = [e.label for e in examples]
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ValueError("training needs examples of at least two categories")
        fitted = []
        for name, weight in (views or VIEWS).items():
            read = _READERS[name]
            pairs = [(read(e.subject, e.body), e.label) for e in examples]
            pairs = [(t, label) for t, label in pairs if has_content(t)]
            if len({label for _, label in pairs}) < 2:
                continue  # e.g. no subjects at all: the view would know nothing
            texts, view_labels = zip(*pairs, strict=True)
            try:
                fitted.append(View.train(name, texts, view_labels, classes, c=c, max_features=max_features,
                                         weight=weight))
            except ValueError as error:  # no n-gram of this part occurs twice: nothing to learn from it
                if "no terms remain" not in str(error):
                    raise
        if not fitted:
            raise ValueError("training needs n-grams that occur in at least two examples")
        digest = hashlib.sha256("\n".join(f"{e.label}\t{e.subject}\t{e.body}" for e in examples).encode()).hexdigest()
        return cls(views=fitted, classes=classes, version=digest[:12], meta=meta)

    # -- prediction -----------------------------------------------------------------------
    def probabilities(self, items: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, list]:
        """Each message's weighted average of the views' softmax, whether it had content, and the views' rows.

        A softmax over SVM margins (scaled) reads as a confidence: calibrated enough to rank
        suggestions and to set an auto-accept threshold on held-out data (docs/triage.md).
        """
        total = np.zeros((len(items), len(self.classes)), dtype=np.float64)
        weights = np.zeros(len(items), dtype=np.float64)
        rows = []
        for view in self.views:
            texts = [view.read(s or "", b or "") for s, b in items]
            present = np.array([has_content(t) for t in texts], dtype=bool)
            x, margins = view.scores(texts)
            z = margins * MARGIN_SCALE
            z -= z.max(axis=1, keepdims=True)
            probs = np.exp(z)
            probs /= probs.sum(axis=1, keepdims=True)
            total += view.weight * probs * present[:, None]
            weights += view.weight * present
            rows.append((view, x, present))
        has = weights > 0
        total[has] /= weights[has, None]
        return total, has, rows

    def predict(self, items: Iterable[tuple[str, str]], *, reasons: int = 0) -> list[Prediction]:
        """Classify (subject, body) pairs; ``reasons`` > 0 adds that many explaining n-grams each."""
        items = [(s or "", b or "") for s, b in items]
        if not items:
            return []
        probs, has, rows = self.probabilities(items)
        best = probs.argmax(axis=1)
        out: list[Prediction] = []
        for i in range(len(items)):
            if not has[i]:
                out.append(Prediction(UNKNOWN, 0.0))
                continue
            k = int(best[i])
            words = self._reasons(rows, i, k, reasons) if reasons else ()
            out.append(Prediction(self.classes[k], round(float(probs[i, k]), 4), words))
        return out

    def _reasons(self, rows: list, row: int, k: int, n: int) -> tuple[str, ...]:
        """The n-grams that pushed class k most, over all views (weighted as the views are)."""
        scored: list[tuple[float, str]] = []
        for view, x, present in rows:
            if not present[row]:
                continue
            start, end = x.indptr[row], x.indptr[row + 1]
            idx, val = x.indices[start:end], x.data[start:end]
            contrib = view.weight * val * view.coef[k, idx]
            names = view.feature_names()
            scored.extend((float(contrib[j]), str(names[idx[j]])) for j in np.argsort(-contrib)[: 4 * n]
                          if contrib[j] > 0)
        words: list[str] = []
        for _, word in sorted(scored, reverse=True):
            if len(words) >= n:
                break
            # An n-gram inside one already shown adds nothing for the reader.
            if len(word) > 1 and not any(word in w or w in word for w in words):
                words.append(word)
        return tuple(words)

    # -- storage --------------------------------------------------------------------------
    def save(self, path: Path) -> int:
        """Write the model as compressed joblib; return its size in bytes."""
        import joblib  # noqa: PLC0415 (joblib loads only with the classifier)

        state = {"views": [v.state() for v in self.views], "classes": self.classes,
                 "version": self.version, "meta": self.meta}
        buffer = io.BytesIO()
        joblib.dump(state, buffer, compress=("xz", 6))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())
        return len(buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> Classifier:
        """Read a model written by ``save``."""
        import joblib  # noqa: PLC0415 (joblib loads only with the classifier)

        state = joblib.load(path)
        if "views" not in state:
            raise ValueError(f"{path} is a model of an older qingdan (one view); retrain it with "
                             "`qingdan triage train`")
        views = [View(**v) for v in state.pop("views")]
        return cls(views=views, **state)


def model_path() -> Path:
    """The model in use: ``QINGDAN_TRIAGE_MODEL`` if set (a retrained one), else the shipped one."""
    configured = getattr(settings, "QINGDAN_TRIAGE_MODEL", "")
    return Path(configured) if configured else DEFAULT_MODEL


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> Classifier:
    return Classifier.load(Path(path))


def get_classifier() -> Classifier:
    """Return the model in use, loaded once per process (reloaded when the file changes)."""
    path = model_path()
    return _load_cached(str(path), path.stat().st_mtime)
