"""The layer every capture method stands on: the network guard and pinned connections,
fetch errors, content-addressed storage, WARC writing, chain-of-custody values, and the
`Outcome` a method returns. Nothing here knows which method is running."""
