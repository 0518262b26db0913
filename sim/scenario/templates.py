"""The commented starter scenario written by ``followup-sim new NAME``."""
from pathlib import Path
from typing import Optional

from sim.scenario.errors import UserError
from sim.scenario.names import name_problem

STARTER = """\
# {name}: a followup-sim scenario. Run it with:  followup-sim run {file}
# Every field is optional; anything left out takes the default shown by `followup-sim schema`.
# Durations take units: 90s, 5m, 2h, 3d, 2w. Probabilities are between 0 and 1.
name: {name}
description: >
  What does this scenario teach? Say it here; it is printed with the results.
horizon: 180d          # simulated time
replications: 5        # independent runs per strategy (more = tighter intervals)
seed: 1                # same seed, same numbers

population:
  outbound: {{size: 2000, ramp: 20d}}   # a list worked over the first 20 days
  # later names: add batches: [{{size: 500, start: 60d, ramp: 10d}}] and/or per_week: 20
  inbound: {{per_day: 5}}               # new leads per day (Poisson; or per_week:, per_month:)
  reachability: {{kind: beta, mean: 0.08, concentration: 10}}   # chance to answer a dial

team:
  reps:
    - {{count: 3, pushiness: 0.0, skill: 0.5}}
  calendar: {{days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00"}}
  reminders: true      # a CRM reminds reps of every follow-up (false: some are forgotten)

# Strategies to compare. Use a preset (`followup-sim presets`), override its fields,
# or write the steps out: `day:` counts from the first touch (day 1), `after:` is a gap.
strategies:
  one_and_done: {{preset: one_and_done}}
  five_and_stop: {{preset: five_and_stop}}
  my_cadence:
    steps:
      - {{day: 1, channel: call}}
      - {{day: 3, channel: email}}
      - {{day: 7, channel: call}}
    repeat: {{every: 30d, channel: call}}
    max_touches: 8
    first_response: 5m
    book_next_step: true
baseline: one_and_done   # the others are compared with this one
"""


def write_starter(name: str, out: Optional[Path] = None, force: bool = False) -> Path:
    """Write the starter scenario ``name`` to ``out`` (default: scenarios/NAME.yaml); returns the path.
    A bad name, a path that is not a file, or an existing file without ``force`` is a UserError."""
    problem = name_problem(name)
    if problem:
        raise UserError(f"name {name!r}: {problem}")
    path = out or Path("scenarios") / f"{name}.yaml"
    if path.exists() and not path.is_file():
        raise UserError(f"{path} exists and is not a file; choose another --out")
    if path.exists() and not force:
        raise UserError(f"{path} already exists (use --force to overwrite)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STARTER.format(name=name, file=path), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    return path
