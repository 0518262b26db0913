"""One replication of the simulated world: prospects whose readiness drifts, reps with hours and
queues, cadences, touch outcomes, the event log, the results and the metrics registry.

May import: sim.scenario.
"""
