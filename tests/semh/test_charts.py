from html.parser import HTMLParser

from django.urls import reverse

from semh.access import Role
from semh.charts import BandRange, Bar, Point, bar_chart, heatmap, line_chart


class ChartNames(HTMLParser):
    """Each <svg> of a page: its aria-labelledby / aria-describedby and the ids inside it."""

    def __init__(self):
        super().__init__()
        self.charts, self.ids = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.charts.append({"labelledby": attrs.get("aria-labelledby"), "ids": {}})
            self.charts[-1]["describedby"] = attrs.get("aria-describedby")
        if "id" in attrs:
            self.ids.append(attrs["id"])
            if self.charts and tag in ("title", "desc"):
                self.charts[-1]["ids"][tag] = attrs["id"]


def chart_names(html):
    parser = ChartNames()
    parser.feed(html)
    return parser


def test_bar_chart_is_plain_svg_with_accessible_title_and_every_value():
    svg = bar_chart(
        [Bar("w/c 2 Sep", 3), Bar("w/c 9 Sep", 0), Bar("w/c 16 Sep", 7)], title="Incidents per week"
    )

    assert svg.startswith("<svg") and svg.endswith("</svg>")
    (chart,) = chart_names(svg).charts
    assert f'<title id="{chart["labelledby"]}">Incidents per week</title>' in svg
    assert "w/c 16 Sep: 7" in svg
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg


def test_chart_text_is_escaped():
    svg = bar_chart([Bar("<b>x</b>", 1)], title="A & B")

    assert "<b>" not in svg and "&lt;b&gt;" in svg and "A &amp; B" in svg


def test_heatmap_labels_each_cell_with_its_count():
    svg = heatmap(["Mon", "Tue"], ["P1", "P2"], {("Mon", "P2"): 4}, title="When")

    assert "Mon P2: 4" in svg and "Tue P1: 0" in svg


def test_charts_on_one_page_each_announce_their_own_title_and_description():
    page = "".join(
        [
            bar_chart([Bar("Mon", 1)], title="Incidents per week"),
            heatmap(["Mon"], ["P1"], {("Mon", "P1"): 2}, title="When incidents happen"),
            # Same title, other figures: still its own ids.
            bar_chart([Bar("Mon", 5)], title="Incidents per week"),
        ]
    )

    names = chart_names(page)
    assert len(names.charts) == 3
    assert len(names.ids) == len(set(names.ids)) == 6
    for chart in names.charts:
        assert chart["labelledby"] == chart["ids"]["title"]
        assert chart["describedby"] == chart["ids"]["desc"]


def test_a_chart_renders_the_same_every_time_so_pdfs_are_stable():
    def draw():
        return bar_chart([Bar("w/c 2 Sep", 3)], title="Visits: Jo Bloggs")

    assert draw() == draw()
    assert 'id="chart-visits-jo-bloggs-' in draw()


def test_the_analysis_page_gives_every_chart_its_own_accessible_name(client, cast, login):
    login(cast.user(Role.SENCO))

    html = client.get(
        reverse("incidents:analysis", kwargs={"school_slug": cast.school_a.slug})
    ).content.decode()

    names = chart_names(html)
    assert len(names.charts) == 3
    assert len(names.ids) == len(set(names.ids))
    titles = [chart["ids"]["title"] for chart in names.charts]
    assert [chart["labelledby"] for chart in names.charts] == titles
    assert len(set(titles)) == 3


def test_line_chart_draws_a_named_dashed_reference_line_and_describes_it():
    svg = line_chart(
        [Point("07/09", 100), Point("14/09", 85.5)],
        title="Attendance rate per period",
        minimum=0,
        maximum=100,
        reference=Point("90%: persistent absence", 90),
        unit="%",
    )

    assert 'stroke-dasharray="6 4"><title>90%: persistent absence</title></line>' in svg
    assert "07/09: 100%; 14/09: 85.5%. Dashed line: 90%: persistent absence</desc>" in svg


def test_line_chart_names_each_band_inside_it_so_it_reads_in_black_and_white():
    bands = [BandRange("Close to average", 0, 11), BandRange("Very high", 12, 20)]
    svg = line_chart(
        [Point("01/09", 14), Point("01/12", 9)],
        title="SDQ total",
        minimum=0,
        maximum=20,
        bands=bands,
    )
    plot = svg[: svg.index('<line x1="30"')]  # the bands, drawn before the gridlines
    assert ">Close to average</text>" in plot and ">Very high</text>" in plot
