"""The scenario schema: every input of the model as a typed, validated object with defaults.

A scenario names the population, the market's readiness dynamics, how conversations and
complaints work, the team, the rules, the strategies to compare, the horizon, the number
of replications and the seed. Defaults aim at the published figures in docs/model.md.
"""
from __future__ import annotations

from typing import Optional

from pydantic import Field, field_validator, model_validator

from sim.scenario.names import MAX_NAME_LENGTH, check_name, key_problem
from sim.scenario.distributions import Distribution, Gamma
from sim.scenario.search_space import SearchSpace
from sim.scenario.strategies import PRESETS, Strategy
from sim.scenario.limits import MAX_HORIZON_DAYS, MAX_REPLICATIONS, MAX_SEED, MAX_STRATEGIES, scenario_problems
from sim.scenario.units import DAY, HOUR, ClockTime, Minutes, format_clock
from sim.scenario.fields import _M, ByReadiness, WEEKDAYS
from sim.scenario.population import Inbound, Population
from sim.scenario.segment_checks import segment_problems
from sim.scenario.behaviour import Complaints, Conversation, HotLead, Readiness
from sim.scenario.team import ALL_TASK_KINDS, Date, Durations, Team, WorkCalendar


class Rules(_M):
    """Calling rules reported as breaches (not enforced unless the strategy respects them)."""

    legal_start: ClockTime = "08:00"
    legal_end: ClockTime = "20:00"
    max_calls_24h: int = Field(default=3, ge=1)
    max_calls_7d: int = Field(default=7, ge=1)

    @model_validator(mode="after")
    def _span(self) -> "Rules":
        if self.legal_end <= self.legal_start:
            raise ValueError("legal_end must be after legal_start")
        return self


# ---------------------------------------------------------------- money
class Money(_M):
    """What a sale brings and what the work costs, in one currency of your choice.

    Deal values are drawn per prospect (the same prospect is worth the same under every
    strategy). Rep cost is the team's paid working hours over the horizon (reps x working
    hours of the calendar x ``rep_hour_cost``), whether the reps are busy or not; messages
    cost per email (reminders included) and per SMS sent."""

    deal_value: Optional[Distribution] = Field(
        default=None, description="value of a sale, drawn per prospect (e.g. {kind: gamma, mean: 5000, cv: 0.5})")
    inbound_deal_value: Optional[Distribution] = Field(
        default=None, description="value of a sale to an inbound lead, if not deal_value")
    outbound_deal_value: Optional[Distribution] = Field(
        default=None, description="value of a sale to a listed prospect, if not deal_value")
    rep_hour_cost: float = Field(default=0.0, ge=0, description="cost of one paid rep hour")
    email_cost: float = Field(default=0.0, ge=0, description="cost of one email sent")
    sms_cost: float = Field(default=0.0, ge=0, description="cost of one SMS sent")

    @model_validator(mode="after")
    def _values(self) -> "Money":
        if self.deal_value is None and (self.inbound_deal_value is None or self.outbound_deal_value is None):
            raise ValueError("give deal_value, or both inbound_deal_value and outbound_deal_value")
        return self

    @property
    def inbound_value(self) -> Distribution:
        return self.inbound_deal_value if self.inbound_deal_value is not None else self.deal_value

    @property
    def outbound_value(self) -> Distribution:
        return self.outbound_deal_value if self.outbound_deal_value is not None else self.deal_value


# ---------------------------------------------------------------- scenario
class Scenario(_M):
    name: str = Field(default="scenario", max_length=MAX_NAME_LENGTH,
                      description="names the results folder: letters, digits, '-', '_', '.', not starting with '.'",
                      json_schema_extra={"pattern": r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"})
    description: str = ""
    question: str = Field(default="", description="the question a trainer asks the room before running it (shown in the report)")
    horizon: Minutes = Field(default="365d", gt=0, description=f"simulated time, at most {MAX_HORIZON_DAYS}d (10 years)")
    replications: int = Field(default=5, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(default=20261122, ge=0, le=MAX_SEED)
    start_date: Optional[Date] = Field(
        default=None, description="the Monday the simulation starts (day 1); needed only for holidays given as dates",
    )
    population: Population = Field(default_factory=Population)
    readiness: Readiness = Field(default_factory=Readiness)
    conversation: Conversation = Field(default_factory=Conversation)
    complaints: Complaints = Field(default_factory=Complaints)
    durations: Durations = Field(default_factory=Durations)
    team: Team = Field(default_factory=Team)
    rules: Rules = Field(default_factory=Rules)
    strategies: dict[str, Strategy] = Field(
        default_factory=lambda: {"five_and_stop": Strategy(preset="five_and_stop")}, min_length=1,
        max_length=MAX_STRATEGIES,
    )
    baseline: Optional[str] = Field(default=None, description="strategy the others are compared with")
    money: Optional[Money] = Field(default=None, description="deal values and costs: adds revenue, cost and profit "
                                   "to the results")
    optimize: Optional[SearchSpace] = Field(default=None, description="the cadences `followup-sim optimize` may try; "
                                            "empty = its defaults")

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v: float) -> float:
        if v > MAX_HORIZON_DAYS * DAY:
            raise ValueError(f"a horizon of at most {MAX_HORIZON_DAYS}d (10 years)")
        return v

    @model_validator(mode="after")
    def _size(self) -> "Scenario":
        problems = scenario_problems(self)
        if problems:
            raise ValueError(problems[0])
        return self

    @field_validator("strategies")
    @classmethod
    def _keys(cls, v: dict[str, Strategy]) -> dict[str, Strategy]:
        for key in v:
            problem = key_problem(key)
            if problem:
                raise ValueError(problem)
        return v

    @field_validator("name", mode="before")
    @classmethod
    def _safe_name(cls, v: object) -> object:
        return check_name(v) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _start_date(self) -> "Scenario":
        if self.start_date is not None and self.start_date.weekday() != 0:
            raise ValueError(f"start_date: the simulation starts on a Monday; {self.start_date.isoformat()} is a "
                             f"{self.start_date.strftime('%A')}")
        team = self.team
        places = [("team.calendar", team.calendar)] + [
            (f"team.reps[{i}].calendar", g.calendar) for i, g in enumerate(team.reps) if g.calendar is not None]
        for where, cal in places:
            if cal.holidays and self.start_date is None:
                raise ValueError(f"{where}.holidays: holidays given as dates need the scenario's start_date "
                                 "(the Monday the simulation starts), e.g. start_date: 2027-01-04")
        return self

    def holiday_days(self, cal: WorkCalendar) -> list[int]:
        """The calendar's holidays as day numbers of the run (0 = start_date)."""
        if not cal.holidays:
            return []
        return sorted({(d - self.start_date).days for d in cal.holidays})

    @model_validator(mode="after")
    def _hours_meet(self) -> "Scenario":
        """Working hours that never meet a time zone's legal calling hours give a run without a
        single call to those prospects, which looks finished: refuse it."""
        if not any(s.respect_calling_hours for s in self.strategies.values()):
            return self
        rules = self.rules
        # every group must meet every time zone: a prospect's calls wait for its owner (or a
        # rep who takes them), so a group that never meets a time zone would hold its
        # prospects there for good
        single = len(self.team.reps) == 1 and self.team.reps[0].calendar is None and not self.team.reps[0].timezone
        for i, g in enumerate(self.team.reps):
            cal = self.team.calendar_of(g)
            start, end = cal.start - g.timezone * HOUR, cal.end - g.timezone * HOUR  # on the team's clock
            for offset, weight in sorted(self.population.timezones.items()):
                if weight <= 0:
                    continue
                shift = offset * HOUR
                overlap = sum(max(0.0, min(end, rules.legal_end - shift + k * DAY)
                                  - max(start, rules.legal_start - shift + k * DAY)) for k in (-2, -1, 0, 1, 2))
                if overlap > 0:
                    continue
                where = "team.calendar" if single else f"team.reps[{i}]"
                hours = f"{format_clock(cal.start)}-{format_clock(cal.end)}"
                zone = f" on its own clock (timezone {g.timezone:+d} h)" if g.timezone else ""
                who = f"the working hours {hours} never meet" if single else \
                    f"group {g.name!r} works {hours}{zone}, which never meets"
                raise ValueError(
                    f"{where}: {who} the legal calling hours {format_clock(rules.legal_start)}-{format_clock(rules.legal_end)} "
                    f"of prospects at time zone offset {offset:+d} h, so strategies that respect calling hours would "
                    "never call them; change the hours, population.timezones or rules, or set "
                    "respect_calling_hours: false")
        return self

    @model_validator(mode="after")
    def _segments(self) -> "Scenario":
        """Segment parameters that only fit with the rest of the scenario: a conversation's rates
        with the scenario's, a deal value with money, a give-up table's segment values."""
        problem = segment_problems(self)
        if problem:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _baseline(self) -> "Scenario":
        if self.baseline is None:
            self.baseline = next(iter(self.strategies))
        elif self.baseline not in self.strategies:
            raise ValueError(f"baseline: {self.baseline!r} is not one of the strategies: {', '.join(self.strategies)}")
        return self

    def strategy(self, name: str) -> Strategy:
        try:
            return self.strategies[name]
        except KeyError:
            raise KeyError(f"no strategy {name!r}; this scenario has: {', '.join(self.strategies)}") from None


# The sections live in their own modules (fields, population, behaviour, team); callers may import
# them from here.
__all__ = ["Scenario", "Strategy", "PRESETS", "ByReadiness", "WEEKDAYS", "Rules", "Money", "Population", "Inbound",
           "Readiness", "HotLead", "Conversation", "Complaints", "Durations", "WorkCalendar", "Team",
           "ALL_TASK_KINDS", "Gamma"]
