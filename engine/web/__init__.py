"""Self-contained HTML pages of the same Reports the workbooks show (``saferbook build --format html``).

One page per partner area and one for a dashboard: every script and style inline, no server and
no network, so a page opens from an e-mail attachment, a SharePoint library or a council web page.
Charts are Vega-Lite specifications drawn by the Vega bundle that ``vl-convert`` ships; the page
formats the Report's figures and computes nothing. Same Report, same bytes.
"""
from engine.web.page import dashboard_html, html_name, report_html

__all__ = ["dashboard_html", "html_name", "report_html"]
