from semh.charts import Bar, bar_chart, heatmap


def test_bar_chart_is_plain_svg_with_accessible_title_and_every_value():
    svg = bar_chart(
        [Bar("w/c 2 Sep", 3), Bar("w/c 9 Sep", 0), Bar("w/c 16 Sep", 7)], title="Incidents per week"
    )

    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert '<title id="t">Incidents per week</title>' in svg
    assert "w/c 16 Sep: 7" in svg
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg


def test_chart_text_is_escaped():
    svg = bar_chart([Bar("<b>x</b>", 1)], title="A & B")

    assert "<b>" not in svg and "&lt;b&gt;" in svg and "A &amp; B" in svg


def test_heatmap_labels_each_cell_with_its_count():
    svg = heatmap(["Mon", "Tue"], ["P1", "P2"], {("Mon", "P2"): 4}, title="When")

    assert "Mon P2: 4" in svg and "Tue P1: 0" in svg
