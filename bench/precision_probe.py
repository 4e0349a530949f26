"""Why is bf16 fast or slow on this CPU? Times the shipped model's encoder (PyTorch 2.4, the libtorch
cyberie links) in fp32 and bf16 on batches shaped like cyberie's (token budget 2048), and one
linear layer of each kind alone, and reports which oneDNN kernels ran (ONEDNN_VERBOSE), so that
the finding in bench/README.md can be checked on any machine:

    .venv/bin/python bench/precision_probe.py [MODEL_DIR]

Prints one JSON object: the CPU flags torch sees, the kernel ISA of a bf16 matmul, and the
milliseconds per batch of the whole encoder and of its matmuls alone, per precision and per
number of threads.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if os.environ.get("PROBE_CHILD") == "verbose":
    # One bf16 and one fp32 matmul with oneDNN's log on: which implementation ran.
    import torch

    torch.set_num_threads(int(os.environ.get("PROBE_THREADS", "2")))
    x = torch.randn(2048, 384)
    w = torch.randn(1536, 384)
    for kind in (torch.float32, torch.bfloat16):
        torch.nn.functional.linear(x.to(kind), w.to(kind))
    sys.exit(0)

import torch  # noqa: E402
from transformers import AutoModelForTokenClassification  # noqa: E402


def best_ms(fn, runs=5):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(1000 * min(times), 1)


def kernels():
    """The oneDNN implementation lines of a bf16 and an fp32 matmul."""
    env = {**os.environ, "PROBE_CHILD": "verbose", "ONEDNN_VERBOSE": "1", "DNNL_VERBOSE": "1"}
    out = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True).stdout
    lines = [line for line in out.splitlines() if line.startswith(("onednn_verbose", "dnnl_verbose"))]
    info = [line for line in lines if ",info," in line][:4]
    execs = [line for line in lines if ",exec," in line and ("matmul" in line or "inner_product" in line)]
    return {"info": info, "matmuls": execs[:6], "note": "no oneDNN exec line: ATen ran the matmul itself"
            if not execs else ""}


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "models" / "cyberie-ner-minilm")
    cpu = torch.backends.cpu.get_cpu_capability()
    flags = {name: getattr(torch._C._cpu, f"_is_{name}_supported")()
             for name in ("avx512", "avx512_vnni", "avx512_bf16", "amx_tile")
             if hasattr(torch._C._cpu, f"_is_{name}_supported")}
    result = {"torch": torch.__version__, "cpu_capability": cpu, "torch_cpu_flags": flags,
              "mkldnn": torch.backends.mkldnn.is_available(), "kernels": kernels(), "timings": []}
    model = AutoModelForTokenClassification.from_pretrained(model_dir).eval()
    # A batch of cyberie's shape: 32 windows of 64 word pieces = the 2048-token budget.
    ids = torch.randint(1000, 20000, (32, 64))
    mask = torch.ones_like(ids)
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for kind in (torch.float32, torch.bfloat16):
            m = model.to(kind)
            with torch.no_grad():
                encoder_ms = best_ms(lambda: m(input_ids=ids, attention_mask=mask))
            x = torch.randn(2048, 384).to(kind)
            w_in, w_out = torch.randn(1536, 384).to(kind), torch.randn(384, 1536).to(kind)
            with torch.no_grad():
                matmul_ms = best_ms(lambda: torch.nn.functional.linear(
                    torch.nn.functional.linear(x, w_in), w_out), runs=10)
            result["timings"].append({"threads": threads, "precision": str(kind).replace("torch.", ""),
                                      "encoder_ms_per_batch": encoder_ms, "ffn_matmuls_ms": matmul_ms})
        model = model.float()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
