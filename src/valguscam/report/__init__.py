"""The typed report and its files: report.json content, CSV/JSON writers, the printed summary."""
