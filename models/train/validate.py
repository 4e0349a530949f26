#!/usr/bin/env python3
"""The validation figures of a built model: the rules alone, the argument tagger alone, and both merged,
on the held-out validation part of CASIE, scored by the blind judge's rules (`cyberie evaluate --judge`:
canonical names only, triples of dated predictions, every prediction in the named view). Prints a table
and adds the figures to the measured model's scores.json.

The model measured is the held-out one (the recipe trained without the calibration and validation
parts). With --shipped, the shipped one (the same recipe on all of the development split, which
therefore has no accuracy figures of its own) gets the held-out model's merger.json, a scores.json
holding its own entity scores and the held-out model's figures, and its MODEL_CARD.md from
MODEL_CARD.template.md.

Usage (models/train/build.sh runs it):
    .venv/bin/python models/train/validate.py --bin target/release/cyberie --model DIR --work DIR [--shipped DIR]
"""
import argparse
import json
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
READERS = [("rules alone", "rules"), ("tagger alone", "tagger"), ("both, merged", "rules,tagger")]


def judge(binary, model, work, readers):
    """The judge's scores of one reader setting on the validation part."""
    pred = work / f"val-{readers.replace(',', '+')}.csv"
    subprocess.run([binary, "extract", work / "articles-val.jsonl", "--model", model, "--readers", readers,
                    "-o", pred, "-q"], check=True)
    out = subprocess.run([binary, "evaluate", "--gold", work / "gold-val.jsonl", "--pred", pred,
                          "--articles", work / "articles-val.jsonl", "--judge", "--json"],
                         check=True, capture_output=True, text=True).stdout
    scores = json.loads(out)

    def prf(view, kind):
        s = scores[view][kind]
        return {k: s[k] for k in ("precision", "recall", "f1", "correct_predictions", "predictions",
                                  "found_gold", "gold_events")} | {"f1_ci": s["f1_ci"]}
    return {"pair": prf("all", "pair"), "triple": prf("all", "triple"), "named_pair": prf("named", "pair")}


def table(figures):
    lines = ["| readers | pair P | pair R | **pair F1** | triple F1 | named pair F1 |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, f in figures.items():
        p = f["pair"]
        lines.append(f"| {name} | {p['precision']:.3f} | {p['recall']:.3f} | **{p['f1']:.3f}** | "
                     f"{f['triple']['f1']:.3f} | {f['named_pair']['f1']:.3f} |")
    return "\n".join(lines)


def span_table(scores):
    lines = ["| set | P | R | F1 | per type (F1) |", "| --- | --- | --- | --- | --- |"]
    for name, s in scores.items():
        o = s["overall"]
        per = ", ".join(f"{t} {v['f1']:.3f}" for t, v in s.items() if t != "overall")
        lines.append(f"| {name} | {o['precision']:.4f} | {o['recall']:.4f} | {o['f1']:.4f} | {per} |")
    return "\n".join(lines)


def write_card(card_dir, figures, merger, trained, held_out):
    """MODEL_CARD.md of `card_dir` from the template: the entity scores and training of `trained` (the
    model described), the argument spans and training of `held_out` (the model measured), `figures`."""
    entity_sets = {k: v for k, v in trained["float32_before_export"].items() if k.startswith("eng.")}
    argument_sets = {k: v for k, v in held_out["float32_before_export"].items() if not k.startswith("eng.")}
    weights = "\n".join(f"   | `{name}` | {w:+.3f} |" for name, w in sorted(merger["model"]["weights"].items()))
    tr, ho = trained["training"], held_out["training"]
    role_weights = json.loads((card_dir / "config.json").read_text()).get("cyberie_role_weights", {})
    card = (HERE / "MODEL_CARD.template.md").read_text().format(
        entity_table=span_table(entity_sets),
        argument_table=span_table(argument_sets),
        validation_table=table(figures),
        ner_epochs=tr["ner_epochs"], arg_epochs=tr["arg_epochs"], arg_weight=tr.get("arg_weight", 1.0),
        negatives=tr["negatives"], lr=tr["lr"], batch=tr["batch_size"], steps=tr["steps"], seed=tr["seed"],
        train_minutes=tr["train_minutes"], held_out_steps=ho["steps"], held_out_minutes=ho["train_minutes"],
        bias=f"{merger['model']['bias']:+.3f}", weights=weights, threshold=f"{merger['threshold']:.2f}",
        max_triples=merger["max_triples"], clear_rules=merger.get("clear_rules", 0.7),
        role_weights=json.dumps(role_weights),
        size_mb=f"{sum(f.stat().st_size for f in card_dir.iterdir() if f.is_file()) / 1e6:.0f}",
    )
    (card_dir / "MODEL_CARD.md").write_text(card)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--model", required=True, type=Path, help="the model to measure (with its merger.json)")
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--shipped", type=Path, help="the shipped model, trained on everything: gets the "
                    "measured model's merger, its figures and the model card [default: none, figures only]")
    args = ap.parse_args()
    figures = {name: judge(args.bin, args.model, args.work, readers) for name, readers in READERS}
    print("validation part (CASIE dev files ending in 6), judge's rules:\n" + table(figures), flush=True)

    scores_path = args.model / "scores.json"
    scores = json.loads(scores_path.read_text())
    validation = {"part": "CASIE dev files whose number ends in 6", "rules": "cyberie evaluate --judge",
                  "figures": figures}
    scores["validation"] = validation
    merger = json.loads((args.model / "merger.json").read_text())
    scores["merger"] = merger
    scores_path.write_text(json.dumps(scores, indent=2) + "\n")
    if not args.shipped:
        return

    shutil.copyfile(args.model / "merger.json", args.shipped / "merger.json")
    shipped_path = args.shipped / "scores.json"
    shipped = json.loads(shipped_path.read_text())
    shipped["held_out_model"] = {
        "what": "the same recipe trained on the training part alone; it read the calibration part for the "
                "merger and the validation part for these figures (the shipped model trained on both)",
        "training": scores["training"], "float32_before_export": scores["float32_before_export"],
        "validation": validation}
    shipped["merger"] = merger
    shipped_path.write_text(json.dumps(shipped, indent=2) + "\n")
    write_card(args.shipped, figures, merger, shipped, scores)


if __name__ == "__main__":
    main()
