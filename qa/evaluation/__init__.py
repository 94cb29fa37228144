"""Question sets and what they measure. metrics: rows, gold pages, per-question outcomes and rates;
runner: asking a set, the results file and the regression gate; report: the table, report.md, chart."""
