"""Speed and load, measured. compare: `docqa bench`, docqa beside a LangChain-style peer; peer: that
peer; loadtest: `docqa bench --load` against the running app. Dev-only dependencies live here only."""
