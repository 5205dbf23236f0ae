"""``qingdan triage train|evaluate|classify|locate|group|gazetteer``: the triage models over files."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qingdan.core.commands import QingdanCommand, run_or_enqueue
from qingdan.core.errors import ApplicationError
from qingdan.core.tabular import CsvWriter
from qingdan.triage import grouping
from qingdan.triage.batch import classify_rows, group_rows, issue_rows, locate_rows, read_messages
from qingdan.triage.classifier import DEFAULT_MODEL, Classifier
from qingdan.triage.gazetteer import gazetteer_build
from qingdan.triage.grouping import idf_fit, idf_save
from qingdan.triage.tasks import triage_backfill_task
from qingdan.triage.text import message_text
from qingdan.triage.training import evaluate, examples_from_database, examples_from_files


class Command(QingdanCommand):
    help = ("Triage of messages. 'train FILE…' fits the category classifier on labeled CSV/XLSX files (subject "
            "and/or text, and a category column; --from-db adds the deployment's corrected and closed cases) and "
            "writes the model; 'evaluate FILE…' cross-validates it; 'classify FILE --output OUT.csv' writes "
            "id,category,confidence; 'locate FILE --output OUT.csv' writes id,unit_code,unit_name,confidence; "
            "'group FILE --output OUT.csv [--issues ISSUES.csv]' writes id,issue and the hot issues; "
            "'backfill [--limit N] [--enqueue] [--every SECONDS]' triages stored submissions that have no "
            "triage yet, oldest first (bulk imports send no signal per row: run it from cron); "
            "'gazetteer DIVISIONS_DIR [MESSAGES…]' rebuilds the shipped gazetteer (message files mark short city "
            "and county names used as ordinary words).")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", choices=["train", "evaluate", "classify", "locate", "group", "gazetteer",
                                                      "backfill"])
        parser.add_argument("files", nargs="*", type=Path)
        parser.add_argument("--output", type=Path, help="where to write the CSV (default: standard output)")
        parser.add_argument("--issues", type=Path, help="group: also write the hot issues to this CSV")
        parser.add_argument("--model", type=Path, help="train: where to write the model (default: the shipped one)")
        parser.add_argument("--from-db", action="store_true",
                            help="train: add the corrected and categorised submissions stored here")
        parser.add_argument("--unit", metavar="CODE", help="locate: the channel's unit, to settle repeated names")
        parser.add_argument("--threshold", type=float, help="group: the similarity that joins an issue")
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0,
                            help="evaluate: how the folds are drawn (docs/triage.md reports seeds 0, 1 and 2)")
        parser.add_argument("--limit", type=int, default=5000, help="backfill: at most this many per run")
        parser.add_argument("--enqueue", action="store_true", help="backfill: run it on the background worker")
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="backfill: keep running, once every SECONDS (instead of cron)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        files: list[Path] = options["files"]
        if not files and not (action == "train" and options["from_db"]) and action != "backfill":
            raise CommandError(f"triage {action} needs a file")
        try:
            getattr(self, f"do_{action}")(files, options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except ValueError as exc:  # training data the models cannot learn from (one category, no shared n-gram)
            if action not in ("train", "evaluate"):
                raise
            raise CommandError(str(exc)) from exc

    # -- writing --------------------------------------------------------------------------
    def _writer(self, path: Path | None) -> tuple[Any, Any]:
        if path is None:
            return CsvWriter(sys.stdout, lineterminator="\n"), None
        handle = path.open("w", encoding="utf-8", newline="")
        return CsvWriter(handle), handle  # messages' ids and hot-issue titles are typed text: escaped

    def _write(self, path: Path | None, header: list[str], rows: Any) -> int:
        writer, handle = self._writer(path)
        count = 0
        try:
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
        finally:
            if handle is not None:
                handle.close()
        return count

    def _messages(self, files: list[Path]) -> list[Any]:
        messages = []
        for path in files:
            messages.extend(read_messages(self.read_file(path)))
        return messages

    # -- actions --------------------------------------------------------------------------
    def _examples(self, files: list[Path], options: dict[str, Any]) -> list[Any]:
        examples = examples_from_files([self.read_file(p) for p in files]) if files else []
        if options["from_db"]:
            examples += examples_from_database()
        if not examples:
            raise CommandError("no labeled rows found")
        return examples

    def do_train(self, files: list[Path], options: dict[str, Any]) -> None:
        examples = self._examples(files, options)
        started = time.perf_counter()
        model = Classifier.train(examples, meta={"examples": len(examples), "files": [p.name for p in files]})
        path = options["model"] or DEFAULT_MODEL
        size = model.save(path)
        if options["model"] is None:  # the shipped model: refresh the grouping idf from the same texts
            idf_save(idf_fit(message_text(e.subject, e.body) for e in examples))
        self.stdout.write(f"trained on {len(examples)} examples, {len(model.classes)} categories in "
                          f"{time.perf_counter() - started:.1f}s; wrote {path} ({size / 1e6:.1f} MB), "
                          f"version {model.version}")

    def do_evaluate(self, files: list[Path], options: dict[str, Any]) -> None:
        result = evaluate(self._examples(files, options), folds=options["folds"], seed=options["seed"])
        self.stdout.write(f"{result.folds}-fold cross-validation (seed {options['seed']}) on {result.messages} "
                          "whole messages: "
                          f"macro-F1 {result.macro_f1:.4f}, accuracy {result.accuracy:.4f}")
        for label, f1 in result.per_class.items():
            self.stdout.write(f"  {label}\t{f1:.4f}")

    def do_classify(self, files: list[Path], options: dict[str, Any]) -> None:
        messages = self._messages(files)
        rows = ((i, c, f"{p:.4f}") for i, c, p in classify_rows(messages))
        count = self._write(options["output"], ["id", "category", "confidence"], rows)
        self.stderr.write(f"classified {count} rows")

    def do_locate(self, files: list[Path], options: dict[str, Any]) -> None:
        messages = self._messages(files)
        rows = ((i, c, n, f"{p:.2f}") for i, c, n, p in locate_rows(messages, context_code=options["unit"] or ""))
        count = self._write(options["output"], ["id", "unit_code", "unit_name", "confidence"], rows)
        self.stderr.write(f"located {count} rows")

    def do_group(self, files: list[Path], options: dict[str, Any]) -> None:
        messages = self._messages(files)
        threshold = options["threshold"] if options["threshold"] is not None else grouping.THRESHOLD
        result = group_rows(messages, threshold=threshold)
        self._write(options["output"], ["id", "issue"], result.assignments)
        if options["issues"]:
            self._write(options["issues"], ["issue", "heat", "size", "submitters", "title", "place", "first", "last"],
                        issue_rows(result))
        self.stderr.write(f"grouped {len(messages)} rows into {len(result.index.issues)} issues")

    def do_gazetteer(self, files: list[Path], options: dict[str, Any]) -> None:
        corpus = [message_text(m.subject, m.body) for path in files[1:] for m in read_messages(self.read_file(path))]
        count = gazetteer_build(divisions=files[0], corpus=corpus)
        self.stdout.write(f"gazetteer: {count} names")

    def do_backfill(self, files: list[Path], options: dict[str, Any]) -> None:
        run_or_enqueue(self, options, name="triage backfill", task=triage_backfill_task,
                       describe=lambda r: f"triaged {r['triaged']} submissions", limit=options["limit"])
