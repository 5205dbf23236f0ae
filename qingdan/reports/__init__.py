"""The weekly report (一周一报) as HTML, XLSX and PDF, built from supervision's figures, and its subscriptions."""
