"""The identifier guard and inbound masking: what they catch and what they cost, this tree against
another revision, in the same run.

    python bench/identifiers.py --base main

For each revision it prints the corpus's figures (tests/corpora/identifiers.tsv, both splits: SSNs
refused by the guard and masked whole, case numbers refused, near misses wrongly refused or masked),
then the CPU time a text of the guard (`outbound_problems`, which the dispatcher runs on every text
it makes) and of masking (`mask_ssns`, on every inbound text), over texts shaped as the service's
own (check-ins, hours read-backs, a counselor's line) and as participants' replies. The two
revisions are timed in alternating rounds, so both see the same machine.
"""

import argparse
import importlib.util
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casefile import identifiers  # noqa: E402
from tests.test_identifier_corpus import Someone, figures  # noqa: E402

#: What the dispatcher checks: the service's own texts, as rendered for a participant.
OUTBOUND = (
    "Hi Rosa! Your check-in is due Friday. How did it go with calling the school? Reply 1 done, 2 not yet, 3 stuck.",
    "Total this week: 14 of 30. Correct? Reply YES or tell me what to change.",
    "Hola Rosa, ¿cómo le fue con su paso? Responda 1, 2 o 3.",
    "Rosa, Dana Lee here. Call me at 510-555-0199 when you can.",
    "Reminder: orientation March 12, 2026 at 10:30 at 2000 San Pablo Ave, Oakland 94612.",
    "Great job, Rosa: 8 hours on Monday, 6 on Tuesday. 16 to go this week.",
    "Waypoint: texts about your goals and hours. Your counselor: Dana Lee, 510-555-0199. Reply STOP to stop.",
)
#: What the inbox masks: participants' replies.
INBOUND = ("yes", "1", "worked 6 hrs monday", "trabajé 6 horas el lunes", "call me at 510 555 0142", "no, it was 7")


def load_revision(revision: str) -> ModuleType:
    """casefile/identifiers.py as it is at `revision`, as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:casefile/identifiers.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    spec = importlib.util.spec_from_loader(f"identifiers_at_{revision}", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{revision}:casefile/identifiers.py", "exec"), module.__dict__)
    return module


def cpu_per_text(module: ModuleType, repeat: int) -> tuple[float, float]:
    """Microseconds of CPU a text: the guard on OUTBOUND, masking on INBOUND."""
    someone, today = Someone(), date(2026, 3, 2)
    started = time.process_time()
    for _ in range(repeat):
        for text in OUTBOUND:
            module.outbound_problems(text, someone, today)
    guard = (time.process_time() - started) / (repeat * len(OUTBOUND)) * 1e6
    started = time.process_time()
    for _ in range(repeat):
        for text in INBOUND:
            module.mask_ssns(text)
    mask = (time.process_time() - started) / (repeat * len(INBOUND)) * 1e6
    return guard, mask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="main", help="the revision to compare with (default: main)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3000, help="passes over the texts in a round")
    arguments = parser.parse_args()
    revisions = {arguments.base: load_revision(arguments.base), "this tree": identifiers}
    for name, module in revisions.items():
        for split in ("tune", "heldout"):
            print(f"{name:>10} {split:>8}: {figures(module, split).line()}")
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in revisions}
    for _ in range(arguments.rounds):
        for name, module in revisions.items():
            timings[name].append(cpu_per_text(module, arguments.repeat))
    for name, rounds in timings.items():
        guard = sorted(round_[0] for round_ in rounds)
        mask = sorted(round_[1] for round_ in rounds)
        print(
            f"{name:>10}: guard {guard[len(guard) // 2]:.2f} µs a text (rounds {guard[0]:.2f}–{guard[-1]:.2f}), "
            f"masking {mask[len(mask) // 2]:.2f} µs (rounds {mask[0]:.2f}–{mask[-1]:.2f}), CPU, median of {len(rounds)}"
        )


if __name__ == "__main__":
    main()
