"""The category classifier: character n-grams of subject and body, one linear model, explainable.

Why this shape: character 1–3-grams need no word segmenter, so the model reads thousands of
messages a second per core (jieba alone reads a few hundred); the weights are linear, so the
reason for a suggestion is the handful of n-grams with the largest weight × presence, shown to
the operator. Subject and body share one feature space: separate spaces for the two (so that
subject-only and body-only records teach each their own weights) measured worse on held-out
whole messages (docs/triage.md has the comparison).

The shipped model (``data/classifier.joblib``) is trained by ``qingdan triage train`` on the
shared files only; a deployment retrains on its own closed and corrected cases as well.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qingdan.triage.text import has_content, message_text

DEFAULT_MODEL = Path(__file__).resolve().parent / "data" / "classifier.joblib"
MAX_FEATURES = 60_000
UNKNOWN = ""  # the category of a message that has nothing to classify (empty, only emoji)


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


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # min_df=2 drops n-grams seen once (mostly names and numbers) and keeps the model small.
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32)


_DIGITS = re.compile(r"\d+")
_SHIFT = np.uint64(21)


def _gram_id(gram: str) -> int:
    value = 0
    for char in gram:
        value = (value << 21) | ord(char)
    return value


def model_text(subject: str, body: str) -> str:
    """The text the model reads: subject and body joined, numbers folded to one symbol."""
    return _DIGITS.sub("0", message_text(subject, body))


class Classifier:
    """A trained model: a vectorizer, a weight matrix and the class names."""

    def __init__(self, *, vectorizer: Any, coef: np.ndarray, intercept: np.ndarray,
                 classes: Sequence[str], version: str = "", meta: dict | None = None) -> None:
        self.vectorizer = vectorizer
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.classes = [str(c) for c in classes]
        self.version = version
        self.meta = meta or {}
        self._names: np.ndarray | None = None
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
        """TF-IDF rows exactly as the fitted vectorizer makes them (lower-cased char 1–3-grams, sublinear, L2)."""
        from scipy.sparse import csr_matrix

        idf = self.vectorizer.idf_.astype(np.float32)
        indptr, indices, data = [0], [], []
        for text in texts:
            codes = np.frombuffer(text.lower().encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
            found = []
            for n, (keys, cols) in enumerate(self._tables, start=1):
                if codes.size < n or keys.size == 0:
                    continue
                ids = codes[: codes.size - n + 1].copy()
                for k in range(1, n):
                    ids = (ids << _SHIFT) | codes[k: codes.size - n + 1 + k]
                pos = np.searchsorted(keys, ids)
                pos[pos >= keys.size] = 0
                found.append(cols[pos[keys[pos] == ids]])
            if found:
                col, counts = np.unique(np.concatenate(found), return_counts=True)
                val = (1.0 + np.log(counts)).astype(np.float32) * idf[col]
                norm = float(np.sqrt(np.dot(val, val)))
                if norm > 0:
                    indices.append(col)
                    data.append(val / norm)
            indptr.append(indptr[-1] + (indices[-1].size if found and norm > 0 else 0))
        return csr_matrix((np.concatenate(data) if data else np.zeros(0, dtype=np.float32),
                           np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64), indptr),
                          shape=(len(texts), len(idf)))

    # -- training -------------------------------------------------------------------------
    @classmethod
    def train(cls, examples: Sequence[Example], *, c: float = 1.0, max_features: int = MAX_FEATURES,
              meta: dict | None = None) -> Classifier:
        """Fit the vectorizers and a linear SVM (balanced classes) on the examples."""
        from sklearn.svm import LinearSVC

        texts = [model_text(e.subject, e.body) for e in examples]
        labels = [e.label for e in examples]
        if len(set(labels)) < 2:
            raise ValueError("training needs examples of at least two categories")
        vectorizer = _vectorizer()
        x = vectorizer.fit_transform(texts)
        svm = LinearSVC(C=c, class_weight="balanced")
        svm.fit(x, labels)
        if max_features and x.shape[1] > max_features:
            # Keep the n-grams that weigh most for some class and fit again on them: the model
            # shrinks to a few MB (the repository ships it) at a cost measured in docs/triage.md.
            keep = np.sort(np.argsort(-np.abs(svm.coef_).max(axis=0))[:max_features])
            names = vectorizer.get_feature_names_out()[keep]
            vectorizer.vocabulary_ = {name: i for i, name in enumerate(names)}
            vectorizer.idf_ = vectorizer.idf_[keep]
            vectorizer._tfidf.n_features_in_ = len(keep)
            x = vectorizer.transform(texts)
            svm = LinearSVC(C=c, class_weight="balanced")
            svm.fit(x, labels)
        coef = svm.coef_ if len(svm.classes_) > 2 else np.vstack([-svm.coef_[0], svm.coef_[0]])
        intercept = svm.intercept_ if len(svm.classes_) > 2 else np.array([-svm.intercept_[0], svm.intercept_[0]])
        digest = hashlib.sha256("\n".join(f"{e.label}\t{e.subject}\t{e.body}" for e in examples).encode()).hexdigest()
        return cls(vectorizer=vectorizer, coef=coef, intercept=intercept,
                   classes=list(svm.classes_), version=digest[:12], meta=meta)

    # -- prediction -----------------------------------------------------------------------
    def predict(self, items: Iterable[tuple[str, str]], *, reasons: int = 0) -> list[Prediction]:
        """Classify (subject, body) pairs; ``reasons`` > 0 adds that many explaining n-grams each."""
        texts = [model_text(s or "", b or "") for s, b in items]
        if not texts:
            return []
        x = self.transform(texts)
        scores = np.asarray(x @ self.coef.T) + self.intercept
        best = scores.argmax(axis=1)
        # A softmax over SVM margins (scaled) reads as a confidence: calibrated enough to rank
        # suggestions and to set an auto-accept threshold on held-out data (docs/triage.md).
        z = scores * 4.0
        z -= z.max(axis=1, keepdims=True)
        probs = np.exp(z)
        probs /= probs.sum(axis=1, keepdims=True)
        out: list[Prediction] = []
        for i, text in enumerate(texts):
            if not has_content(text):
                out.append(Prediction(UNKNOWN, 0.0))
                continue
            k = int(best[i])
            words = self._reasons(x, i, k, reasons) if reasons else ()
            out.append(Prediction(self.classes[k], round(float(probs[i, k]), 4), words))
        return out

    def _reasons(self, x: Any, row: int, k: int, n: int) -> tuple[str, ...]:
        start, end = x.indptr[row], x.indptr[row + 1]
        idx, val = x.indices[start:end], x.data[start:end]
        contrib = val * self.coef[k, idx]
        order = np.argsort(-contrib)
        names = self.feature_names()
        words: list[str] = []
        for j in order:
            if contrib[j] <= 0 or len(words) >= n:
                break
            word = names[idx[j]]
            # An n-gram inside one already shown adds nothing for the reader.
            if len(word) > 1 and not any(word in w or w in word for w in words):
                words.append(word)
        return tuple(words)

    def feature_names(self) -> np.ndarray:
        """Return the n-gram of every column."""
        if self._names is None:
            self._names = self.vectorizer.get_feature_names_out()
        return self._names

    # -- storage --------------------------------------------------------------------------
    def save(self, path: Path) -> int:
        """Write the model as compressed joblib; return its size in bytes."""
        import joblib

        state = {"vectorizer": self.vectorizer, "coef": self.coef.astype(np.float16), "intercept": self.intercept,
                 "classes": self.classes,
                 "version": self.version, "meta": self.meta}
        self.vectorizer.stop_words_ = None  # sklearn keeps the dropped n-grams here: megabytes for nothing
        buffer = io.BytesIO()
        joblib.dump(state, buffer, compress=("xz", 6))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())
        return len(buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> Classifier:
        """Read a model written by ``save``."""
        import joblib

        state = joblib.load(path)
        state["coef"] = state["coef"].astype(np.float32)
        return cls(**state)


def model_path() -> Path:
    """The model in use: ``QINGDAN_TRIAGE_MODEL`` if set (a retrained one), else the shipped one."""
    from django.conf import settings

    configured = getattr(settings, "QINGDAN_TRIAGE_MODEL", "")
    return Path(configured) if configured else DEFAULT_MODEL


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> Classifier:
    return Classifier.load(Path(path))


def get_classifier() -> Classifier:
    """Return the model in use, loaded once per process (reloaded when the file changes)."""
    path = model_path()
    return _load_cached(str(path), path.stat().st_mtime)
