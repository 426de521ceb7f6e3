"""Charts of report figures (textual-plotext): bars for aging buckets, lines for monthly trends.

Figures come in cents (or tenths of a day); the axes are labelled in dollars ("$12.5k") or days, with ticks chosen
here so they read as round numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import RenderResult
from textual_plotext import PlotextPlot

# Colours that read on dark and light themes alike.
BLUE = (80, 160, 255)
ORANGE = (255, 170, 60)
GREEN = (90, 200, 120)


def short_dollars(cents: float) -> str:
    dollars = cents / 100
    if abs(dollars) >= 1_000_000:
        return f"${dollars / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(dollars) >= 1_000:
        return f"${dollars / 1_000:.1f}k".replace(".0k", "k")
    return f"${dollars:,.0f}"


def nice_ticks(highest: float, count: int = 4) -> list[float]:
    """0 and ``count`` round steps reaching at least ``highest``."""
    if highest <= 0:
        return [0.0, 1.0]
    raw = highest / count
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(count + 1) if step * (i - 1) < highest]


class Chart(PlotextPlot):
    DEFAULT_CSS = """
    Chart {
        height: 1fr;
        min-height: 8;
    }
    """

    def _frame(self, title: str) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(title)

    def _money_axis(self, highest_cents: float) -> None:
        ticks = nice_ticks(highest_cents)
        self.plt.yticks(ticks, [short_dollars(t) for t in ticks])
        self.plt.ylim(0, ticks[-1])


class AgingChart(Chart):
    """What is owed by age bucket: one bar per bucket, or insurance and patient side by side."""

    def show_buckets(self, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> None:
        self._frame(title)
        plt = self.plt
        if len(series) == 1:
            plt.bar(list(labels), [v for v in series[0][1]], color=BLUE)
        else:
            # plotext takes ``labels`` and a colour per series (its stubs say ``label`` and one colour).
            plt.multiple_bar(list(labels), [list(values) for _name, values in series],  # type: ignore[call-arg]
                             labels=[name for name, _values in series],
                             color=[BLUE, ORANGE])  # type: ignore[arg-type]
        self._money_axis(max((max(values, default=0) for _name, values in series), default=0))
        self.refresh()


class TrendChart(Chart):
    """Monthly lines: money series share a dollar axis; a day series (days in A/R) has its own."""

    months: Sequence[str] = ()

    def render(self) -> RenderResult:
        # Month labels that fit the width, chosen here: plotext's own thinning of crowded labels varies.
        if self.months:
            xs = [float(x) for x in range(1, len(self.months) + 1)]
            step = max(1, -(-len(self.months) * 8 // max(self.size.width - 8, 1)))
            keep = list(range(len(xs) - 1, -1, -step))[::-1]
            self.plt.xticks([xs[i] for i in keep], [self.months[i] for i in keep])
        return super().render()

    def show_lines(self, title: str, months: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                   money: bool = True) -> None:
        self._frame(title)
        plt = self.plt
        xs = [float(x) for x in range(1, len(months) + 1)]
        for (name, values), color in zip(series, (BLUE, GREEN, ORANGE), strict=False):
            plt.plot(xs, [v if money else v / 10 for v in values], label=name, color=color, marker="braille")
        self.months = list(months)
        highest = max((max(values, default=0) for _name, values in series), default=0)
        if money:
            self._money_axis(highest)
        else:
            ticks = nice_ticks(highest / 10)
            plt.yticks(ticks, [f"{t:g} d" for t in ticks])
            plt.ylim(0, ticks[-1])
        self.refresh()
