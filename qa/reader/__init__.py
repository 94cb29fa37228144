"""The reader: from retrieved passages to a short quoted answer, or a refusal that says why.

Question analysis (qa.query, qa.reader.types) gives the answer type; candidates (sentences and table
rows of the top passages, qa.reader.candidates) carry typed spans (qa.reader.spans) and features
(qa.reader.features); a learned model (qa.reader.model, trained by qa.reader.train) scores them;
select picks one quote per ask; lists expands announced lists; refusal decides whether to answer and
why not; compose verifies the quotes and names the answer span; reading runs them in order.
"""
