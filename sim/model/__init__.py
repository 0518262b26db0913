"""One replication of the simulated world: prospects whose readiness drifts, reps with hours and
queues, cadences, touch outcomes, the event log and the metrics. Imports only sim.scenario.schema."""
