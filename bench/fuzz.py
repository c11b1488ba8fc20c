"""A longer fuzzing campaign of the properties in tests/test_fuzz.py.

    python bench/fuzz.py [--examples 2000] [--pipeline-examples 200] [--seed 0]

Runs each property with many more examples than the test suite and prints, per property, the
inputs tried and the failures found (with Hypothesis's minimal failing input). Exit status 1 when
any property failed.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hypothesmith  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_fuzz  # noqa: E402


def campaign(name: str, strategy, check, examples: int, rng_seed: int) -> tuple[int, int]:
    """Run one property; return (inputs tried, failures found)."""
    tried = 0

    @seed(rng_seed)
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(strategy)
    def prop(value):
        nonlocal tried
        tried += 1
        check(value)

    started = time.monotonic()
    failures = 0
    try:
        prop()
    except Exception:
        failures = 1  # Hypothesis stops at the first failure, after shrinking it
        traceback.print_exc()
    print(f"{name:44} tried {tried:6}  failures {failures}  ({time.monotonic() - started:.0f} s)", flush=True)
    return tried, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--pipeline-examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore", SyntaxWarning)  # hypothesmith compiles what it generates
    base = {"app.py": test_fuzz.TEMPLATE.format(**test_fuzz.DEFAULT_NAMES)}
    expected = test_fuzz.findings(base)

    def renamed(names):
        mapping = dict(zip(test_fuzz.DEFAULT_NAMES, names))
        mapping["endpoint"] = mapping["endpoint"].upper()
        assert test_fuzz.findings({"app.py": test_fuzz.TEMPLATE.format(**mapping)}) == expected

    def unrelated(extra):
        assert set(expected) <= set(test_fuzz.findings({**base, "zz_unrelated.py": extra.encode("utf-8", "surrogatepass")}))

    names = st.lists(test_fuzz.NAMES, min_size=len(test_fuzz.DEFAULT_NAMES), max_size=len(test_fuzz.DEFAULT_NAMES), unique=True)
    runs = [
        ("summarizer: grammar-generated Python", hypothesmith.from_grammar(), lambda s: test_fuzz.summarizes(s.encode("utf-8", "surrogatepass")), args.examples),
        ("summarizer: libcst-generated modules", hypothesmith.from_node(), lambda s: test_fuzz.summarizes(s.encode("utf-8", "surrogatepass")), args.examples // 4),
        ("summarizer: arbitrary bytes", st.binary(max_size=4000), test_fuzz.summarizes, args.examples),
        ("pipeline: renaming keeps findings", names, renamed, args.pipeline_examples),
        ("pipeline: unrelated module keeps findings", hypothesmith.from_grammar(), unrelated, args.pipeline_examples),
        ("command line: any arguments, config, baseline", test_fuzz.CLI_INPUTS,
         lambda inputs: test_fuzz.runs_cleanly(*inputs), args.pipeline_examples),
    ]
    total_tried = total_failures = 0
    for name, strategy, check, examples in runs:
        tried, failures = campaign(name, strategy, check, examples, args.seed)
        total_tried += tried
        total_failures += failures
    print(f"{'total':44} tried {total_tried:6}  failures {total_failures}")
    return int(total_failures > 0)


if __name__ == "__main__":
    sys.exit(main())
