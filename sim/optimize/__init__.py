"""Find the best cadence for a scenario's team: ``followup-sim optimize``.

A search (Optuna proposes, every candidate is simulated on common random numbers) followed by
a ranking-and-selection stage (Kim and Nelson's fully sequential procedure) on fresh
replications, so the answer says "best within delta with probability at least 95%" or that the
budget could not separate the last few. Modules: ``space`` (what may change), ``goals``
(objective and constraints), ``selection`` (the KN procedure and paired intervals), ``search``
(the loop and its budget), ``folder`` (the results folder), ``front`` (the trade-off plot),
``answer`` (the finalists' table and the answer in sentences).

May import: sim.actions and every layer below it (not sim.fit, its sibling).
"""
