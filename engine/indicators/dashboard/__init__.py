"""The dashboard: every partner area's Report pooled into one DashboardReport for the spec's subject."""
