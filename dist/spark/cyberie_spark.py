#!/usr/bin/env python3
"""cyberie as a stage of Apache Spark.

Reads articles as JSON Lines ({"id", "text", "title"?, "date"?} per line; a local
path or any Hadoop-compatible one, globs and .gz allowed), repartitions them,
pipes each partition through one `cyberie extract -` process (the model loads
once per partition), and writes, under OUTPUT:

  triples.jsonl/   the triples, JSON Lines, one file per partition (part-*)
  triples.csv/     the same as one CSV file with one header (part-*.csv)
  errors.jsonl/    one JSON record per article that could not be read or
                   processed: {"error", "source", "line", "doc_id", "partition"}
                   ("line" counts the lines of the partition's input)
  summary.json     counts, wall time, and each partition's documents, wall time
                   and overhead (process start and model load)

Within a partition the triples are those of one `cyberie extract` run over the
partition's articles, in their order. Usage (see dist/spark/README.md):

  spark-submit [--master local[2]] dist/spark/cyberie_spark.py \\
      --input articles.jsonl --output out/ --cyberie /path/to/cyberie \\
      [--model DIR] [--partitions N] [--threads T] [--extract-arg ARG ...]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql.types import FloatType, StringType, StructField, StructType

COLUMNS = [
    "doc_id", "attacker", "attacker_type", "victim", "victim_type", "date", "date_iso",
    "confidence", "evidence", "attacker_mention", "victim_mention",
]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="JSON Lines articles (path, glob or Hadoop URI)")
    parser.add_argument("--output", required=True, help="output directory (must not exist)")
    parser.add_argument("--cyberie", default=os.environ.get("CYBERIE_BIN", "cyberie"),
                        help="the cyberie binary as the executors see it [$CYBERIE_BIN, or cyberie on PATH]")
    parser.add_argument("--model", help="model directory as the executors see it [cyberie's default]")
    parser.add_argument("--partitions", type=int,
                        help="partitions to split the articles into [2 per core of the cluster]")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads of each cyberie process; give executors that many cores per task [1]")
    parser.add_argument("--extract-arg", action="append", default=[],
                        help="one more argument for cyberie extract (repeat), e.g. --extract-arg=--explain")
    return parser.parse_args(argv)


def seconds(clock):
    """cyberie's summary times: '3.2 s', '2m05s', '1h02m03s'."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(\d+)s", clock)
    if match:
        h, m, s = (int(g or 0) for g in match.groups())
        return 3600 * h + 60 * m + s
    return float(clock.rstrip(" s"))


def run_partition(index, lines, command):
    """Pipes one partition's lines through cyberie; yields (kind, text) pairs:
    ("triple", JSON line), ("error", JSON record) and one ("stats", JSON)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fed = [0]
    stderr_lines = []

    def feed():
        try:
            for line in lines:
                process.stdin.write(line.rstrip("\n").encode("utf-8") + b"\n")
                fed[0] += 1
        except BrokenPipeError:
            pass
        finally:
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass

    def drain():
        for line in process.stderr:
            stderr_lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    feeder = threading.Thread(target=feed, daemon=True)
    reader = threading.Thread(target=drain, daemon=True)
    feeder.start()
    reader.start()
    first_output = None
    for raw in process.stdout:
        if first_output is None:
            first_output = time.monotonic() - started
        line = raw.decode("utf-8").rstrip("\n")
        record = json.loads(line)
        if "error" in record:
            record["partition"] = index
            yield ("error", json.dumps(record, ensure_ascii=False))
        else:
            yield ("triple", line)
    code = process.wait()
    feeder.join()
    reader.join()
    wall = time.monotonic() - started
    if code not in (0, 3):  # 3: some documents skipped (they are in errors.jsonl)
        tail = "\n".join(stderr_lines[-20:])
        raise RuntimeError(f"partition {index}: {' '.join(command)} exited with status {code}:\n{tail}")
    # The summary's "N words in T" is the time after the model loaded.
    work = None
    for line in stderr_lines:
        match = re.search(r"cyberie: \d+ words in (.+?): [\d.]+ words/s", line)
        if match:
            work = seconds(match.group(1))
    stats = {"partition": index, "documents": fed[0], "wall_s": round(wall, 3),
             "work_s": work, "overhead_s": None if work is None else round(wall - work, 3)}
    yield ("stats", json.dumps(stats))


def main(argv):
    args = parse_args(argv)
    command = [args.cyberie, "extract", "-", "--format", "jsonl", "-o", "-", "--error-records",
               "--threads", str(args.threads)]
    if args.model:
        command += ["--model", args.model]
    command += args.extract_arg
    columns = COLUMNS + (["rule"] if "--explain" in args.extract_arg else [])

    spark = SparkSession.builder.appName("cyberie extract").getOrCreate()
    context = spark.sparkContext
    started = time.monotonic()
    articles = context.textFile(args.input).filter(lambda line: line.strip())
    partitions = args.partitions or 2 * context.defaultParallelism
    piped = (articles.repartition(partitions)
             .mapPartitionsWithIndex(lambda i, lines: run_partition(i, lines, command))
             .persist(StorageLevel.MEMORY_AND_DISK))
    triples = piped.filter(lambda kv: kv[0] == "triple").map(lambda kv: kv[1])
    triples.saveAsTextFile(os.path.join(args.output, "triples.jsonl"))
    piped.filter(lambda kv: kv[0] == "error").map(lambda kv: kv[1]).saveAsTextFile(
        os.path.join(args.output, "errors.jsonl"))
    stats = sorted((json.loads(kv[1]) for kv in piped.filter(lambda kv: kv[0] == "stats").collect()),
                   key=lambda s: s["partition"])
    schema = StructType([StructField(c, FloatType() if c == "confidence" else StringType()) for c in columns])
    (spark.read.schema(schema).json(triples).select(columns).coalesce(1)
     .write.csv(os.path.join(args.output, "triples.csv"), header=True, quote='"', escape='"'))
    counts = {kind: n for kind, n in piped.map(lambda kv: (kv[0], 1)).countByKey().items()}
    wall = time.monotonic() - started
    summary = {
        "articles": sum(s["documents"] for s in stats),
        "triples": counts.get("triple", 0),
        "errors": counts.get("error", 0),
        "partitions": len(stats),
        "wall_s": round(wall, 1),
        "partition_stats": stats,
    }
    overheads = [s["overhead_s"] for s in stats if s["overhead_s"] is not None]
    if overheads:
        summary["mean_overhead_s"] = round(sum(overheads) / len(overheads), 2)
    text = json.dumps(summary, indent=2)
    if "://" in args.output and not args.output.startswith("file://"):
        context.parallelize([text], 1).saveAsTextFile(os.path.join(args.output, "summary.json"))
    else:
        with open(os.path.join(args.output.removeprefix("file://"), "summary.json"), "w") as f:
            f.write(text + "\n")
    print(f"cyberie_spark: {summary['articles']} articles in {summary['partitions']} partitions: "
          f"{summary['triples']} triples, {summary['errors']} errors, {wall:.1f} s"
          + (f"; per partition, process start and model load took {summary['mean_overhead_s']} s on average"
             if overheads else ""), file=sys.stderr)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
