#!/usr/bin/env bash
# `make spark-test`: runs dist/spark/cyberie_spark.py with Spark in local mode
# (local[2]) on the CASIE dev articles and checks that its triples equal a plain
# `cyberie extract` run's on the same input, as multisets of records and in
# number, that the CSV has one header and as many rows, and that no article
# was lost. Prints both wall times and the per-partition overhead. Skipped, with
# the reason, when ../shared/casie-dev is absent.
#
# Settings: SPARK_TEST_MODEL (default: the bundled model), SPARK_TEST_PARTITIONS
# (default 4).
set -euo pipefail
# One precision for the plain run and every Spark partition: --precision auto chooses by timing in
# each process, and the outputs are compared exactly.
export CYBERIE_PRECISION="${CYBERIE_PRECISION:-fp32}"
cd "$(dirname "$0")/../.."

casie=../shared/casie-dev
if [ ! -d "$casie" ]; then
    echo "spark-test: skipped: $casie is absent (../shared is not beside this checkout)"
    exit 0
fi
bin=$PWD/target/release/cyberie
model=$PWD/${SPARK_TEST_MODEL:-models/cyberie-ner-minilm}
partitions=${SPARK_TEST_PARTITIONS:-4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" casie-import "$casie" -o "$work/gold.jsonl" --articles "$work/articles.jsonl" 2> "$work/import.log"
articles=$(wc -l < "$work/articles.jsonl")

now() { date +%s.%N; }
start=$(now)
"$bin" extract "$work/articles.jsonl" --model "$model" --format jsonl -o "$work/plain.jsonl" --error-records \
    --threads 2 2> "$work/plain.log" || [ $? = 3 ]
plain_s="$(now) - $start"

export PYSPARK_PYTHON=$PWD/.venv-spark/bin/python
start=$(now)
.venv-spark/bin/spark-submit --master 'local[2]' --driver-memory 1g \
    --conf spark.ui.enabled=false --conf spark.sql.shuffle.partitions=2 \
    dist/spark/cyberie_spark.py --input "$work/articles.jsonl" --output "$work/spark" \
    --cyberie "$bin" --model "$model" --partitions "$partitions" --threads 1 \
    > "$work/spark.log" 2>&1 || { tail -40 "$work/spark.log"; exit 1; }
spark_s="$(now) - $start"
grep '^cyberie_spark:' "$work/spark.log" || true

python3 - "$work" "$articles" "$plain_s" "$spark_s" <<'PY'
import collections, csv, glob, json, sys
def elapsed(span):  # "END - START"
    end, start = (float(x) for x in span.split(" - "))
    return end - start
work, articles = sys.argv[1], int(sys.argv[2])
plain_s, spark_s = elapsed(sys.argv[3]), elapsed(sys.argv[4])
def records(paths):
    out = collections.Counter()
    for path in paths:
        for line in open(path, encoding="utf-8"):
            if line.strip():
                out[json.dumps(json.loads(line), sort_keys=True)] += 1
    return out
plain = records([f"{work}/plain.jsonl"])
plain_errors = collections.Counter({k: n for k, n in plain.items() if '"error"' in k})
plain_triples = plain - plain_errors
spark = records(glob.glob(f"{work}/spark/triples.jsonl/part-*"))
errors = [json.loads(l) for p in glob.glob(f"{work}/spark/errors.jsonl/part-*") for l in open(p) if l.strip()]
summary = json.load(open(f"{work}/spark/summary.json"))
csv_files = glob.glob(f"{work}/spark/triples.csv/part-*.csv")
with open(csv_files[0], newline="", encoding="utf-8") as f:
    table = list(csv.reader(f))
failures = []
if spark != plain_triples:
    failures.append(f"triples differ: {sum((plain_triples - spark).values())} only in the plain run, "
                    f"{sum((spark - plain_triples).values())} only in Spark's")
if sum(spark.values()) != sum(plain_triples.values()):
    failures.append(f"counts differ: {sum(spark.values())} from Spark, {sum(plain_triples.values())} plain")
if len(errors) != sum(plain_errors.values()):
    failures.append(f"{len(errors)} errors from Spark, {sum(plain_errors.values())} plain")
if summary["articles"] != articles:
    failures.append(f"Spark read {summary['articles']} of {articles} articles")
if len(csv_files) != 1 or table[0][0] != "doc_id" or len(table) - 1 != sum(spark.values()):
    failures.append(f"the CSV: {len(csv_files)} files, header {table[0][:2]}, {len(table) - 1} rows")
overheads = [s["overhead_s"] for s in summary["partition_stats"]]
print(f"spark-test: {articles} CASIE dev articles, {sum(plain_triples.values())} triples "
      f"({len(set(json.loads(k)['doc_id'] for k in plain_triples))} documents with triples), "
      f"{len(errors)} errors")
print(f"spark-test: plain extract (1 process, --threads 2): {plain_s:.1f} s; "
      f"Spark local[2], {summary['partitions']} partitions x --threads 1: {spark_s:.1f} s "
      f"(driver's own measure {summary['wall_s']} s)")
print("spark-test: per partition: " + ", ".join(
    f"#{s['partition']} {s['documents']} docs {s['wall_s']:.1f} s (start-up and model load {s['overhead_s']:.2f} s)"
    for s in summary["partition_stats"]))
if failures:
    print("spark-test: FAIL: " + "; ".join(failures))
    sys.exit(1)
print(f"spark-test: 1 passed, 0 failed")
PY
